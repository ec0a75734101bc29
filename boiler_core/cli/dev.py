"""``boiler dev``: the local runtime in the foreground, one line per trigger invocation."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import click

from boiler_core.cli.local import describe_runtime, format_record, local_runtime, stop_on_signals
from boiler_core.cli.options import load_or_exit, manifest_option
from boiler_core.cli.page import (
    describe_page,
    live_page,
    load_fixture,
    page_folder,
    page_options,
    seed_fixture,
)
from boiler_core.dispatch import Record


@click.command()
@manifest_option
@click.option(
    "--seed",
    is_flag=True,
    help="Write the meeting-room fixture (functions/meeting_room/fixture.py) once started.",
)
@page_options
def dev(manifest_path: Path, seed: bool, page_dir: Path | None, page_port: int) -> None:
    """Run the Firestore emulator with the generated triggers and the live page until Ctrl-C.

    Starts the official emulator on a free 127.0.0.1 port, starts the trigger dispatcher for
    functions/main.py, registers its triggers, serves the built page (web/dist, see `make web`)
    with the HTTP functions on its origin, prints the addresses, then one line per invocation:
    function, document, the engine's reads/writes/deletes/skipped, and time. Point clients at it
    with FIRESTORE_EMULATOR_HOST. Ctrl-C stops everything. Exit code 2: no emulator installed.
    """
    manifest = load_or_exit(manifest_path)
    folder = page_folder(manifest_path, page_dir)
    functions_dir = manifest_path.resolve().parent / manifest.project.functions_dir
    fixture = load_fixture(functions_dir) if seed else None
    output_lock = threading.Lock()

    def show(record: Record) -> None:
        line = format_record(record)
        if line is not None:
            stamp = time.strftime("%H:%M:%S")
            with output_lock:
                click.echo(f"{stamp} {line}")

    started = time.monotonic()
    click.echo("boiler dev: starting the Firestore emulator and the trigger dispatcher ...")
    try:
        with (
            stop_on_signals(),
            local_runtime(manifest, manifest_path, env=os.environ, on_record=show) as runtime,
            live_page(runtime, folder, page_port) as page_url,
        ):
            if fixture is not None:
                count = seed_fixture(runtime, fixture)
                with output_lock:
                    click.echo(f"seeded {count} documents of the meeting-room fixture")
            with output_lock:
                click.echo(f"ready in {time.monotonic() - started:.1f} s:")
                for line in describe_runtime(runtime) + describe_page(page_url, folder):
                    click.echo(line)
                click.echo("Write to the domain collections; each invocation prints a line.")
                click.echo("Press Ctrl-C to stop.")
            while runtime.running():
                time.sleep(0.5)
            click.echo("boiler dev: a runtime process exited unexpectedly; stopping", err=True)
            raise SystemExit(1)
    except KeyboardInterrupt:
        click.echo("\nboiler dev: stopped the emulator and the dispatcher")
