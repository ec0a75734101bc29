"""``boiler dev``: the local runtime in the foreground, reloaded on every save, until Ctrl-C."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from boiler_core import __version__
from boiler_core.cli.devloop import Console, DevLoop, InvocationLines
from boiler_core.cli.local import (
    describe_runtime,
    firebase_config,
    local_runtime,
    rules_file,
    stop_on_signals,
)
from boiler_core.cli.options import load_or_exit, manifest_option
from boiler_core.cli.page import describe_page, live_page, page_folder, page_options
from boiler_core.cli.seeding import read_seed_or_exit, write_documents
from boiler_core.codegen.files import plan
from boiler_core.devloop.rebuild import write_planned
from boiler_core.dispatch import LocalRuntime
from boiler_core.emulator import DispatcherFailed, LocalRuntimeError
from boiler_core.emulator.exports import export_data, import_source
from boiler_core.emulator.ports import DevPorts, Port, check_free
from boiler_core.errors import GenerateError
from boiler_core.manifest import Manifest
from boiler_core.manifest.imports import importable_from


@click.command()
@manifest_option
@click.option(
    "--seed",
    "seed_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Write the documents of this seed file (YAML or JSON) once started.",
)
@click.option(
    "--import",
    "import_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Start with the emulator data exported to DIR (by --export or firebase emulators:export).",
)
@click.option(
    "--export",
    "export_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="On exit (Ctrl-C too), export the emulator's data to DIR, replacing what it held.",
)
@click.option(
    "--free-ports",
    is_flag=True,
    help="Listen on any free ports instead of firebase.json's (tests, several runs at once).",
)
@page_options
def dev(
    manifest_path: Path,
    seed_path: Path | None,
    import_dir: Path | None,
    export_dir: Path | None,
    free_ports: bool,
    page_dir: Path | None,
    page_port: int | None,
) -> None:
    """Run the Firestore emulator with the generated functions and the live page; reload the
    functions whenever views.yaml or a Python file of the functions folder is saved.

    Ports come from firebase.json's emulators section (Firestore 8080, functions 5001, page 5000
    by default) and stay the same across reloads, as do the emulator and its data. On each save
    boiler checks views.yaml (problems are printed as FILE:LINE:COL and the last good version
    keeps serving), regenerates, and restarts only the functions. One line is printed per
    invocation and per reload. Ctrl-C stops everything. Exit codes: 1 a problem (bad seed file,
    taken port, a process died); 2 no emulator installed.
    """
    manifest = load_or_exit(manifest_path)
    root = manifest_path.resolve().parent
    functions_dir = root / manifest.project.functions_dir
    folder = page_folder(manifest_path, page_dir)
    documents = read_seed_or_exit(seed_path, manifest, functions_dir) if seed_path else None
    seed_from = _import_or_exit(import_dir, export_dir)
    ports = _ports_or_exit(root, free_ports, page_port)
    console = Console()
    _generate_or_exit(manifest, manifest_path, console)
    sys.dont_write_bytecode = True  # a reload must see an edit made within the same second
    lines = InvocationLines(console)
    started = time.monotonic()
    console.line("boiler dev: starting the Firestore emulator and the functions ...")
    try:
        with (
            stop_on_signals(),
            local_runtime(
                manifest,
                manifest_path,
                env=os.environ,
                on_record=lines,
                ports=ports,
                seed_from=seed_from,
            ) as runtime,
            live_page(runtime, folder, ports.page.number) as page_url,
        ):
            lines.log = runtime.dispatcher_log
            try:
                if seed_from is not None:
                    console.line(f"imported the emulator data of {import_dir}")
                if documents is not None:
                    count = write_documents(runtime, documents)
                    console.line(f"seeded {count} documents from {seed_path}")
                loop = DevLoop(runtime, manifest_path, manifest, console, rules=rules_file(root))
                console.line(f"ready in {time.monotonic() - started:.1f} s:")
                for line in describe_runtime(runtime) + describe_page(page_url, folder):
                    console.line(line)
                console.line(loop.describe())
                console.line("Write to the domain collections; each invocation prints a line.")
                console.line("Press Ctrl-C to stop.")
                loop.run()
                console.line(
                    "boiler dev: a runtime process exited unexpectedly; stopping", err=True
                )
                raise SystemExit(1)
            finally:
                if export_dir is not None:
                    _export(runtime, export_dir, console)
    except KeyboardInterrupt:
        console.line("\nboiler dev: stopped the emulator and the functions")
    except DispatcherFailed as exc:
        where = f"{exc.location[0]}:{exc.location[1]}:{exc.location[2]}: " if exc.location else ""
        console.line(f"{where}error: {exc.reason}", err=True)
        console.line(f"boiler dev: {exc}", err=True)
        raise SystemExit(1) from None
    except LocalRuntimeError as exc:
        console.line(f"boiler dev: {exc}", err=True)
        raise SystemExit(1) from None


def _ports_or_exit(root: Path, free_ports: bool, page_port: int | None) -> DevPorts:
    """firebase.json's ports (or free ones), ``--page-port`` applied; exit 1 when one is taken."""
    try:
        ports = DevPorts.free() if free_ports else DevPorts.from_config(firebase_config(root))
        if page_port is not None:
            ports = DevPorts(
                ports.firestore,
                ports.functions,
                Port(page_port, ports.page.role, ports.page.setting, "--page-port"),
            )
        check_free(ports.all())
    except LocalRuntimeError as exc:
        click.echo(f"boiler dev: {exc}", err=True)
        raise SystemExit(1) from None
    return ports


def _import_or_exit(import_dir: Path | None, export_dir: Path | None) -> Path | None:
    """The export file to start from, or None; exit 1 when ``import_dir`` holds no export (unless
    it is also the export folder and does not exist yet: the first run of a data folder)."""
    if import_dir is None:
        return None
    if (
        export_dir is not None
        and not import_dir.exists()
        and import_dir.resolve() == export_dir.resolve()
    ):
        click.echo(f"boiler dev: {import_dir} does not exist yet: starting empty, exporting there")
        return None
    try:
        return import_source(import_dir)
    except LocalRuntimeError as exc:
        click.echo(f"boiler dev: {exc}", err=True)
        raise SystemExit(1) from None


def _generate_or_exit(manifest: Manifest, manifest_path: Path, console: Console) -> None:
    """Bring the generated files up to date with views.yaml, as ``boiler generate`` would; exit 1
    writing nothing when one would replace a file boiler did not generate."""
    root = manifest_path.resolve().parent
    try:
        with importable_from(root / manifest.project.functions_dir):
            planned, refused = plan(manifest, manifest_path.parent)
    except GenerateError as exc:
        raise click.ClickException(str(exc)) from None
    if refused:
        for refusal in refused:
            console.line(f"boiler dev: refused: {refusal}", err=True)
        console.line("nothing was written; `boiler generate --force` replaces them", err=True)
        raise SystemExit(1)
    for shown in write_planned(planned):
        console.line(f"wrote {shown}")


def _export(runtime: LocalRuntime, folder: Path, console: Console) -> None:
    """Wait for the triggers to finish, then export the emulator's data to ``folder``."""
    try:
        runtime.settle()
        export_data(runtime.emulator.admin, folder, version=f"boiler {__version__}")
    except LocalRuntimeError as exc:
        console.line(f"boiler dev: the data could not be exported: {exc}", err=True)
        raise SystemExit(1) from None
    console.line(f"boiler dev: exported the emulator's data to {folder}")
