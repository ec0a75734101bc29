"""No silent loss in Firebase's own emulators: an event whose first attempts fail is retried by
the Cloud Tasks emulator through the generated retry function, to exact views, with nobody
running anything; an event whose every attempt fails is declared dead, recorded, and replayed by
the generated backstop (no emulator fires schedules: the test calls it as Cloud Scheduler would).

The functions run with the test-only switch ``BOILER_TEST_UNFINISHED`` (tests/e2e/run.py,
``FAILING``): the trigger's invocation of ``users/e2e-retried`` and the first retry fail; every
attempt for ``users/e2e-dead`` fails. The app is generated with 3 attempts, 1 to 2 seconds apart.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import flask
from google.cloud.firestore import Client

from boiler_core.manifest import load_manifest
from boiler_core.retry import BACKSTOP_FUNCTION, PENDING_COLLECTION
from boiler_core.store.firestore import FirestoreStore
from boiler_core.testing.oracle import expected_views, stored_views

Wait = Callable[..., Any]
APP = Path(__file__).resolve().parents[2] / ".e2e" / "app"
USER = {
    "first_name": "E",
    "last_name": "Two",
    "organization": "E2E",
    "hearing_aid_requested": False,
}


def profile(db: Client, user: str) -> dict[str, Any] | None:
    snapshot = db.document(f"user_profiles/{user}").get()
    return snapshot.to_dict() if snapshot.exists else None


def pending(db: Client) -> list[dict[str, Any]]:
    return [snapshot.to_dict() or {} for snapshot in db.collection(PENDING_COLLECTION).get()]


def bundle_main() -> ModuleType:
    """The bundle's functions/main.py, imported in this process as an instance would."""
    spec = importlib.util.spec_from_file_location("bundle_main", APP / "functions" / "main.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_failed_event_is_retried_by_cloud_tasks_to_exact_views(
    db: Client, wait_for: Wait
) -> None:
    assert os.environ.get("CLOUD_TASKS_EMULATOR_HOST"), "the Cloud Tasks emulator is not running"
    db.document("users/e2e-retried").set(USER)
    built = wait_for(lambda: profile(db, "e2e-retried"), what="the profile, built by a retry")
    assert built["meetings"] == []
    manifest = load_manifest(APP / "views.yaml")
    store = FirestoreStore(db)
    assert stored_views(manifest, store) == expected_views(manifest, store)
    assert pending(db) == []


def test_a_dead_event_is_recorded_and_the_backstop_replays_it(db: Client, wait_for: Wait) -> None:
    db.document("users/e2e-dead").set(USER)
    [record] = wait_for(lambda: pending(db), what="the dead event's record")
    assert record["document"] == "users/e2e-dead"
    assert record["views"] == ["meeting_sessions", "user_profiles"]
    assert profile(db, "e2e-dead") is None

    main = bundle_main()
    with flask.Flask("cloud-scheduler").test_request_context("/", method="POST"):
        response = getattr(main, BACKSTOP_FUNCTION)(flask.request)
    assert response.status_code == 200
    assert profile(db, "e2e-dead") is not None
    assert pending(db) == []
    manifest = load_manifest(APP / "views.yaml")
    store = FirestoreStore(db)
    assert stored_views(manifest, store) == expected_views(manifest, store)
