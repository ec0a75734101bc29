"""No silent loss on the emulator, through the generated functions: an event whose first attempts
fail is handed to the retry function and brought up to date by a retry; an event whose every
attempt fails is declared dead on one ERROR line, recorded, and replayed by the backstop.

A local runtime of its own serves the tests' meeting-room app generated with short retries
(``SHORT_RETRIES``: 3 attempts, 1 to 2 seconds apart) and the test-only switch
``BOILER_TEST_UNFINISHED``, which fails the first attempts of the events of chosen documents
before the engine runs, as an unreachable database would. The dispatcher stands in for Cloud
Tasks: firebase-admin enqueues to it (``CLOUD_TASKS_EMULATOR_HOST``) and it runs the generated
``boilerRetry`` with Cloud Tasks' headers and backoff. The scheduled ``boilerBackstop`` is not
fired by any emulator: the test calls it, in this process, as Cloud Scheduler would.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import flask
import pytest
from google.cloud.firestore import Client
from meeting_room.fixture import fixture_documents
from meeting_room_app import SHORT_RETRIES, generated_project

from boiler_core.dispatch import Invocation, LocalRuntime, Record, Text
from boiler_core.emulator import find_emulator
from boiler_core.emulator import wait_for as poll_until
from boiler_core.manifest import load_manifest
from boiler_core.retry import BACKSTOP_FUNCTION, PENDING_COLLECTION, RETRY_FUNCTION
from boiler_core.retry.injection import VARIABLE
from boiler_core.store.codec import to_firestore
from boiler_core.store.firestore import FirestoreStore
from boiler_core.testing.oracle import expected_views, stored_views

pytestmark = pytest.mark.integration

PROJECT = "demo-boiler"
RETRIED = "users/ada"
"""A new user whose trigger and first retry fail; the second retry builds her profile."""
DEAD = "users/zed"
"""A new user every attempt for whom fails (the trigger and the 3 retries): dead, recorded, and
replayed by the backstop."""
VIEWS = ["meeting_sessions", "user_profiles"]
"""The views a user's change feeds: the switch fails them all."""
USER = {"first_name": "Ada", "last_name": "L", "organization": "X", "hearing_aid_requested": False}


class Seen:
    """The dispatcher's invocations and the retry lines of the functions' output."""

    def __init__(self) -> None:
        self.invocations: list[Invocation] = []
        self.lines: list[dict[str, object]] = []

    def __call__(self, record: Record) -> None:
        if isinstance(record, Invocation):
            self.invocations.append(record)
        elif isinstance(record, Text) and record.line.startswith("{"):
            entry = json.loads(record.line)
            if isinstance(entry, dict) and isinstance(entry.get("boiler"), dict):
                self.lines.append(entry)

    def keyed(self, key: str) -> list[dict[str, object]]:
        return [e for e in self.lines if key in e["boiler"]]  # type: ignore[operator]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_project(tmp_path_factory.mktemp("retries") / "app", project=SHORT_RETRIES)


@pytest.fixture(scope="module")
def served(
    app: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LocalRuntime, Seen]]:
    seen = Seen()
    env = {**os.environ, VARIABLE: f"{RETRIED}:2,{DEAD}:99"}
    with LocalRuntime(
        find_emulator(os.environ),
        functions_dir=app / "functions",
        project=PROJECT,
        env=env,
        workdir=tmp_path_factory.mktemp("runtime"),
        on_record=seen,
    ) as runtime:
        yield runtime, seen


@pytest.fixture
def db(served: tuple[LocalRuntime, Seen], monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    runtime, _ = served
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", runtime.emulator_host)
    client = Client(project=PROJECT)
    yield client
    client.close()  # type: ignore[no-untyped-call]


def exact(app: Path, store: FirestoreStore) -> bool:
    manifest = load_manifest(app / "views.yaml")
    return stored_views(manifest, store) == expected_views(manifest, store)


def generated_main(app: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("retries_main", app / "functions" / "main.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_failed_event_is_retried_to_exact_views_and_a_dead_one_replayed_by_the_backstop(
    app: Path, served: tuple[LocalRuntime, Seen], db: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime, seen = served
    store = FirestoreStore(db)
    for path, data in fixture_documents().items():
        db.document(path).set(to_firestore(data, db))
    runtime.settle()
    for path in (RETRIED, DEAD):
        db.document(path).set(USER)

    def retried() -> bool:
        done = [i for i in seen.invocations if i.function == RETRY_FUNCTION and i.ok]
        return any(i.document == RETRIED for i in done)

    poll_until(retried, 60, what=f"a retry of {RETRIED} that succeeds")
    attempts = [i for i in seen.invocations if i.document == RETRIED]
    assert [(i.function, i.ok) for i in attempts] == [
        ("on_users_written", True),  # it handed its unfinished views over: no failure
        (RETRY_FUNCTION, False),  # the first retry failed too: HTTP 503, retried
        (RETRY_FUNCTION, True),
    ]
    [queued] = [e for e in seen.keyed("retry") if e["boiler"]["doc"] == "ada"]  # type: ignore[index]
    assert queued["boiler"]["retry"]["views"] == VIEWS  # type: ignore[index]
    assert db.document("user_profiles/ada").get().exists

    def dead() -> list[dict[str, object]]:
        return seen.keyed("dead_event")

    [line] = poll_until(dead, 60, what=f"the dead event of {DEAD}")
    record = line["boiler"]["dead_event"]  # type: ignore[index]
    assert line["severity"] == "ERROR"
    assert record["document"] == DEAD
    assert record["views"] == VIEWS
    assert record["attempts"] == 3
    assert record["repair"] == "boiler verify --repair meeting_sessions user_profiles"
    assert str(record["reason"]).startswith("StoreError: BOILER_TEST_UNFINISHED fails attempt")
    assert record["recorded"].startswith(PENDING_COLLECTION + "/")
    runtime.settle()
    assert not db.document("user_profiles/zed").get().exists  # its event is dead
    assert not exact(app, store)

    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)  # as a deployed function's environment
    main = generated_main(app)  # as deployed, in this process (no switch here)
    with flask.Flask("cloud-scheduler").test_request_context("/", method="POST"):
        response = getattr(main, BACKSTOP_FUNCTION)(flask.request)
    assert response.status_code == 200
    assert exact(app, store)
    assert db.collection(PENDING_COLLECTION).get() == []
