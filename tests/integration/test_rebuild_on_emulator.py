"""``boiler verify`` and ``boiler backfill`` against the running emulator, as after ``make demo``.

The app's views are seeded through the generated triggers (``app_db``); the commands run in
process with ``FIRESTORE_EMULATOR_HOST`` pointing at the session's emulator, exactly as a developer
runs them in a second terminal next to ``boiler dev``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import meeting_room_app
import pytest
from click.testing import CliRunner, Result
from emulator_reads import MASTER, get, raw_views, update_times, views
from google.cloud.firestore import Client
from meeting_room.fixture import EXPECTED_MEETING_SESSION, fixture_documents

from boiler_core.cli import main
from boiler_core.dispatch import LocalRuntime
from boiler_core.engine import Engine
from boiler_core.manifest import load_manifest
from boiler_core.manifest.imports import importable_from
from boiler_core.rebuild import fingerprints, record_path
from boiler_core.rebuild.bulk import BulkBackfill
from boiler_core.store.codec import to_firestore
from boiler_core.store.firestore import FirestoreStore
from boiler_core.testing import visible

pytestmark = pytest.mark.integration

VIEWS_YAML = str(meeting_room_app.VIEWS_YAML)


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


def seed_generated(db: Client, meetings: int) -> int:
    """A deterministic meeting-room domain bigger than the fixture; returns its document count."""
    docs: dict[str, dict[str, Any]] = {}
    for i in range(3):
        docs[f"locations/l{i}"] = {"latitude": float(i), "longitude": 0.0, "address": f"{i} St"}
    for i in range(12):
        docs[f"users/u{i:02d}"] = {
            "first_name": f"F{i}",
            "last_name": "L",
            "organization": "O",
            "hearing_aid_requested": i % 4 == 0,
        }
    for m in range(meetings):
        members = sorted({(m * 5 + k * 7) % 12 for k in range(m % 4)})
        tickets = []
        for u in members:
            path = f"tickets/t{m:03d}_{u:02d}"
            user = db.document(f"users/u{u:02d}")
            docs[path] = {"role": "P", "user": user, "attendance": (m + u) % 3 != 0}
            tickets.append(db.document(path))
        docs[f"meetings/m{m:03d}"] = {
            "location": db.document(f"locations/l{m % 3}"),
            "users": [db.document(f"users/u{u:02d}") for u in members],
            "tickets": tickets,
            "status": ("not-started", "in-session", "closed")[m % 3],
        }
    batch = db.batch()
    for path, data in docs.items():
        batch.set(db.document(path), data)
    batch.commit()
    return len(docs)


def wipe_views(db: Client) -> None:
    batch = db.batch()
    for path in [
        *raw_views(db),
        *(s.reference.path for s in db.collection("_boiler_meta").stream()),
    ]:
        batch.delete(db.document(path))
    batch.commit()


class CountingStore(FirestoreStore):
    """A FirestoreStore counting the billed reads of listings with data and of lookups."""

    def __init__(self, client: Client) -> None:
        super().__init__(client)
        self.listed = 0
        self.looked_up = 0

    def list_documents(self, collection: str, *, after: str | None = None, limit: int = 300) -> Any:
        page = super().list_documents(collection, after=after, limit=limit)
        self.listed += len(page)
        return page

    def get_all(self, paths: Any) -> Any:
        self.looked_up += len(paths)
        return super().get_all(paths)

    def query(self, *args: Any) -> Any:
        found = super().query(*args)
        self.looked_up += max(1, len(found))
        return found


def test_bulk_backfill_equals_the_transactional_one_and_a_rerun_writes_nothing(
    firestore_client: Client,
) -> None:
    sources = seed_generated(firestore_client, 60)
    project = str(firestore_client.project)

    built = boiler("backfill", "--all", "--bulk", "--project", project, "--rate", "0")
    assert built.exit_code == 0, built.output
    assert f"bulk: 4 source collections to read once, {sources} documents" in built.stdout
    assert "stray sweep skipped" in built.stdout
    by_bulk = raw_views(firestore_client)
    assert len(by_bulk) > 60

    written = update_times(firestore_client)
    again = boiler("backfill", "--all", "--bulk", "--project", project, "--rate", "0")
    assert again.exit_code == 0, again.output
    assert "meeting_sessions: 60 roots, 0 written, 0 deleted" in again.stdout
    assert "user_profiles: 12 roots, 0 written, 0 deleted" in again.stdout
    assert update_times(firestore_client) == written
    assert boiler("verify", "--project", project).exit_code == 0

    wipe_views(firestore_client)
    classic = boiler("backfill", "--all", "--project", project, "--rate", "0")
    assert classic.exit_code == 0, classic.output
    assert raw_views(firestore_client) == by_bulk


def test_bulk_backfill_reads_each_source_document_exactly_once(firestore_client: Client) -> None:
    sources = seed_generated(firestore_client, 40)
    manifest = load_manifest(Path(VIEWS_YAML))
    store = CountingStore(firestore_client)
    with importable_from(Path(VIEWS_YAML).parent / "functions"):
        engine = Engine(manifest, store, log=lambda entry: None)
        job = BulkBackfill(engine, store, list(manifest.views), page_size=25, batch_size=30)
        job.count_sources()
        assert job.load() == sources
        prints = fingerprints(manifest)
        done = [job.run_view(name, prints[name]) for name in job.order]
    assert store.listed == sources
    assert store.looked_up == 0  # no view document, no source document read again
    assert all(d.existed == 0 and not d.swept for d in done)
    assert sum(d.created for d in done) == len(raw_views(firestore_client))


def test_bulk_backfill_creates_what_is_missing_and_recomputes_existing_roots(
    firestore_client: Client,
) -> None:
    seed_generated(firestore_client, 20)
    project = str(firestore_client.project)
    assert boiler("backfill", "--all", "--project", project, "--rate", "0").exit_code == 0
    expected = raw_views(firestore_client)
    stale, gone = "meeting_sessions/m003", "meeting_sessions/m005"
    firestore_client.document(stale).update({"address": "stale"})
    firestore_client.document(gone).delete()
    firestore_client.document("meeting_sessions/zzz").set({"inSession": True})

    built = boiler("backfill", "meeting_sessions", "--bulk", "--project", project, "--rate", "0")
    assert built.exit_code == 0, built.output
    assert "meeting_sessions: 20 roots, 2 written, 1 deleted" in built.stdout
    assert "bulk: 1 created" in built.stdout
    assert "stray sweep run" in built.stdout
    assert raw_views(firestore_client) == expected
