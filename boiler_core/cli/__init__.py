"""The ``boiler`` command line. Each command lives in its own module of this package."""

from __future__ import annotations

import click

from boiler_core import __version__
from boiler_core.cli.check import check
from boiler_core.cli.generate import generate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="boiler")
def main() -> None:
    """boiler keeps Firestore view collections exactly current from domain collections.

    Declare views in views.yaml, then: boiler check, boiler generate.
    """


main.add_command(check)
main.add_command(generate)
