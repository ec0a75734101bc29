"""The integration tier: the official Firestore emulator, its trigger deliveries, real clients.

One :class:`~boiler_core.dispatch.LocalRuntime` serves the whole session: the emulator, and the
dispatcher running the generated ``functions/main.py`` of the tests' meeting-room app
(``meeting_room_project``, generated from tests/apps/meeting_room) for its ``demo-*`` project. A
missing emulator fails these tests loudly (``make test`` decides beforehand whether to run them).

Two projects share the emulator, each wiped per test through the reset endpoint:

* ``app_db``: the app's project, where every domain write runs the generated triggers, as
  deployed. View documents appear only through those deliveries; no test calls the engine.
* ``firestore_client``: a project without triggers, for tests of the storage adapter, whose
  writes must not wake the engine.

Both clients find the emulator through ``FIRESTORE_EMULATOR_HOST``, set with ``monkeypatch`` for
the test only. Waits are polls with a deadline (``wait_for``) or the runtime's ``settle()``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from google.cloud.firestore import Client

from boiler_core.cli.local import rules_file
from boiler_core.dispatch import Invocation, LocalRuntime, Record
from boiler_core.emulator import EmulatorAdmin, EmulatorNotFound, find_emulator
from boiler_core.emulator import wait_for as poll_until
from boiler_core.manifest import load_manifest

T = TypeVar("T")
WAIT_SECONDS = 20.0


class InvocationLog:
    """Every invocation the dispatcher reports, for assertions about what ran."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Invocation] = []

    def __call__(self, record: Record) -> None:
        if isinstance(record, Invocation):
            with self._lock:
                self._items.append(record)

    def since(self, start: int) -> list[Invocation]:
        """Invocations after the first ``start`` ones."""
        with self._lock:
            return self._items[start:]

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


@pytest.fixture(scope="session")
def invocation_log() -> InvocationLog:
    return InvocationLog()


@pytest.fixture(scope="session")
def runtime(
    tmp_path_factory: pytest.TempPathFactory,
    invocation_log: InvocationLog,
    meeting_room_project: Path,
) -> Iterator[LocalRuntime]:
    """The emulator and the dispatcher for the session (the tests' meeting-room app, generated),
    deliveries recorded; stopped at the end (also when tests fail or the run is interrupted)."""
    try:
        binary = find_emulator(os.environ)
    except EmulatorNotFound as exc:
        pytest.fail(f"integration tier needs the Firestore emulator: {exc}", pytrace=False)
    manifest = load_manifest(meeting_room_project / "views.yaml")
    local = LocalRuntime(
        binary,
        functions_dir=meeting_room_project / manifest.project.functions_dir,
        project=manifest.project.emulator_project_id,
        env=os.environ,
        workdir=tmp_path_factory.mktemp("runtime"),
        rules=rules_file(meeting_room_project),
        record=True,
        on_record=invocation_log,
    )
    with local:
        yield local


@pytest.fixture
def app_db(
    runtime: LocalRuntime, invocation_log: InvocationLog, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Client]:
    """A client on the app's project, wiped (and settled) before the test; the test fails when
    any trigger invocation during it raised."""
    if not runtime.running():
        pytest.fail(
            f"the local runtime is down:\n{runtime.dispatcher.recent_output()}", pytrace=False
        )
    runtime.reset()
    start = len(invocation_log)
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", runtime.emulator_host)
    client = Client(project=runtime.project)
    yield client
    client.close()  # type: ignore[no-untyped-call]
    failed = [i for i in invocation_log.since(start) if not i.ok]
    assert not failed, f"trigger invocations failed: {failed}\n{runtime.dispatcher.recent_output()}"


@pytest.fixture
def firestore_client(runtime: LocalRuntime, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    """A client on a wiped project of the same emulator that has no triggers registered."""
    project = f"{runtime.project}-store"
    EmulatorAdmin(runtime.emulator_host, project).reset()
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", runtime.emulator_host)
    client = Client(project=project)
    yield client
    client.close()  # type: ignore[no-untyped-call]


@pytest.fixture
def wait_for() -> Callable[..., Any]:
    """``wait_for(predicate, timeout=20)``: poll until ``predicate()`` is truthy, return it;
    fail with the last value at the deadline. Never a fixed sleep."""

    def wait(
        predicate: Callable[[], T], timeout: float = WAIT_SECONDS, what: str | None = None
    ) -> T:
        return poll_until(predicate, timeout, what=what)

    return wait
