"""``boiler demo``: play the app's story on the emulator and show each view update live.

The story is a file (``demo.yaml`` beside views.yaml, or ``--story FILE``; format in
:mod:`boiler_core.demo.story_file`): checked completely before anything starts, then played
step by step against a real ``on_snapshot`` listener on the watched view document. Without a
story the demo seeds ``seed.yaml`` (when there is one), shows each view document the triggers
create, and says how to write a story.
"""

from __future__ import annotations

import os
import statistics
import textwrap
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import click
from google.cloud.firestore import Client

from boiler_core.cli.local import (
    describe_runtime,
    failed_roots,
    format_record,
    local_runtime,
    set_client_environment,
    stop_on_signals,
)
from boiler_core.cli.options import load_or_exit, manifest_option
from boiler_core.cli.page import describe_page, live_page, page_folder, page_options
from boiler_core.demo.changes import changes, field_lines, shown_fields
from boiler_core.demo.listener import ViewListener, ViewUpdate
from boiler_core.demo.story import Document, Step, Story, Write
from boiler_core.demo.story_file import read_story
from boiler_core.demo.writes import apply, neutral, read, view_documents
from boiler_core.dispatch import Invocation, LocalRuntime, Record
from boiler_core.dispatch.records import Failed
from boiler_core.emulator.process import group_members
from boiler_core.errors import Problem, SeedError, StoryError
from boiler_core.manifest import Manifest
from boiler_core.seed import read_seed
from boiler_core.store.firestore import firestore_client

STORY_FILE = "demo.yaml"
"""The story played by default, beside views.yaml."""

SEED_FILE = "seed.yaml"
"""What the demo seeds without a story, beside views.yaml."""

STORY_HELP = 'docs/runtime.md, "Demo stories"'


class DemoFailed(Exception):
    """Raised when a step's view does not come, or a checked document is wrong."""


class _Console:
    """Whole lines to stdout from the main thread and the dispatcher's reader thread."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.lock = threading.Lock()
        self.invocations = 0
        self.failed = 0

    def echo(self, text: str = "") -> None:
        with self.lock:
            click.echo(text)

    def on_record(self, record: Record) -> None:
        """Failed invocations and a dispatcher that failed always; the rest with --verbose."""
        if isinstance(record, Invocation):
            self.invocations += 1
            ok = record.ok and not failed_roots(record)  # roots that failed alone count too
            self.failed += 0 if ok else 1
            if ok and not self.verbose:
                return
        elif not (self.verbose or isinstance(record, Failed)):
            return
        line = format_record(record)
        if line is not None:
            self.echo(f"      [function] {line}")


@dataclass
class _Run:
    """What the run measured."""

    latencies: list[float] = field(default_factory=list)
    """Milliseconds from a step's write to each view update the listener received."""


@click.command()
@manifest_option
@click.option(
    "--story",
    "story_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"The story to play [default: {STORY_FILE} beside views.yaml].",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Also show bookkeeping fields (_members, _version, ...) and every trigger invocation.",
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
    help="Afterwards, seed again and keep the emulator (and the live page) running until Ctrl-C.",
)
@page_options
def demo(
    manifest_path: Path,
    story_path: Path | None,
    verbose: bool,
    timeout: float,
    stay: bool,
    page_dir: Path | None,
    page_port: int,
) -> None:
    """Play the app's story live on the Firestore emulator.

    Starts the emulator and the generated triggers, follows the story's view document with a
    real on_snapshot listener, and makes each step's domain writes. Each view update is printed
    as the listener receives it, as what changed in the view's own fields, with the time from
    the write. The story (demo.yaml beside views.yaml, or --story FILE) is checked before
    anything starts. Without one, seed.yaml is seeded and each view document created is shown.
    The live page (web/dist) is served meanwhile when it is built. Exit code 0 when every step
    reached what it expects; 1 when one did not, a trigger failed, or the story has problems;
    2 when no emulator is installed. Nothing is left running.
    """
    manifest = load_or_exit(manifest_path)
    root = manifest_path.resolve().parent
    functions_dir = root / manifest.project.functions_dir
    story = _story_or_exit(story_path or root / STORY_FILE, manifest, functions_dir, story_path)
    seed = root / SEED_FILE
    seeds = _seed_or_exit(seed, manifest, functions_dir) if story is None else story.seeds
    if story is None and not seeds and not stay:
        click.echo(f"boiler demo: nothing to play: no {STORY_FILE} and no {SEED_FILE} beside")
        click.echo(f"{manifest_path}. {_how_to_write_a_story(manifest, None)}")
        return
    console = _Console(verbose)
    run = _Run()
    pids: list[int] = []
    what = f"the story of {story.file}" if story else f"no story: seeding {SEED_FILE}"
    console.echo(f"boiler demo: {what}, live on the Firestore emulator")
    started = time.monotonic()
    try:
        with _running(manifest, manifest_path, page_dir, page_port, console) as (runtime, page):
            pids += [pid for pid in (runtime.emulator.pid, runtime.dispatcher.pid) if pid]
            console.echo(f"started in {time.monotonic() - started:.1f} s:")
            for line in describe_runtime(runtime) + describe_page(
                page, page_folder(manifest_path, page_dir)
            ):
                console.echo(line)
            with _client(runtime) as client:
                if story is not None:
                    _play(story, runtime, client, console, run, timeout)
                else:
                    _show_seeded(manifest, seeds, runtime, client, console, timeout)
                if stay:
                    _stay(runtime, client, seeds, page, console, timeout)
    except DemoFailed as exc:
        console.echo(f"\nFAILED: {exc}")
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        console.echo("\nboiler demo: interrupted; stopped the emulator and the dispatcher")
        raise SystemExit(130) from None
    _finish(console, run, pids, story is not None, stay)


def _story_or_exit(
    path: Path, manifest: Manifest, functions_dir: Path, asked: Path | None
) -> Story | None:
    """The story at ``path``; None when there is none and none was asked for; exit 1 listing
    every problem of a story that has any."""
    if asked is None and not path.exists():
        return None
    try:
        return read_story(path, manifest, functions_dir)
    except StoryError as exc:
        _exit_with(exc.problems, "the story")
    return None  # not reached


def _seed_or_exit(path: Path, manifest: Manifest, functions_dir: Path) -> tuple[Write, ...]:
    if not path.exists():
        return ()
    try:
        documents = read_seed(path, manifest, functions_dir)
    except SeedError as exc:
        _exit_with(exc.problems, SEED_FILE)
    return tuple(Write("set", doc_path, data) for doc_path, data in documents.items())


def _exit_with(problems: Sequence[Problem], what: str) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    count = len(problems)
    click.echo(
        f"boiler demo: {count} problem{'s' if count != 1 else ''} in {what}; nothing was started",
        err=True,
    )
    raise SystemExit(1)


@contextmanager
def _running(
    manifest: Manifest,
    manifest_path: Path,
    page_dir: Path | None,
    page_port: int,
    console: _Console,
) -> Iterator[tuple[LocalRuntime, str | None]]:
    """The emulator, the triggers and the live page, stopped however the block ends."""
    with (
        stop_on_signals(),
        local_runtime(manifest, manifest_path, env=os.environ, on_record=console.on_record) as rt,
        live_page(rt, page_folder(manifest_path, page_dir), page_port) as page,
    ):
        yield rt, page


@contextmanager
def _client(runtime: LocalRuntime) -> Iterator[Client]:
    set_client_environment(runtime)
    client = firestore_client(runtime.project)
    try:
        yield client
    finally:
        client.close()  # type: ignore[no-untyped-call]


# -- a story ---------------------------------------------------------------------------------


def _play(
    story: Story,
    runtime: LocalRuntime,
    client: Client,
    console: _Console,
    run: _Run,
    timeout: float,
) -> None:
    with ViewListener(client.document(story.watch)) as listener:
        initial = listener.start(timeout)
        console.echo()
        console.echo(f"Watching {story.watch} (view {story.view}) with on_snapshot, as a front end")
        console.echo(f"would: {'it does not exist yet' if initial.data is None else 'it exists'}.")
        if initial.data is not None:
            for line in _fields(neutral(initial.data), story, console.verbose):
                console.echo(f"    {line}")
        for number, step in enumerate(story.steps, 1):
            _play_step(number, step, story, runtime, client, listener, console, run, timeout)


def _play_step(
    number: int,
    step: Step,
    story: Story,
    runtime: LocalRuntime,
    client: Client,
    listener: ViewListener,
    console: _Console,
    run: _Run,
    timeout: float,
) -> None:
    console.echo()
    console.echo(f"{number}. {step.title}")
    for line in step.describe_writes():
        for wrapped in textwrap.wrap(
            f"write: {line}", width=96, initial_indent="   ", subsequent_indent="     "
        ):
            console.echo(wrapped)
    if step.note:
        console.echo(f"   note: {step.note}")
    assert listener.last is not None
    shown = listener.last
    written = time.perf_counter()
    apply(client, step.writes)
    deadline = written + timeout
    what = f"step {number} ({step.title})"
    while step.expect is not None and step.expect.differences(neutral(shown.data)):
        update = listener.next(deadline - time.perf_counter())
        if update is None:
            missing = "; ".join(step.expect.differences(neutral(shown.data)))
            raise DemoFailed(f"{what}: after {timeout:g} s, {missing}")
        _show_update(console, update, shown, written, story, run)
        shown = update
    runtime.settle(timeout)
    current = client.document(story.watch).get()
    final_time = current.update_time if current.exists else None
    while shown.update_time != final_time:  # late snapshots of writes made before the settle
        update = listener.next(deadline - time.perf_counter())
        if update is None:
            raise DemoFailed(f"{what}: the listener never caught up with the view's last write")
        _show_update(console, update, shown, written, story, run)
        shown = update
    if step.expect is not None:
        console.echo(f"   ok: {_reached(step, story)}")
    watched = neutral(shown.data)
    for check in step.checks:
        compared = story.fields if check.same_as_watched else ()
        wrong = check.differences(read(client, check.path), watched, compared)
        if wrong:
            raise DemoFailed(f"{what}: {'; '.join(wrong)}")
        console.echo(f"   check: {check.describe()}")


def _reached(step: Step, story: Story) -> str:
    expect = step.expect
    assert expect is not None
    if expect.deleted:
        return f"{story.watch} is deleted"
    return f"{story.watch} shows {', '.join(expect.fields)} as expected"


def _show_update(
    console: _Console,
    update: ViewUpdate,
    before: ViewUpdate,
    written: float,
    story: Story,
    run: _Run,
) -> None:
    ms = (update.received - written) * 1000
    run.latencies.append(ms)
    lines = changes(
        neutral(before.data), neutral(update.data), story.fields, bookkeeping=console.verbose
    )
    console.echo(f"   view update received {ms:.0f} ms after the write: {lines[0]}")
    for line in lines[1:]:
        console.echo(f"     {line}")


def _fields(document: Document, story: Story, verbose: bool) -> list[str]:
    names = shown_fields(document, story.fields, bookkeeping=verbose)
    return [line for name in names for line in field_lines(document or {}, name)]


# -- no story: seed and show -----------------------------------------------------------------


def _show_seeded(
    manifest: Manifest,
    seeds: Sequence[Write],
    runtime: LocalRuntime,
    client: Client,
    console: _Console,
    timeout: float,
) -> None:
    console.echo()
    if not seeds:
        console.echo(f"Nothing to seed: no {SEED_FILE} beside views.yaml.")
    else:
        console.echo(f"Seeding the {len(seeds)} documents of {SEED_FILE}.")
        apply(client, seeds)
        runtime.settle(timeout)
    created = 0
    first: str | None = None
    for view in manifest.views.values():
        declared = tuple(name for name, _ in view.fields)
        sources = [(view.path.collection_path, False, view.path)]
        sources += [(copy.path.collection_id, True, copy.path) for copy in view.copies]
        for collection, group, template in sources:
            for path, data in view_documents(client, collection, group):
                if template.match(path) is None:
                    continue
                created += 1
                first = first or path
                console.echo(f"  {path} (view {view.name})")
                for name in shown_fields(data, declared, bookkeeping=console.verbose):
                    for line in field_lines(data or {}, name):
                        console.echo(f"      {line}")
    console.echo(f"{created} view document{'s' if created != 1 else ''} created.")
    console.echo()
    console.echo(_how_to_write_a_story(manifest, first))


def _how_to_write_a_story(manifest: Manifest, watched: str | None) -> str:
    example_view = next(iter(manifest.views.values()), None)
    watch = watched or (example_view.path.text if example_view else "VIEW/DOCUMENT")
    field_name = example_view.fields[0][0] if example_view and example_view.fields else "FIELD"
    return (
        f"To play a story, write {STORY_FILE} beside views.yaml ({STORY_HELP}), e.g.:\n"
        f"  watch: {watch}\n"
        "  steps:\n"
        f"    - title: Seed the app\n"
        f"      seed: {SEED_FILE}\n"
        f"    - title: What changes, in words\n"
        "      update: {DOMAIN/DOCUMENT: {FIELD: VALUE}}\n"
        f"      expect: {{{field_name}: VALUE}}"
    )


# -- the end ---------------------------------------------------------------------------------


def _stay(
    runtime: LocalRuntime,
    client: Client,
    seeds: Sequence[Write],
    page_url: str | None,
    console: _Console,
    timeout: float,
) -> None:
    """Seed again and keep everything running until Ctrl-C."""
    if seeds:
        apply(client, seeds)
        runtime.settle(timeout)
    console.echo()
    console.echo(
        f"Seeded again ({len(seeds)} documents); everything keeps running."
        if seeds
        else "Everything keeps running."
    )
    console.echo(f"  export FIRESTORE_EMULATOR_HOST={runtime.emulator_host}")
    if page_url is not None:
        console.echo(f"  live page: {page_url}")
    console.echo("Press Ctrl-C to stop.")
    try:
        while runtime.running():
            time.sleep(0.5)
    except KeyboardInterrupt:
        console.echo("\nboiler demo: stopping")
        return
    raise DemoFailed("a runtime process exited unexpectedly")


def _finish(console: _Console, run: _Run, pids: list[int], played: bool, stay: bool) -> None:
    left = [pid for pgid in pids for pid in group_members(pgid)]
    console.echo()
    timing = ""
    if run.latencies:
        timing = (
            f"{len(run.latencies)} view updates; domain write -> listener update: "
            f"min {min(run.latencies):.0f} ms, median {statistics.median(run.latencies):.0f} ms, "
            f"max {max(run.latencies):.0f} ms. "
        )
    console.echo(
        f"Done: {timing}{console.invocations} trigger invocations, {console.failed} failed."
    )
    console.echo(
        "Stopped the emulator and the dispatcher; "
        + (f"STILL RUNNING: {left}" if left else "no process of theirs is left.")
    )
    if played and not stay:
        console.echo(
            "Keep it running afterwards (with the live page, if built): `boiler demo --stay`."
        )
    if left or console.failed:
        raise SystemExit(1)
