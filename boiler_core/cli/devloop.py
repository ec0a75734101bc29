"""``boiler dev``'s watch-and-reload loop and its console.

:class:`DevLoop` polls the watched files (:mod:`boiler_core.devloop.watch`) a few times a second.
When a save is complete (two looks in a row agree), it checks views.yaml and regenerates
(:func:`~boiler_core.devloop.rebuild.rebuild`), swaps the security rules when they changed,
and reloads the functions (:meth:`LocalRuntime.reload`); it prints one line saying what reloaded
and how long it took. Problems are printed as ``file:line:col`` and change nothing: the last good
version keeps serving, and the emulator keeps its data throughout.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import click

from boiler_core.cli.local import format_record
from boiler_core.devloop.rebuild import Rebuilt, Rejected, rebuild
from boiler_core.devloop.watch import Snapshot, WatchedFiles, describe_changes
from boiler_core.dispatch import Invocation, LocalRuntime, Record
from boiler_core.dispatch.records import Failed, Ready
from boiler_core.emulator import DispatcherFailed, LocalRuntimeError
from boiler_core.manifest import Manifest

POLL_SECONDS = 0.25
"""How often the watched files are looked at."""

QUIET_SECONDS = 0.05
"""A change is acted on once two looks this far apart agree (editors save in several steps)."""

RESTART_SETTINGS = ("emulator_project_id", "region", "functions_dir")
"""``project:`` settings the running runtime was started with: a change needs a restart."""


class Console:
    """Whole lines to the terminal from the main thread and the dispatcher's reader thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def line(self, text: str, *, stamp: bool = False, err: bool = False) -> None:
        """Print ``text``; with ``stamp`` after the time of day, as invocations are."""
        prefix = time.strftime("%H:%M:%S ") if stamp else ""
        with self._lock:
            click.echo(prefix + text, err=err)


class DevLoop:
    """Watches ``manifest_path`` and the app's Python files; reloads ``runtime`` on a change."""

    def __init__(
        self,
        runtime: LocalRuntime,
        manifest_path: Path,
        manifest: Manifest,
        console: Console,
        *,
        rules: Path | None = None,
    ) -> None:
        self.runtime = runtime
        self.manifest_path = manifest_path
        self.manifest = manifest
        self.console = console
        self.rules = rules.resolve() if rules is not None else None
        self.root = manifest_path.resolve().parent
        self.functions_dir = self.root / manifest.project.functions_dir
        self.watched = WatchedFiles(
            manifest_path.resolve(),
            self.functions_dir.resolve(),
            frozenset({(self.functions_dir / "main.py").resolve()}),
        )
        self.snapshot = self.watched.snapshot()
        self.loaded_at = time.strftime("%H:%M:%S")
        self.reloads = 0
        """Reloads that served new functions."""

    def describe(self) -> str:
        """The console line saying what is watched."""
        count = len(self.snapshot.stamps) - (1 if self.watched.manifest.is_file() else 0)
        folder = describe_changes([self.functions_dir], Path.cwd())
        return (
            f"  watching            {describe_changes([self.watched.manifest], Path.cwd())} "
            f"and {count} Python file{'s' if count != 1 else ''} under {folder}/ "
            "(save one: boiler checks, regenerates and reloads the functions)"
        )

    def run(self) -> None:
        """Watch until a runtime process exits."""
        while self.runtime.running():
            time.sleep(POLL_SECONDS)
            self.poll()

    def poll(self) -> bool:
        """Look at the watched files once; on a complete change, act on it. True if it did."""
        later = self.watched.snapshot()
        if later == self.snapshot:
            return False
        later = self._quiet(later)
        changed = self.snapshot.changes(later)
        self.snapshot = later
        if not changed:
            return False
        self.apply(changed)
        return True

    def _quiet(self, snapshot: Snapshot) -> Snapshot:
        while True:
            time.sleep(QUIET_SECONDS)
            again = self.watched.snapshot()
            if again == snapshot:
                return snapshot
            snapshot = again

    def apply(self, changed: list[Path]) -> None:
        """Check, regenerate and reload after ``changed`` files were saved; print the outcome.
        Whatever fails is printed in one line; the loop goes on watching."""
        what = describe_changes(changed, Path.cwd())
        try:
            self._apply(changed, what)
        except (LocalRuntimeError, OSError) as exc:
            self.console.line(f"{what} saved, but the reload failed: {exc}", stamp=True, err=True)

    def _apply(self, changed: list[Path], what: str) -> None:
        started = time.monotonic()
        outcome = rebuild(self.manifest_path, self.functions_dir)
        if isinstance(outcome, Rejected):
            self._rejected(what, outcome)
            return
        self._swap_rules(outcome)
        if changed == [self.watched.manifest] and not outcome.written:
            self.console.line(f"{what} saved: the generated files are unchanged", stamp=True)
            self.manifest = outcome.manifest
            return
        try:
            ready = self.runtime.reload()
        except DispatcherFailed as exc:
            self._unloadable(what, exc)
            return
        self.reloads += 1
        self.loaded_at = time.strftime("%H:%M:%S")
        self._reloaded(what, outcome, ready, time.monotonic() - started)

    def _swap_rules(self, outcome: Rebuilt) -> None:
        if self.rules is None:
            return
        if any((self.root / written).resolve() == self.rules for written in outcome.written):
            self.runtime.emulator.admin.set_rules(self.rules.read_text(encoding="utf-8"))

    def _rejected(self, what: str, outcome: Rejected) -> None:
        for problem in outcome.problems:
            self.console.line(str(problem), err=True)
        count = len(outcome.problems)
        self.console.line(
            f"{what} saved with {count} problem{'s' if count != 1 else ''}: nothing reloaded, "
            f"the version loaded at {self.loaded_at} keeps serving",
            stamp=True,
        )

    def _unloadable(self, what: str, exc: DispatcherFailed) -> None:
        if exc.location is not None:
            file, line, column = exc.location
            self.console.line(
                f"{describe_changes([Path(file)], Path.cwd())}:{line}:{column}: error: "
                f"{exc.reason}",
                err=True,
            )
        else:
            self.console.line(f"error: {exc.reason}", err=True)
        self.console.line(
            f"{what} saved, but the functions could not be loaded (traceback in "
            f"{self.runtime.dispatcher_log}): the version loaded at {self.loaded_at} keeps "
            "serving",
            stamp=True,
        )

    def _reloaded(self, what: str, outcome: Rebuilt, ready: Ready, seconds: float) -> None:
        parts = [f"reloaded in {seconds:.2f} s: {what} changed"]
        if outcome.written:
            parts.append(f"wrote {', '.join(outcome.written)}")
        added = sorted(set(outcome.manifest.views) - set(self.manifest.views))
        removed = sorted(set(self.manifest.views) - set(outcome.manifest.views))
        if added or removed:
            views = [f"+{name}" for name in added] + [f"-{name}" for name in removed]
            parts.append(f"views {' '.join(views)}")
        count, pid = len(ready.triggers), self.runtime.dispatcher.pid
        parts.append(f"{count} trigger{'s' if count != 1 else ''}, dispatcher pid {pid}")
        self.console.line("; ".join(parts), stamp=True)
        restart = [
            f"project.{name}"
            for name in RESTART_SETTINGS
            if getattr(outcome.manifest.project, name) != getattr(self.manifest.project, name)
        ]
        if restart:
            self.console.line(
                f"  {', '.join(restart)} changed: restart boiler dev for "
                f"{'it' if len(restart) == 1 else 'them'} to take effect"
            )
        if added:
            self.console.line(
                "  new views fill in as their documents are written; for the documents already "
                f"there: FIRESTORE_EMULATOR_HOST={self.runtime.emulator_host} "
                f"boiler backfill -f {describe_changes([self.watched.manifest], Path.cwd())} "
                "--changed"
            )
        self.manifest = outcome.manifest


class InvocationLines:
    """The dev console's ``on_record``: one line per invocation and HTTP request; the first
    failed invocation also says where its traceback is."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.log: Path | None = None
        """The dispatcher log, named once a runtime runs."""
        self._told = False

    def __call__(self, record: Record) -> None:
        if isinstance(record, Failed):  # a reload that failed: the loop reports it, located
            return
        line = format_record(record)
        if line is None:
            return
        self.console.line(line, stamp=True)
        if isinstance(record, Invocation) and not record.ok and not self._told and self.log:
            self._told = True
            self.console.line(f"  (tracebacks of failed invocations go to {self.log})")
