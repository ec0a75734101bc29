"""Backfill on the in-memory store: full builds, strays swept, interrupted runs resumed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest
from delegating import Delegating
from meeting_room.fixture import MEETING_ID, fixture_documents

from boiler_core.engine import Engine
from boiler_core.manifest import Manifest
from boiler_core.rebuild import (
    Backfill,
    Checkpoint,
    RampingLimiter,
    fingerprints,
    read_records,
    record_path,
    stale_views,
)
from boiler_core.store.memory import MemoryStore
from boiler_core.store.port import Transaction
from boiler_core.testing.oracle import expected_views, stored_views

T = TypeVar("T")


def many_meetings(count: int) -> MemoryStore:
    """The fixture's users, tickets and location, and ``count`` copies of its meeting."""
    docs = fixture_documents()
    meeting = docs.pop(f"meetings/{MEETING_ID}")
    for i in range(count):
        docs[f"meetings/m{i:03d}"] = meeting
    return MemoryStore(docs)


def backfill(
    manifest: Manifest, store: Any, checkpoint: Checkpoint, views: Sequence[str] = ()
) -> list[str]:
    engine = Engine(manifest, store, log=lambda entry: None, chunk_size=4)
    job = Backfill(engine, store, checkpoint, limiter=RampingLimiter(0), page_size=10)
    for view in views or list(checkpoint.fingerprints):
        job.run_view(view)
    return list(checkpoint.fingerprints)


def new_checkpoint(manifest: Manifest, tmp_path: Path) -> Checkpoint:
    return Checkpoint(tmp_path / "checkpoint.json", "demo-test", fingerprints(manifest))


def test_backfill_builds_every_view_and_records_its_definition(
    manifest: Manifest, tmp_path: Path
) -> None:
    store = many_meetings(25)
    backfill(manifest, store, new_checkpoint(manifest, tmp_path))
    assert stored_views(manifest, store) == expected_views(manifest, store)
    assert len(store.paths("meeting_sessions/")) == 25
    records = read_records(store, list(manifest.views))
    assert stale_views(fingerprints(manifest), records) == {}
    assert records["meeting_sessions"] is not None
    assert records["meeting_sessions"].roots == 25
    assert store.doc(record_path("user_profiles")) is not None


def test_backfill_sweeps_documents_no_root_implies_any_more(
    manifest: Manifest, tmp_path: Path
) -> None:
    store = many_meetings(3)
    store.put("meeting_sessions/gone", {"inSession": True})
    store.put("users/joshua/meeting_sessions/gone", {"inSession": True})
    store.put("users/nobody/meeting_sessions/m001", {"inSession": True})
    store.put("users/tijuana/other/m001", {"kept": True})  # not a view document
    backfill(manifest, store, new_checkpoint(manifest, tmp_path))
    assert stored_views(manifest, store) == expected_views(manifest, store)
    assert store.doc("users/tijuana/other/m001") == {"kept": True}


class StopAfter(Delegating[MemoryStore]):
    """A store that raises KeyboardInterrupt on the ``n``-th transaction (an operator's Ctrl-C),
    and counts the transactions it ran."""

    def __init__(self, inner: MemoryStore, n: int | None) -> None:
        super().__init__(inner)
        self.n = n
        self.transactions = 0

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        self.transactions += 1
        if self.n is not None and self.transactions == self.n:
            raise KeyboardInterrupt
        return self.inner.run_transaction(fn, max_attempts=max_attempts)

    def list_paths(
        self, collection: str, *, group: bool = False, after: str | None = None, limit: int = 300
    ) -> list[str]:
        return self.inner.list_paths(collection, group=group, after=after, limit=limit)

    def count(self, collection: str, *, group: bool = False) -> int:
        return self.inner.count(collection, group=group)


def test_an_interrupted_backfill_resumes_after_the_last_checkpointed_page(
    manifest: Manifest, tmp_path: Path
) -> None:
    store = many_meetings(45)  # 5 pages of 10 roots, 3 transactions of 4 roots per page
    first = StopAfter(store, n=8)  # stops inside the third page
    with pytest.raises(KeyboardInterrupt):
        backfill(manifest, first, new_checkpoint(manifest, tmp_path), ["meeting_sessions"])

    saved = Checkpoint.load(tmp_path / "checkpoint.json")
    assert saved is not None
    progress = saved.view("meeting_sessions")
    assert (progress.phase, progress.after, progress.roots) == ("roots", "meetings/m019", 20)

    second = StopAfter(store, n=None)
    backfill(manifest, second, saved, ["meeting_sessions"])
    # pages 3-5 only: 3 + 3 + 2 transactions; the two finished pages are not recomputed again
    assert second.transactions == 8 + 1  # and the build record
    assert saved.view("meeting_sessions").phase == "done"
    assert saved.view("meeting_sessions").roots == 45
    assert len(store.paths("meeting_sessions/")) == 45
    assert stored_views(manifest, store) == {
        p: d for p, d in expected_views(manifest, store).items() if "user_profiles" not in p
    }


def test_a_checkpoint_refuses_to_resume_another_run(manifest: Manifest, tmp_path: Path) -> None:
    checkpoint = new_checkpoint(manifest, tmp_path)
    checkpoint.view("user_profiles").after = "users/joshua"
    checkpoint.save()
    loaded = Checkpoint.load(checkpoint.path)
    assert loaded == checkpoint
    current = fingerprints(manifest)
    assert loaded.mismatch("demo-test", current) is None
    assert "project 'demo-test'" in (loaded.mismatch("demo-other", current) or "")
    assert "changed" in (loaded.mismatch("demo-test", {**current, "user_profiles": "x"}) or "")
    assert "other views" in (loaded.mismatch("demo-test", {"user_profiles": "x"}) or "")


def test_views_changed_since_their_build_are_stale_and_new_ones_too(
    manifest: Manifest, tmp_path: Path
) -> None:
    store = many_meetings(2)
    backfill(manifest, store, new_checkpoint(manifest, tmp_path))
    records = read_records(store, list(manifest.views))
    edited = {**fingerprints(manifest), "meeting_sessions": "f" * 64, "new_view": "e" * 64}
    stale = stale_views(edited, records)
    assert list(stale) == ["meeting_sessions", "new_view"]
    assert "definition changed" in stale["meeting_sessions"]
    assert "no build record" in stale["new_view"]


def test_backfill_of_current_views_writes_only_the_build_records(
    manifest: Manifest, tmp_path: Path
) -> None:
    store = many_meetings(5)
    backfill(manifest, store, new_checkpoint(manifest, tmp_path))
    writes = store.committed_writes
    backfill(manifest, store, new_checkpoint(manifest, tmp_path / "again"))
    assert store.committed_writes - writes == len(manifest.views)

    store.put("users/joshua", {**(store.doc("users/joshua") or {}), "last_name": "P."})
    writes = store.committed_writes
    backfill(manifest, store, new_checkpoint(manifest, tmp_path / "third"))
    # 5 masters, 5 copies of each of the 3 members (a copy repeats the list) and his profile
    assert store.committed_writes - writes == 5 + 15 + 1 + len(manifest.views)
    assert stored_views(manifest, store) == expected_views(manifest, store)
