"""The bulk backfill on the in-memory store: same documents as the transactional backfill, one
read per source document, existing documents never overwritten but recomputed in transactions."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from meeting_room.fixture import fixture_documents

from boiler_core.documents import Ref
from boiler_core.engine import Engine
from boiler_core.manifest import Manifest, load_manifest_text
from boiler_core.rebuild import Backfill, Checkpoint, RampingLimiter, fingerprints, read_records
from boiler_core.rebuild.bulk import BulkBackfill, BulkView
from boiler_core.rebuild.order import build_order, source_collections
from boiler_core.store.memory import MemoryStore
from boiler_core.testing.oracle import expected_views, stored_views


def generated_domain(meetings: int, users: int = 30, seed: int = 7) -> dict[str, dict[str, Any]]:
    """A random meeting-room domain: locations, users, meetings with members and tickets."""
    rng = random.Random(seed)
    docs: dict[str, dict[str, Any]] = {}
    for i in range(4):
        docs[f"locations/l{i}"] = {"latitude": float(i), "longitude": 1.0, "address": f"{i} St"}
    for i in range(users):
        docs[f"users/u{i:02d}"] = {
            "first_name": f"F{i}",
            "last_name": "L",
            "organization": "O",
            "hearing_aid_requested": rng.random() < 0.3,
        }
    for m in range(meetings):
        members = rng.sample(range(users), rng.randint(0, 4))
        tickets = []
        for u in members:
            path = f"tickets/t{m:03d}_{u:02d}"
            docs[path] = {
                "role": "P",
                "user": Ref(f"users/u{u:02d}"),
                "attendance": rng.random() < 0.7,
            }
            tickets.append(Ref(path))
        docs[f"meetings/m{m:03d}"] = {
            "location": Ref(f"locations/l{rng.randrange(4)}"),
            "users": [Ref(f"users/u{u:02d}") for u in members],
            "tickets": tickets,
            "status": rng.choice(["not-started", "in-session", "closed"]),
        }
    return docs


class CountingStore(MemoryStore):
    """A MemoryStore that counts the documents listed with their data (billed reads)."""

    def __init__(self, documents: Any = None) -> None:
        super().__init__(documents)
        self.listed = 0

    def list_documents(self, collection: str, *, after: str | None = None, limit: int = 300) -> Any:
        page = super().list_documents(collection, after=after, limit=limit)
        self.listed += len(page)
        return page


def bulk(manifest: Manifest, store: MemoryStore, **options: Any) -> dict[str, BulkView]:
    engine = Engine(manifest, store, log=lambda entry: None, chunk_size=7)
    job = BulkBackfill(
        engine,
        store,
        list(manifest.views),
        limiter=RampingLimiter(0),
        page_size=10,
        batch_size=9,
        writers=3,
        **options,
    )
    job.count_sources()
    job.load()
    prints = fingerprints(manifest)
    return {name: job.run_view(name, prints[name]) for name in job.order}


def transactional(manifest: Manifest, store: MemoryStore, tmp_path: Path) -> None:
    engine = Engine(manifest, store, log=lambda entry: None, chunk_size=7)
    checkpoint = Checkpoint(tmp_path / "checkpoint.json", "demo-test", fingerprints(manifest))
    job = Backfill(engine, store, checkpoint, limiter=RampingLimiter(0), page_size=10)
    for view in build_order(manifest, list(checkpoint.fingerprints)):  # as the CLI orders them
        job.run_view(view)


@pytest.mark.parametrize(
    "domain", [fixture_documents(), generated_domain(120)], ids=["fixture", "generated"]
)
def test_bulk_builds_the_same_documents_as_the_transactional_backfill(
    manifest: Manifest, tmp_path: Path, domain: dict[str, dict[str, Any]]
) -> None:
    by_bulk, by_transactions = MemoryStore(domain), MemoryStore(domain)
    results = bulk(manifest, by_bulk)
    transactional(manifest, by_transactions, tmp_path)
    assert stored_views(manifest, by_bulk) == stored_views(manifest, by_transactions)
    assert stored_views(manifest, by_bulk) == expected_views(manifest, by_bulk)
    assert all(not r.swept and r.existed == 0 and r.created == r.planned for r in results.values())
    assert sum(r.writes for r in results.values()) == len(stored_views(manifest, by_bulk))
    records = read_records(by_bulk, list(manifest.views))
    assert {v: r.fingerprint for v, r in records.items() if r} == fingerprints(manifest)
    assert by_bulk.dump().keys() == by_transactions.dump().keys()
    assert not [path for path, data in by_bulk.dump().items() if "_sources" in data]


def test_bulk_reads_each_source_document_once(manifest: Manifest) -> None:
    domain = generated_domain(80)
    store = CountingStore(domain)
    results = bulk(manifest, store)
    assert store.listed == len(domain)
    counts = 4 + 1 + 1  # COUNT aggregations: 4 source collections, 1 output source per view
    assert sum(r.reads for r in results.values()) == len(domain) + counts


def test_bulk_over_existing_views_overwrites_nothing_and_recomputes_their_roots(
    manifest: Manifest, tmp_path: Path
) -> None:
    domain = generated_domain(40)
    store = MemoryStore(domain)
    transactional(manifest, store, tmp_path)
    built = stored_views(manifest, store)
    stale = "meeting_sessions/m003"
    store.put(stale, {**built[stale], "address": "stale"})
    store.remove("meeting_sessions/m004")
    store.put("meeting_sessions/gone", {"inSession": True})  # a stray: its root does not exist
    writes = store.committed_writes

    results = bulk(manifest, store)
    assert stored_views(manifest, store) == expected_views(manifest, store)
    sessions = results["meeting_sessions"]
    assert sessions.created == 1  # only the missing master
    assert sessions.existed == sessions.planned - 1
    assert sessions.recomputed == 40
    assert sessions.swept
    assert sessions.deletes == 1
    assert sessions.writes == 1 + 1  # created m004, repaired m003 (its content differed)
    assert results["user_profiles"].writes == 0
    assert results["user_profiles"].swept
    assert store.committed_writes - writes == 2 + 1 + len(manifest.views)  # and build records


def test_a_partly_built_view_gets_the_missing_documents_created(
    manifest: Manifest, tmp_path: Path
) -> None:
    store = MemoryStore(generated_domain(30))
    transactional(manifest, store, tmp_path)
    expected = stored_views(manifest, store)
    for path in list(expected)[::3]:
        store.remove(path)
    bulk(manifest, store)
    assert stored_views(manifest, store) == expected


def test_bulk_orders_views_after_the_views_they_read(manifest: Manifest) -> None:
    assert source_collections(manifest.views["meeting_sessions"]) == (
        "meetings",
        "locations",
        "users",
        "tickets",
    )
    assert build_order(manifest, ["user_profiles", "meeting_sessions"]) == [
        "user_profiles",
        "meeting_sessions",
    ]


def test_create_all_creates_only_absent_documents() -> None:
    store = MemoryStore({"ms/a": {"n": 1}})
    assert store.create_all([("ms/a", {"n": 2}), ("ms/b", {"n": 2})]) == ["ms/a"]
    assert (store.doc("ms/a"), store.doc("ms/b")) == ({"n": 1}, {"n": 2})
    assert store.committed_writes == 1


LAYERED = """
version: 1
collections:
  posts: {path: "posts/{post}"}
  authors: {path: "authors/{author}"}
views:
  author_cards:
    path: "author_cards/{card}"
    root: post_pages
    joins:
      author: {collection: authors, ref: author}
    fields:
      headline: title
      by: author.name
  post_pages:
    path: "post_pages/{post}"
    root: posts
    fields:
      title: title
      author: author
"""


def test_a_view_of_a_view_is_built_from_the_planned_documents_of_the_view_it_reads(
    tmp_path: Path,
) -> None:
    layered = load_manifest_text(LAYERED)
    domain: dict[str, dict[str, Any]] = {"authors/ada": {"name": "Ada"}}
    for index in range(12):
        domain[f"posts/p{index:02d}"] = {"title": f"T{index}", "author": Ref("authors/ada")}
    by_bulk, by_transactions = CountingStore(domain), MemoryStore(domain)

    assert build_order(layered, list(layered.views)) == ["post_pages", "author_cards"]
    results = bulk(layered, by_bulk)
    transactional(layered, by_transactions, tmp_path)

    cards = stored_views(layered, by_bulk)
    assert cards == stored_views(layered, by_transactions)
    assert cards["author_cards/p03"]["headline"] == "T3"
    assert cards["author_cards/p03"]["by"] == "Ada"
    assert by_bulk.listed == len(domain)  # post_pages were fed from the plan, not listed
    assert results["author_cards"].created == 12
