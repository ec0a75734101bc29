"""``boiler demo``: play the reference scenario on the emulator and show each view update live."""

from __future__ import annotations

import json
import os
import statistics
import textwrap
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import click
from google.cloud.firestore import Client

from boiler_core.cli.local import (
    describe_runtime,
    format_record,
    local_runtime,
    set_client_environment,
    stop_on_signals,
)
from boiler_core.cli.options import load_or_exit, manifest_option
from boiler_core.cli.page import (
    describe_page,
    live_page,
    load_fixture,
    page_folder,
    page_options,
    seed_fixture,
)
from boiler_core.demo.listener import ViewListener, ViewUpdate
from boiler_core.demo.story import Step, changes, describe, meeting_room_story
from boiler_core.dispatch import Invocation, LocalRuntime, Record
from boiler_core.emulator.process import group_members
from boiler_core.store.firestore import firestore_client


class DemoFailed(Exception):
    """Raised when a step's view update does not come, or other views are wrong."""


class _Console:
    """Whole lines to stdout from the main thread and the dispatcher's reader thread."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.lock = threading.Lock()
        self.invocations = 0
        self.failed = 0
        self.explained_bookkeeping = False

    def echo(self, text: str = "") -> None:
        with self.lock:
            click.echo(text)

    def on_record(self, record: Record) -> None:
        if isinstance(record, Invocation):
            self.invocations += 1
            self.failed += 0 if record.ok else 1
            if not (self.verbose or not record.ok):
                return
        line = format_record(record)
        if line is not None:
            self.echo(f"      [function] {line}")


@click.command()
@manifest_option
@click.option(
    "-v", "--verbose", is_flag=True, help="Also print every trigger invocation with its cost."
)
@click.option(
    "--timeout",
    type=float,
    default=30.0,
    show_default=True,
    help="Seconds to wait for each expected view update.",
)
@click.option(
    "--stay",
    is_flag=True,
    help="After the story, seed the fixture again and keep the live page running until Ctrl-C.",
)
@page_options
def demo(
    manifest_path: Path,
    verbose: bool,
    timeout: float,
    stay: bool,
    page_dir: Path | None,
    page_port: int,
) -> None:
    """Play the meeting-room story live on the Firestore emulator.

    Starts the emulator and the generated triggers, subscribes to meeting_sessions/meeting_1 with
    a real on_snapshot listener, then makes domain writes: seed (S1), an attendance change (S2),
    a rename (S6), closing the meeting, deleting it (S12). Each view update is printed as the
    listener receives it, with the time from the domain write. The live page (web/dist, see
    `make web`) is served meanwhile at the URL printed; with --stay the fixture is seeded again
    afterwards and everything keeps running for the browser until Ctrl-C. Exit code 0 when every
    step produced the reference view; 2 when no emulator is installed. Nothing is left running.
    """
    manifest = load_or_exit(manifest_path)
    functions_dir = manifest_path.resolve().parent / manifest.project.functions_dir
    fixture = load_fixture(functions_dir)
    folder = page_folder(manifest_path, page_dir)
    console = _Console(verbose)
    latencies: list[float] = []
    pids: list[int] = []
    started = time.monotonic()
    console.echo("boiler demo: the meeting-room reference scenario, live on the Firestore emulator")
    try:
        with (
            stop_on_signals(),
            local_runtime(
                manifest, manifest_path, env=os.environ, on_record=console.on_record
            ) as runtime,
            live_page(runtime, folder, page_port) as page_url,
        ):
            pids += [pid for pid in (runtime.emulator.pid, runtime.dispatcher.pid) if pid]
            console.echo(f"started in {time.monotonic() - started:.1f} s:")
            for line in describe_runtime(runtime) + describe_page(page_url, folder):
                console.echo(line)
            set_client_environment(runtime)
            client = firestore_client(runtime.project)
            try:
                _play(runtime, client, fixture, console, latencies, timeout)
            finally:
                client.close()  # type: ignore[no-untyped-call]
            if stay:
                _stay(runtime, fixture, page_url, console)
    except DemoFailed as exc:
        console.echo(f"\nFAILED: {exc}")
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        console.echo("\nboiler demo: interrupted; stopped the emulator and the dispatcher")
        raise SystemExit(130) from None
    left = [pid for pgid in pids for pid in group_members(pgid)]
    console.echo()
    console.echo(
        f"Done: {len(latencies)} view updates; domain write -> listener update: "
        f"min {min(latencies):.0f} ms, median {statistics.median(latencies):.0f} ms, "
        f"max {max(latencies):.0f} ms. {console.invocations} trigger invocations, "
        f"{console.failed} failed."
    )
    console.echo(
        "Stopped the emulator and the dispatcher; "
        + (f"STILL RUNNING: {left}" if left else "no process of theirs is left.")
    )
    if not stay:
        console.echo(
            "See it in a browser: `boiler demo --stay` (or `make dev`) keeps the live page up."
        )
    if left or console.failed:
        raise SystemExit(1)


def _stay(
    runtime: LocalRuntime, fixture: ModuleType, page_url: str | None, console: _Console
) -> None:
    """Seed the fixture again and keep everything running until Ctrl-C."""
    seed_fixture(runtime, fixture)
    console.echo()
    console.echo("The story is over; the fixture is seeded again (meeting_1 in session).")
    if page_url is not None:
        console.echo(f"Open {page_url} and pick a participant; open it again as someone else.")
    console.echo("Press Ctrl-C to stop.")
    try:
        while runtime.running():
            time.sleep(0.5)
    except KeyboardInterrupt:
        console.echo("\nboiler demo: stopping")
        return
    raise DemoFailed("a runtime process exited unexpectedly")


def _play(
    runtime: LocalRuntime,
    client: Client,
    fixture: ModuleType,
    console: _Console,
    latencies: list[float],
    timeout: float,
) -> None:
    view_path, steps = meeting_room_story(fixture)
    with ViewListener(client.document(view_path)) as listener:
        initial = listener.start(timeout)
        console.echo()
        console.echo(f"Listening to {view_path} with on_snapshot, as a front end would.")
        console.echo(f"  initial state: {describe(initial.data)}")
        for step in steps:
            _play_step(step, runtime, client, listener, console, latencies, timeout)


def _play_step(
    step: Step,
    runtime: LocalRuntime,
    client: Client,
    listener: ViewListener,
    console: _Console,
    latencies: list[float],
    timeout: float,
) -> None:
    console.echo()
    console.echo(f"{step.key}  {step.title}")
    for line in textwrap.wrap(
        f"domain write: {step.writes}", width=96, initial_indent="    ", subsequent_indent="      "
    ):
        console.echo(line)
    if step.note:
        console.echo(f"    note: {step.note}")
    assert listener.last is not None
    shown = listener.last
    written = time.perf_counter()
    step.apply(client)
    deadline = written + timeout
    while not step.reached(shown.data):
        update = listener.next(deadline - time.perf_counter())
        if update is None:
            raise DemoFailed(
                f"{step.key}: no view update showing '{step.expected}' within {timeout:g} s; "
                f"the view is: {describe(shown.data)}"
            )
        _show_update(console, update, shown.data, written, latencies)
        shown = update
    runtime.settle(timeout)
    current = client.document(listener.document.path).get()
    final_time = current.update_time if current.exists else None
    while shown.update_time != final_time:  # late snapshots of writes made before the settle
        update = listener.next(deadline - time.perf_counter())
        if update is None:
            raise DemoFailed(f"{step.key}: the listener never caught up with the view's last write")
        _show_update(console, update, shown.data, written, latencies)
        shown = update
    if step.check is not None:
        try:
            console.echo(f"    check: {step.check(client)}")
        except AssertionError as exc:
            raise DemoFailed(f"{step.key}: {exc}") from None
    console.echo(f"    ok: {step.expected}")


def _show_update(
    console: _Console,
    update: ViewUpdate,
    before: Mapping[str, Any] | None,
    written: float,
    latencies: list[float],
) -> None:
    ms = (update.received - written) * 1000
    latencies.append(ms)
    what = changes(before, update.data)
    console.echo(f"    view update received {ms:.0f} ms after the write: {what[0]}")
    for line in what[1:]:
        console.echo(f"        {line}")
    console.echo(f"    now: {describe(update.data)}")
    for line in _view_json(update.data):
        console.echo(f"      {line}")
    bookkeeping = sorted(key for key in update.data or {} if key.startswith("_"))
    if bookkeeping and not console.explained_bookkeeping:
        console.explained_bookkeeping = True
        console.echo(
            f"      ({', '.join(bookkeeping)}: bookkeeping the engine keeps (who may read it, "
            "for the security rules; the content's version, for If-Match); the reference "
            "compares the other fields)"
        )


def _view_json(view: Mapping[str, Any] | None) -> list[str]:
    """The document as the listener saw it, as JSON; list items of objects one per line."""
    if view is None:
        return ["(document deleted)"]
    lines = ["{"]
    keys = sorted(view)
    for index, key in enumerate(keys):
        comma = "," if index < len(keys) - 1 else ""
        value = view[key]
        if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            lines.append(f"  {json.dumps(key)}: [")
            for position, item in enumerate(value):
                item_comma = "," if position < len(value) - 1 else ""
                lines.append(f"    {json.dumps(item, sort_keys=True, default=str)}{item_comma}")
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, default=str)}{comma}")
    lines.append("}")
    return lines
