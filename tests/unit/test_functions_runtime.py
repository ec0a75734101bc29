"""The generated triggers at run time: SDK events in, engine :class:`Change` objects out.

Events are built the way the Firestore emulator and production deliver them: a
``cloudevents.http.CloudEvent`` carrying a protobuf ``DocumentEventData``. The SDK demands
``FIRESTORE_EMULATOR_HOST`` to decode one without credentials, and a project id for the
references inside it; nothing connects to it. The engine is a recorder injected through
:meth:`Triggers.use_engine` or the ``engine_factory`` seam.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import flask
import pytest
from cloudevents.http import CloudEvent
from firebase_functions import firestore_fn
from google.events.cloud.firestore import (
    ArrayValue,
    Document,
    DocumentEventData,
    MapValue,
    Value,
)
from google.protobuf.timestamp_pb2 import Timestamp

from boiler_core.documents import Ref
from boiler_core.engine.change import Change
from boiler_core.engine.engine import Engine
from boiler_core.errors import ManifestError, NotQueued, StoreError, Unfinished
from boiler_core.functions_runtime import DeployedApi, Triggers, WrittenEvent, firestore_engine
from boiler_core.manifest import Manifest
from boiler_core.retry import PendingEvents, RetryTask
from boiler_core.retry.policy import RETRY_COUNT_HEADER
from boiler_core.store.firestore import FirestoreStore
from boiler_core.store.memory import MemoryStore

PROJECT = "demo-boiler"
DOCUMENTS = f"projects/{PROJECT}/databases/(default)/documents"
WHEN = datetime(2026, 11, 2, 9, 30, 0, 250000, tzinfo=UTC)


class Recorder:
    """An engine that only remembers what it was asked to handle (and the views asked for)."""

    def __init__(self) -> None:
        self.changes: list[Change] = []
        self.views: list[tuple[str, ...] | None] = []

    def handle(self, change: Change, *, views: Collection[str] | None = None) -> None:
        self.changes.append(change)
        self.views.append(None if views is None else tuple(views))


class Unreachable(Recorder):
    """An engine whose store cannot be reached: every view it is asked for stays unfinished."""

    def handle(self, change: Change, *, views: Collection[str] | None = None) -> None:
        super().handle(change, views=views)
        error = StoreError("503 the database is unavailable")
        left = tuple(views) if views is not None else ("meeting_sessions", "user_profiles")
        raise Unfinished("unfinished", views=left, errors=dict.fromkeys(left, error)) from error


class Queue:
    """A retry queue that keeps the tasks it is given."""

    def __init__(self) -> None:
        self.tasks: list[dict[str, Any]] = []

    def enqueue(self, data: Mapping[str, Any], *, delay_seconds: int) -> str:
        self.tasks.append(json.loads(json.dumps(dict(data))))
        return str(len(self.tasks))


@pytest.fixture(autouse=True)
def emulator_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)


@pytest.fixture
def functions_dir(meeting_room_project: Path) -> Path:
    """The functions folder of the generated meeting-room app."""
    return meeting_room_project / "functions"


@pytest.fixture
def main(functions_dir: Path) -> ModuleType:
    """A fresh import of the generated functions/main.py (not registered in sys.modules)."""
    spec = importlib.util.spec_from_file_location("generated_main", functions_dir / "main.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def engine(main: ModuleType) -> Recorder:
    recorder = Recorder()
    main.triggers.use_engine(recorder)
    return recorder


def value(data: Any) -> Value:
    """A Firestore protobuf value; Ref becomes a reference into the test project."""
    if isinstance(data, Ref):
        return Value(reference_value=f"{DOCUMENTS}/{data.path}")
    if isinstance(data, bool):
        return Value(boolean_value=data)
    if isinstance(data, int):
        return Value(integer_value=data)
    if isinstance(data, str):
        return Value(string_value=data)
    if isinstance(data, list):
        return Value(array_value=ArrayValue(values=[value(v) for v in data]))
    if isinstance(data, dict):
        return Value(map_value=MapValue(fields={k: value(v) for k, v in data.items()}))
    raise TypeError(data)


def written(
    path: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    event_id: str = "ev-1",
    *,
    times: tuple[Timestamp | None, Timestamp | None] = (None, None),
) -> CloudEvent:
    """A ``document.v1.written`` CloudEvent for ``path`` as the emulator delivers it (with the
    documents' update times before and after when ``times`` gives them)."""

    def doc(data: dict[str, Any] | None, updated: Timestamp | None) -> Document | None:
        if data is None:
            return None
        fields = {k: value(v) for k, v in data.items()}
        if updated is None:
            return Document(name=f"{DOCUMENTS}/{path}", fields=fields)
        return Document(name=f"{DOCUMENTS}/{path}", fields=fields, update_time=updated)

    payload = DocumentEventData(value=doc(after, times[1]), old_value=doc(before, times[0]))
    attributes = {
        "type": "google.cloud.firestore.document.v1.written",
        "source": f"//firestore.googleapis.com/projects/{PROJECT}/databases/(default)",
        "subject": f"documents/{path}",
        "id": event_id,
        "time": WHEN.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/protobuf",
        "location": "us-central1",
        "project": PROJECT,
        "database": "(default)",
        "namespace": "(default)",
        "document": path,
    }
    return CloudEvent(attributes, DocumentEventData.serialize(payload))


MEETING = {
    "status": "in-session",
    "location": Ref("locations/room_a"),
    "users": [Ref("users/ada"), Ref("users/bob")],
    "tickets": [],
    "notes": {"by": Ref("users/ada"), "tags": ["x", {"who": Ref("users/bob")}]},
    "size": 3,
}


def test_a_create_reaches_the_engine_as_a_change_with_refs(
    main: ModuleType, engine: Recorder
) -> None:
    main.on_meetings_written(written("meetings/m1", None, MEETING, "ev-create"))
    assert engine.changes == [
        Change("meetings", "m1", before=None, after=MEETING, event_id="ev-create", time=WHEN)
    ]


def test_an_update_carries_before_and_after(main: ModuleType, engine: Recorder) -> None:
    before = {"first_name": "Ada", "meetings": [Ref("meetings/m1")]}
    after = {"first_name": "Ada L.", "meetings": []}
    main.on_users_written(written("users/ada", before, after))
    (change,) = engine.changes
    assert (change.collection, change.doc_id) == ("users", "ada")
    assert change.before == before
    assert change.after == after


def test_a_delete_has_no_after(main: ModuleType, engine: Recorder) -> None:
    main.on_tickets_written(written("tickets/t9", {"attendance": True}, None))
    (change,) = engine.changes
    assert change.path == "tickets/t9"
    assert change.before == {"attendance": True}
    assert change.after is None


def test_triggers_build_the_engine_once_on_the_first_event(
    main: ModuleType, functions_dir: Path
) -> None:
    calls: list[tuple[Manifest, str | None]] = []
    recorder = Recorder()

    def factory(manifest: Manifest, project: str | None) -> Recorder:
        calls.append((manifest, project))
        return recorder

    triggers = Triggers(main.MANIFEST, base_dir=functions_dir, engine_factory=factory)

    @firestore_fn.on_document_written(document="locations/{location}")
    def on_locations_written(event: WrittenEvent) -> None:
        triggers.on_written("locations", event)

    assert calls == []
    on_locations_written(written("locations/room_a", None, {"address": "1 Main St"}))
    on_locations_written(written("locations/room_b", None, {"address": "2 Main St"}))
    assert [project for _, project in calls] == [PROJECT]
    assert calls[0][0] == main.triggers.manifest
    assert [c.doc_id for c in recorder.changes] == ["room_a", "room_b"]


def test_an_event_outside_the_trigger_collection_is_refused(main: ModuleType) -> None:
    main.triggers.use_engine(Recorder())
    with pytest.raises(ValueError, match="'users/ada', which is not a document of source"):
        main.on_meetings_written(written("users/ada", None, {"first_name": "Ada"}))


def test_the_embedded_manifest_names_the_folder_of_main_py_as_functions_dir(
    main: ModuleType, functions_dir: Path
) -> None:
    assert main.triggers.manifest.project.functions_dir == "."
    assert main.triggers.base_dir == functions_dir


def test_a_broken_embedded_manifest_fails_at_import_naming_main_py(functions_dir: Path) -> None:
    with pytest.raises(ManifestError, match=r"views.yaml \(embedded in main.py\):\d+:\d+"):
        Triggers("collections: {}\nviews: {v: {path: v/{x}}}\n", base_dir=functions_dir)


def test_the_default_engine_runs_on_firestore_without_connecting(main: ModuleType) -> None:
    engine = firestore_engine(main.triggers.manifest, "demo-other")
    assert isinstance(engine, Engine)
    assert isinstance(engine.store, FirestoreStore)
    assert engine.store.client.project == "demo-other"


LAZY_API_PROBE = """
import sys
sys.path.insert(0, ".")
import flask
import main
print("http loaded at import:", "boiler_core.http" in sys.modules)
app = flask.Flask("probe")
with app.test_request_context("/openapi.json", method="GET"):
    response = main.api(flask.request)
print("first request:", response.status_code, "boiler_core.http.api" in sys.modules)
"""


def test_main_py_builds_its_http_api_on_the_first_request_not_at_import(
    functions_dir: Path,
) -> None:
    # a fresh interpreter, as an instance starting: the triggers' cold start never loads the
    # HTTP layer; the api function loads it when its first request comes
    env = {**os.environ, "FIRESTORE_EMULATOR_HOST": "127.0.0.1:9", "GOOGLE_CLOUD_PROJECT": PROJECT}
    done = subprocess.run(
        [sys.executable, "-P", "-c", LAZY_API_PROBE],
        cwd=functions_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if not line.startswith("{")]  # logs
    assert lines == ["http loaded at import: False", "first request: 200 True"]


def test_the_deployed_api_is_built_once_for_concurrent_first_requests(
    main: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    from boiler_core.http import factory

    builds: list[Path] = []

    def counting(manifest: Manifest, *, base_dir: Path) -> Any:
        builds.append(base_dir)
        time.sleep(0.05)  # a slow first build: the other requests arrive meanwhile
        return real(manifest, base_dir=base_dir)

    real = factory.deployed_api
    monkeypatch.setattr(factory, "deployed_api", counting)
    api = DeployedApi(main.triggers.manifest, base_dir=main.triggers.base_dir)
    app = flask.Flask("probe")
    statuses: list[int] = []

    def ask() -> None:
        with app.test_request_context("/openapi.json", method="GET"):
            statuses.append(api.handle(flask.request).status_code)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ask()
    assert statuses == [200] * 5
    assert builds == [main.triggers.base_dir]


CLOSED = {**MEETING, "status": "closed"}


def cloud_tasks(function: Any, data: Any, retry_count: int) -> Any:
    """Call a generated task-queue function as Cloud Tasks does: a POST of ``{"data": ...}`` with
    its retry count header."""
    app = flask.Flask("cloud-tasks")
    headers = {RETRY_COUNT_HEADER: str(retry_count)}
    with app.test_request_context("/", method="POST", json={"data": data}, headers=headers):
        return function(flask.request)


def test_a_trigger_hands_what_it_left_unfinished_to_the_retry_function(
    main: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    queue = Queue()
    main.triggers.use_engine(Unreachable())
    main.triggers.use_retries(queue=queue)
    main.on_meetings_written(written("meetings/m1", MEETING, CLOSED, "ev-close"))  # no raise
    [data] = queue.tasks
    task = RetryTask.from_data(data)
    assert task.views == ("meeting_sessions", "user_profiles")
    assert (task.change.before, task.change.after, task.change.event_id) == (
        MEETING,
        CLOSED,
        "ev-close",
    )
    assert '"retry": {"document": "meetings/m1"' in capsys.readouterr().out


def test_without_a_cloud_tasks_emulator_beside_the_firestore_one_the_trigger_raises(
    main: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    main.triggers.use_engine(Unreachable())  # the default queue: Cloud Tasks via firebase-admin
    with pytest.raises(NotQueued, match="no Cloud Tasks emulator is named"):
        main.on_meetings_written(written("meetings/m1", MEETING, CLOSED))
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines() if "not_queued" in x]
    assert line["severity"] == "ERROR"
    assert line["boiler"]["not_queued"]["repair"] == (
        "boiler verify --repair meeting_sessions user_profiles"
    )


def test_the_retry_function_redoes_the_tasks_views_as_cloud_tasks_calls_it(
    main: ModuleType, engine: Recorder
) -> None:
    change = Change("meetings", "m1", MEETING, CLOSED, event_id="ev-close", time=WHEN)
    task = RetryTask(change, ("meeting_sessions",), reason="r", failed_at=WHEN)
    response = cloud_tasks(main.boilerRetry, task.to_data(), retry_count=0)
    assert response.status_code == 200
    assert engine.changes == [change]
    assert engine.views == [("meeting_sessions",)]


def test_the_retry_function_answers_503_while_attempts_remain_and_200_on_the_last(
    main: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    store = MemoryStore()
    main.triggers.use_engine(Unreachable())
    main.triggers.use_retries(queue=Queue(), pending=PendingEvents(store, lambda: WHEN))
    change = Change("meetings", "m1", MEETING, CLOSED, event_id="ev-close", time=WHEN)
    data = RetryTask(change, ("meeting_sessions",), reason="r", failed_at=WHEN).to_data()
    settings = main.triggers.manifest.project.retry
    assert cloud_tasks(main.boilerRetry, data, retry_count=0).status_code == 503
    out = capsys.readouterr().out
    assert "Unhandled error" not in out  # the attempt's WARNING line says it, not the SDK
    assert '"outcome": "failed"' in out
    last = cloud_tasks(main.boilerRetry, data, retry_count=settings.max_attempts - 1)
    assert last.status_code == 200  # Cloud Tasks stops: the event is dead, and said so
    [dead] = [json.loads(x) for x in capsys.readouterr().out.splitlines() if "dead_event" in x]
    assert dead["boiler"]["dead_event"]["recorded"] in store.dump()


def test_the_backstop_function_replays_what_was_recorded(
    main: ModuleType, engine: Recorder
) -> None:
    store = MemoryStore()
    pending = PendingEvents(store, lambda: WHEN)
    main.triggers.use_retries(queue=Queue(), pending=pending)
    change = Change("meetings", "m1", MEETING, CLOSED, event_id="ev-close", time=WHEN)
    pending.record(RetryTask(change, ("meeting_sessions",), reason="r", failed_at=WHEN))
    app = flask.Flask("cloud-scheduler")
    with app.test_request_context("/", method="POST"):
        response = main.boilerBackstop(flask.request)
    assert response.status_code == 200
    assert engine.changes == [change]
    assert engine.views == [("meeting_sessions",)]
    assert store.dump() == {}
