"""Events lost where no boiler code ran, repaired by the backstop alone, on the emulator.

The session's runtime builds the tests' meeting-room app's views through its triggers. Then view
documents are changed directly, as lost events leave them (no trigger runs for a view
collection): a master deleted, a profile left stale, a master and a copy of a root that is gone.
The generated ``boilerBackstop`` of the same app, generated with ``verify_roots: 1``, is called
in this process as Cloud Scheduler would call it, run after run, with nothing else done in
between: every view ends exact, each repair on its WARNING line, each run on its summary line.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import flask
import pytest
from google.cloud.firestore import Client
from meeting_room.fixture import MEETING_ID, fixture_documents
from meeting_room_app import generated_project

from boiler_core.dispatch import LocalRuntime
from boiler_core.manifest import load_manifest
from boiler_core.rebuild.sweep import SWEEP_DOCUMENT
from boiler_core.retry import BACKSTOP_FUNCTION
from boiler_core.store.codec import to_firestore
from boiler_core.store.firestore import FirestoreStore
from boiler_core.testing.oracle import expected_views, stored_views

pytestmark = pytest.mark.integration

MASTER = f"meeting_sessions/{MEETING_ID}"
DAMAGE = {
    (MASTER, "missing"),
    ("user_profiles/joshua", "different"),
    ("meeting_sessions/gone", "extra"),
    ("users/joshua/meeting_sessions/gone", "extra"),
}
"""What the lost events left: each view document and the divergence the backstop must repair."""


def generated_main(app: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("sweep_main", app / "functions" / "main.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_backstop_alone_repairs_what_lost_events_left_and_reports_each_repair(
    runtime: LocalRuntime,
    app_db: Client,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = generated_project(tmp_path / "app", project={"backstop": "{verify_roots: 1}"})
    manifest = load_manifest(app / "views.yaml")
    store = FirestoreStore(app_db)
    for path, data in fixture_documents().items():
        app_db.document(path).set(to_firestore(data, app_db))
    runtime.settle()
    assert stored_views(manifest, store) == expected_views(manifest, store)

    app_db.document(MASTER).delete()
    app_db.document("user_profiles/joshua").update({"first_name": "Josh (stale)"})
    gone = app_db.document(f"users/joshua/{MASTER}").get().to_dict()
    app_db.document("meeting_sessions/gone").set({"status": "open"})
    app_db.document("users/joshua/meeting_sessions/gone").set(gone or {})
    assert stored_views(manifest, store) != expected_views(manifest, store)

    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", runtime.project)  # as deployed
    main = generated_main(app)
    capsys.readouterr()
    runs = 0
    while stored_views(manifest, store) != expected_views(manifest, store):
        assert runs < 8, "with verify_roots 1, at most 6 stored documents per view: 6 runs"
        with flask.Flask("cloud-scheduler").test_request_context("/", method="POST"):
            response = getattr(main, BACKSTOP_FUNCTION)(flask.request)
        assert response.status_code == 200
        runs += 1
    assert runs > 1  # one root and one stored document per view and run: it took slices

    lines = [json.loads(text) for text in capsys.readouterr().out.splitlines() if text[:1] == "{"]
    repaired = [line for line in lines if "repaired" in line["boiler"]]
    found = {
        (r["boiler"]["repaired"]["document"], r["boiler"]["repaired"]["kind"]) for r in repaired
    }
    assert found == DAMAGE
    assert all(line["severity"] == "WARNING" for line in repaired)
    assert all("an event was lost and has been repaired" in r["message"] for r in repaired)
    summaries: list[dict[str, Any]] = [
        line["boiler"]["backstop"] for line in lines if "backstop" in line["boiler"]
    ]
    assert len(summaries) == runs
    assert sum(s["repaired"] for s in summaries) == len(DAMAGE)
    assert all(s["roots"] == 2 and set(s["views"]) == set(manifest.views) for s in summaries)
    assert not [line for line in lines if "failed_root" in line["boiler"]]
    cursors = app_db.document(SWEEP_DOCUMENT).get().to_dict() or {}
    assert set(cursors["views"]) == set(manifest.views)
