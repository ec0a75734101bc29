"""A running app for a benchmark: the emulator plus the dispatcher serving one functions folder.

:func:`running_app` starts boiler's :class:`~boiler_core.dispatch.LocalRuntime` (the same local
runtime ``boiler dev`` and the integration tests use) for a functions folder, with every
invocation and its cost line collected in an :class:`Invocations` log, and a Firestore client on
the app's project. Everything it starts is stopped when the block ends, however it ends.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore import Client

from boiler_core.dispatch import Invocation, LocalRuntime, Record
from boiler_core.emulator import find_emulator

ROOT = Path(__file__).resolve().parents[1]


class Invocations:
    """Every invocation the dispatcher reports, with the time it arrived (``perf_counter``)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.items: list[tuple[float, Invocation]] = []

    def __call__(self, record: Record) -> None:
        if isinstance(record, Invocation):
            with self._changed:
                self.items.append((time.perf_counter(), record))
                self._changed.notify_all()

    def __len__(self) -> int:
        with self._changed:
            return len(self.items)

    def since(self, start: int) -> list[Invocation]:
        """Invocations after the first ``start``."""
        with self._changed:
            return [inv for _, inv in self.items[start:]]

    def wait_for(self, document: str, start: int, timeout: float) -> tuple[float, Invocation]:
        """The first invocation after ``start`` about ``document``, with its arrival time; waits
        for it with a deadline (TimeoutError)."""

        def found() -> tuple[float, Invocation] | None:
            return next((x for x in self.items[start:] if x[1].document == document), None)

        with self._changed:
            if not self._changed.wait_for(lambda: found() is not None, timeout):
                raise TimeoutError(f"no invocation for {document} within {timeout:g} s")
            hit = found()
            assert hit is not None
            return hit


@dataclass
class App:
    """A started runtime, its invocation log and a client on its project."""

    runtime: LocalRuntime
    invocations: Invocations
    db: Client

    def settle(self, timeout: float = 600.0) -> None:
        """Wait until every delivery queued so far has been handled."""
        self.runtime.settle(timeout)

    def client(self, project: str) -> Client:
        """Another client on the same emulator, for a project without triggers."""
        return Client(project=project, credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]


@contextmanager
def running_app(functions_dir: Path, project: str) -> Iterator[App]:
    """Start the emulator and the dispatcher for ``functions_dir``; stop both at the end."""
    binary = find_emulator(os.environ)
    log = Invocations()
    with tempfile.TemporaryDirectory(prefix="boiler-bench-") as workdir:
        runtime = LocalRuntime(
            binary,
            functions_dir=functions_dir,
            project=project,
            env=os.environ,
            workdir=Path(workdir),
            on_record=log,
            start_timeout=120.0,
        )
        with runtime:
            os.environ["FIRESTORE_EMULATOR_HOST"] = runtime.emulator_host
            db = Client(project=project, credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
            try:
                yield App(runtime, log, db)
            finally:
                db.close()  # type: ignore[no-untyped-call]


def cost_of(invocations: list[Invocation]) -> dict[str, Any]:
    """Reads, writes, deletes and queries of some invocations added up (missing lines count 0),
    with ``invocations`` and ``failed`` counts."""
    total: dict[str, Any] = {"reads": 0, "writes": 0, "deletes": 0, "queries": 0, "retries": 0}
    for invocation in invocations:
        for key in total:
            total[key] += int((invocation.cost or {}).get(key, 0))
    total["invocations"] = len(invocations)
    total["failed"] = sum(1 for i in invocations if not i.ok)
    return total
