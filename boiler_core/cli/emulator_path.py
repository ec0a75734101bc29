"""``boiler emulator-path``: where the Firestore emulator is, or how to install it (exit 2)."""

from __future__ import annotations

import os

import click

from boiler_core.cli.local import find_emulator_or_exit


@click.command("emulator-path")
def emulator_path() -> None:
    """Print the command that starts the Firestore emulator and where it was found.

    Searches $BOILER_FIRESTORE_EMULATOR, the Google Cloud SDK (gcloud info), then firebase-tools'
    cache. Exit code 2, with install commands, when there is none: `make test` uses this to
    decide whether the integration tier can run.
    """
    binary = find_emulator_or_exit(os.environ)
    click.echo(binary.describe())
