"""The ``boiler`` command line. Each command lives in its own module of this package."""

from __future__ import annotations

import click

from boiler_core import __version__
from boiler_core.cli.backfill import backfill
from boiler_core.cli.check import check
from boiler_core.cli.demo import demo
from boiler_core.cli.deploy import deploy
from boiler_core.cli.dev import dev
from boiler_core.cli.emulator_path import emulator_path
from boiler_core.cli.generate import generate
from boiler_core.cli.init import init
from boiler_core.cli.openapi import openapi
from boiler_core.cli.schema import schema
from boiler_core.cli.types import types
from boiler_core.cli.verify import verify


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="boiler")
def main() -> None:
    """boiler keeps Firestore view collections exactly current from domain collections.

    Declare views in views.yaml, then: boiler check, boiler generate.
    """


main.add_command(init)
main.add_command(check)
main.add_command(generate)
main.add_command(dev)
main.add_command(demo)
main.add_command(emulator_path)
main.add_command(openapi)
main.add_command(types)
main.add_command(schema)
main.add_command(backfill)
main.add_command(verify)
main.add_command(deploy)
