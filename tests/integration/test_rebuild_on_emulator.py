"""``boiler verify`` and ``boiler backfill`` against the running emulator, as after ``make demo``.

The app's views are seeded through the generated triggers (``app_db``); the commands run in
process with ``FIRESTORE_EMULATOR_HOST`` pointing at the session's emulator, exactly as a developer
runs them in a second terminal next to ``boiler dev``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from emulator_reads import MASTER, get, views
from google.cloud.firestore import Client
from meeting_room.fixture import EXPECTED_MEETING_SESSION, fixture_documents

from boiler_core.cli import main
from boiler_core.dispatch import LocalRuntime
from boiler_core.rebuild import record_path
from boiler_core.store.firestore import FirestoreStore, to_firestore
from boiler_core.testing import visible

pytestmark = pytest.mark.integration

VIEWS_YAML = str(Path(__file__).resolve().parents[2] / "views.yaml")


def boiler(*args: str) -> Result:
    return CliRunner().invoke(main, [*args[:1], "-f", VIEWS_YAML, *args[1:]])


def seed(db: Client) -> None:
    batch = db.batch()
    for path, data in fixture_documents().items():
        batch.set(db.document(path), to_firestore(data, db))
    batch.commit()


def test_verify_after_seeding_through_triggers_then_repair_of_a_deleted_view(
    app_db: Client, runtime: LocalRuntime, wait_for: Callable[..., Any]
) -> None:
    seed(app_db)
    wait_for(lambda: len(views(app_db)) == 7, what="the 7 view documents of the fixture")
    runtime.settle()

    clean = boiler("verify")
    assert clean.exit_code == 0, clean.output
    assert f"Firestore emulator {runtime.emulator_host}, project {runtime.project}" in clean.stderr
    assert clean.stdout.endswith("0 divergences in 2 views\n")

    app_db.document(MASTER).delete()
    found = boiler("verify")
    assert found.exit_code == 1
    assert f"  missing    {MASTER}\n" in found.stdout

    repaired = boiler("verify", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "repaired: 1 written, 0 deleted" in repaired.stdout
    assert visible(get(app_db, MASTER) or {}) == EXPECTED_MEETING_SESSION
    assert boiler("verify").exit_code == 0


def test_backfill_builds_views_of_domain_data_written_without_triggers(
    firestore_client: Client,
) -> None:
    seed(firestore_client)  # this project has no triggers: no view exists yet
    project = str(firestore_client.project)
    assert views(firestore_client) == {}

    estimate = boiler("backfill", "--all", "--dry-run", "--project", project)
    assert estimate.exit_code == 0, estimate.output
    assert "meeting_sessions: 1 root, 0 view documents stored" in estimate.stdout
    assert views(firestore_client) == {}

    built = boiler("backfill", "--all", "--project", project, "--rate", "0")
    assert built.exit_code == 0, built.output
    assert "meeting_sessions: 1 root, 4 written, 0 deleted" in built.stdout
    assert visible(get(firestore_client, MASTER) or {}) == EXPECTED_MEETING_SESSION
    assert get(firestore_client, record_path("meeting_sessions")) is not None

    assert boiler("verify", "--project", project).exit_code == 0
    unchanged = boiler("backfill", "--changed", "--project", project)
    assert "all 2 views are built from their current definition" in unchanged.stdout


def test_listing_pages_by_cursor_over_a_collection_group(firestore_client: Client) -> None:
    batch = firestore_client.batch()
    for path in ["ms/m1", "ms/m2", "ms-x/a", "users/u1/ms/m1", "users/u2/ms/m1", "u/u1/o/m1"]:
        batch.set(firestore_client.document(path), {"x": 1})
    batch.commit()
    store = FirestoreStore(firestore_client)

    assert store.list_paths("ms", group=True, limit=3) == ["ms/m1", "ms/m2", "users/u1/ms/m1"]
    assert store.list_paths("ms", group=True, after="users/u1/ms/m1") == ["users/u2/ms/m1"]
    assert store.list_paths("ms") == ["ms/m1", "ms/m2"]
    assert store.list_paths("users/u1/ms") == ["users/u1/ms/m1"]
    assert (store.count("ms"), store.count("ms", group=True), store.count("none")) == (2, 4, 0)


def test_listing_documents_returns_their_data_after_the_cursor(firestore_client: Client) -> None:
    batch = firestore_client.batch()
    for number in (1, 2, 3):
        batch.set(firestore_client.document(f"ms/m{number}"), {"n": number})
    batch.commit()
    store = FirestoreStore(firestore_client)

    first = store.list_documents("ms", limit=2)
    assert [(doc.path, dict(doc.data)) for doc in first] == [
        ("ms/m1", {"n": 1}),
        ("ms/m2", {"n": 2}),
    ]
    assert [doc.path for doc in store.list_documents("ms", after="ms/m2")] == ["ms/m3"]
