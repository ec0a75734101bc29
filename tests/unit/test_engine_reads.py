"""What the engine reads per event: roots found inside the transaction, each document read once,
and only the parents a document joined or left recomputed when its link alone moved."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from delegating import Delegating
from meeting_room.fixture import MEETING_ID, fixture_documents

from boiler_core.documents import Doc, Ref
from boiler_core.engine.change import Change
from boiler_core.engine.engine import Engine
from boiler_core.engine.reads import CachedReader, CountingReader, Tally
from boiler_core.engine.relevance import moved_parents
from boiler_core.manifest import Manifest
from boiler_core.store.memory import MemoryStore
from boiler_core.store.port import Transaction
from boiler_core.testing import Harness, update
from boiler_core.testing.oracle import expected_views, stored_views

MEETING = f"meetings/{MEETING_ID}"
T = TypeVar("T")


def _meeting(**fields: Any) -> dict[str, Any]:
    return {**fixture_documents()[MEETING], **fields}


def test_moved_parents_is_the_symmetric_difference_when_only_the_link_changed(
    manifest: Manifest,
) -> None:
    view = manifest.views["user_profiles"]
    before = _meeting()
    after = _meeting(users=[Ref("users/tijuana"), Ref("users/thomasina"), Ref("users/ada")])
    change = Change("meetings", MEETING_ID, before, after)
    assert moved_parents(view, "meetings", change) == {"joshua", "ada"}


def test_moved_parents_is_none_when_another_used_field_changed_too(manifest: Manifest) -> None:
    view = manifest.views["user_profiles"]
    after = _meeting(users=[Ref("users/tijuana")], status="closed")
    assert (
        moved_parents(view, "meetings", Change("meetings", MEETING_ID, _meeting(), after)) is None
    )
    assert moved_parents(view, "meetings", Change("meetings", MEETING_ID, None, after)) is None


def test_a_member_leaving_recomputes_only_that_members_profile(seeded: Harness) -> None:
    users = [Ref("users/tijuana"), Ref("users/thomasina")]
    cost = seeded.update(MEETING, {"users": users})
    # meeting_sessions: its one root; user_profiles: joshua only (tijuana's and thomasina's
    # profiles show status and address, which did not change)
    assert cost.roots == 2
    assert seeded.views()["user_profiles/joshua"]["meetings"] == []
    assert len(seeded.views()["user_profiles/tijuana"]["meetings"]) == 1


def test_roots_found_by_a_reverse_query_are_read_once_inside_the_transaction(
    seeded: Harness,
) -> None:
    cost = seeded.update("tickets/tj_t", {"attendance": False})
    # one query (its result, the meeting, is the root read), master + 3 copies, location,
    # 3 users, the 3 tickets (the changed one among them): no document twice
    assert (cost.queries, cost.reads, cost.writes) == (1, 12, 4)


def seed_five_meetings(app: Harness) -> None:
    """Write the fixture, plus four copies of its meeting (``extra0``..``extra3``)."""
    docs = fixture_documents()
    for path, data in docs.items():
        app.write(path, data)
    for index in range(4):
        app.write(f"meetings/extra{index}", docs[MEETING])


def test_query_roots_beyond_one_chunk_are_recomputed_in_later_chunks(manifest: Manifest) -> None:
    store = MemoryStore()
    app = Harness(manifest, store=store)
    app.engine = Engine(manifest, store, log=app.logs.append, chunk_size=2)
    seed_five_meetings(app)
    cost = app.update("users/thomasina", {"last_name": "Manes-Kennedy"})
    sessions = [p for p in app.views() if p.startswith("meeting_sessions/")]
    assert len(sessions) == 5
    for path in sessions:
        names = [entry["name"] for entry in app.views()[path]["attending"]]
        assert "Thomasina Manes-Kennedy" in names
    assert cost.roots == 5 + 1  # five meetings in three chunks, and the profile


class ReadLog(MemoryStore):
    """A memory store noting every document its transactions read (by path, with repeats)."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        log = self.paths

        class Noting:
            def __init__(self, tx: Transaction) -> None:
                self.tx = tx

            def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
                log.extend(paths)
                return self.tx.get_all(paths)

            def query(self, *args: Any, **kwargs: Any) -> list[Doc]:
                docs = self.tx.query(*args, **kwargs)
                log.extend(doc.path for doc in docs)
                return docs

            def set(self, path: str, data: Mapping[str, Any]) -> None:
                self.tx.set(path, data)

            def delete(self, path: str) -> None:
                self.tx.delete(path)

        return super().run_transaction(lambda tx: fn(Noting(tx)), max_attempts=max_attempts)


def test_query_roots_spanning_chunks_are_paged_so_each_is_read_once(manifest: Manifest) -> None:
    store = ReadLog()
    app = Harness(manifest, store=store)
    app.engine = Engine(manifest, store, log=app.logs.append, chunk_size=2)
    seed_five_meetings(app)
    store.paths.clear()
    cost = app.engine.handle(update(store, "users/thomasina", {"last_name": "Manes-Kennedy"}))
    meetings = [path for path in store.paths if path.startswith("meetings/")]
    # meeting_sessions: five meetings, each read once although three chunks recompute them;
    # user_profiles: the profile's own query for thomasina's meetings returns all five again
    assert sorted(meetings) == sorted([f"meetings/extra{i}" for i in range(4)] * 2 + [MEETING] * 2)
    assert cost.queries == 3 + 1  # pages of 2, 2 and 1; the profile's join
    # the renamed user is read by each transaction that computes from it
    assert store.paths.count("users/thomasina") == 3 + 1  # each session chunk, the profile


def test_cached_reader_reads_each_document_once_and_caches_query_results() -> None:
    store = MemoryStore({"a/1": {"x": 1}, "a/2": {"x": 2}})
    tally = Tally()
    reader = CachedReader(CountingReader(store, tally))
    assert reader.query("a", "x", "==", 2) == [Doc("a/2", {"x": 2})]
    found = reader.get_all(["a/1", "a/2", "a/3"])
    again = reader.get_all(["a/1", "a/3"])
    assert found["a/1"] == Doc("a/1", {"x": 1})
    assert found["a/3"] is None
    assert again == {"a/1": found["a/1"], "a/3": None}
    assert (tally.queries, tally.reads) == (1, 1 + 2)


def test_a_ticket_change_still_recomputes_from_state_read_in_the_transaction(
    seeded: Harness,
) -> None:
    stale = update(seeded.store, "tickets/tj_t", {"attendance": False})
    newer = update(seeded.store, "tickets/tj_t", {"attendance": True})
    seeded.engine.handle(newer)
    seeded.engine.handle(stale)  # delivered late: the ticket is read, as it is now
    names = [e["name"] for e in seeded.views()[f"meeting_sessions/{MEETING_ID}"]["attending"]]
    assert "Tijuana Furlong" in names


def test_a_ticket_change_reads_the_ticket_inside_the_transaction(manifest: Manifest) -> None:
    store = ReadLog()
    app = Harness(manifest, store=store)
    for path, data in fixture_documents().items():
        app.write(path, data)
    store.paths.clear()
    cost = app.update("tickets/tj_t", {"attendance": False})
    assert store.paths.count("tickets/tj_t") == 1
    assert cost.reads == 12
    stored = store.doc(f"meeting_sessions/{MEETING_ID}") or {}
    assert "Tijuana Furlong" not in [entry["name"] for entry in stored["attending"]]
    assert "_sources" not in stored


def test_an_event_without_update_times_costs_the_same(seeded: Harness) -> None:
    change = update(seeded.store, "tickets/tj_t", {"attendance": False})
    blind = Change(change.collection, change.doc_id, change.before, change.after)
    assert seeded.engine.handle(blind).reads == 12


class ConflictAfterFirstQuery(MemoryStore):
    """A memory store whose first transactional query is followed by a write to ``path`` from
    outside, so that attempt conflicts and is retried."""

    def __init__(self, path: str, data: Mapping[str, Any]) -> None:
        super().__init__()
        self.conflict: tuple[str, Mapping[str, Any]] | None = None
        self._armed = (path, data)

    def arm(self) -> None:
        self.conflict = self._armed

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        store = self

        class Meddled:
            def __init__(self, tx: Transaction) -> None:
                self.tx = tx

            def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
                return self.tx.get_all(paths)

            def query(self, *args: Any, **kwargs: Any) -> list[Doc]:
                docs = self.tx.query(*args, **kwargs)
                if store.conflict is not None and kwargs.get("limit"):
                    path, data = store.conflict
                    store.conflict = None
                    store.put(path, data)
                return docs

            def set(self, path: str, data: Mapping[str, Any]) -> None:
                self.tx.set(path, data)

            def delete(self, path: str) -> None:
                self.tx.delete(path)

        return super().run_transaction(lambda tx: fn(Meddled(tx)), max_attempts=max_attempts)


def test_a_retried_chunk_reads_the_same_query_range_again(manifest: Manifest) -> None:
    docs = fixture_documents()
    store = ConflictAfterFirstQuery("meetings/extra00", docs[MEETING])
    app = Harness(manifest, store=store)
    app.engine = Engine(manifest, store, log=app.logs.append, chunk_size=2, parallel=1)
    seed_five_meetings(app)
    store.arm()  # the first page holds extra0 and extra1; then extra00 appears between them
    cost = app.engine.handle(update(store, "users/thomasina", {"last_name": "Manes-Kennedy"}))
    assert cost.retries >= 1
    sessions = {p: d for p, d in app.views().items() if p.startswith("meeting_sessions/")}
    # the retry read the first page's range again and found extra00 in it (its own event would
    # too, but it is not delivered here)
    assert len(sessions) == 6
    for path, data in sessions.items():
        assert "Thomasina Manes-Kennedy" in [e["name"] for e in data["attending"]], path


def test_a_master_left_with_update_times_by_boiler_0_2_is_rewritten_without_them_once(
    seeded: Harness,
) -> None:
    master = f"meeting_sessions/{MEETING_ID}"
    seeded.store.put(master, {**(seeded.store.doc(master) or {}), "_sources": {"x/y": 1}})
    assert seeded.engine.recompute("meeting_sessions", [MEETING_ID]).writes == 1
    assert "_sources" not in (seeded.store.doc(master) or {})
    assert seeded.engine.recompute("meeting_sessions", [MEETING_ID]).writes == 0


def test_a_deleted_root_deletes_its_master_and_copies(seeded: Harness) -> None:
    master = f"meeting_sessions/{MEETING_ID}"
    seeded.delete(f"meetings/{MEETING_ID}")
    assert master not in seeded.views()
    assert not [p for p in seeded.views() if p.endswith(f"meeting_sessions/{MEETING_ID}")]


class AfterQueryReturns(Delegating[MemoryStore]):
    """Runs ``step`` once, right after a paged query (in a transaction or not: a reverse query
    for roots) first returns ``path``: a write, and its event's handling, landing between the
    moment a recompute found a root by query and the end of the transaction recomputing it."""

    def __init__(self, inner: MemoryStore, path: str, step: Callable[[], None]) -> None:
        super().__init__(inner)
        self.path, self.step, self.done = path, step, False

    def _after(self, docs: list[Doc], paged: bool) -> list[Doc]:
        if paged and not self.done and any(doc.path == self.path for doc in docs):
            self.done = True
            self.step()
        return docs

    def query(self, *args: Any, **kwargs: Any) -> list[Doc]:
        paged = kwargs.get("limit") is not None
        return self._after(self.inner.query(*args, **kwargs), paged)

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        outer = self

        class Watched(Delegating[Any]):
            def query(self, *args: Any, **kwargs: Any) -> list[Doc]:
                return outer._after(
                    self.inner.query(*args, **kwargs), kwargs.get("limit") is not None
                )

            def set(self, path: str, data: Mapping[str, Any]) -> None:
                self.inner.set(path, data)

            def delete(self, path: str) -> None:
                self.inner.delete(path)

        return self.inner.run_transaction(lambda tx: fn(Watched(tx)), max_attempts=max_attempts)


def test_a_root_changed_with_its_view_unchanged_after_its_query_is_read_by_its_chunk(
    manifest: Manifest,
) -> None:
    """The trap that rules out trusting a root document found by a query outside the
    transaction. Thomasina's ticket is listed by five meetings, and its attendance flips.
    Meanwhile one of them, ``extra3``, swaps that ticket for an equal one of hers, and that
    change is handled: the view's content stays equal, so nothing is written. A chunk that took
    the old meeting from a query run before the swap would show her as absent, with no event
    left to repair it."""
    app = Harness(manifest)
    seed_five_meetings(app)
    app.write("tickets/ts2_t", fixture_documents()["tickets/ts_t"])
    meeting = fixture_documents()[MEETING]
    swapped = {
        **meeting,
        "tickets": [Ref("tickets/tj_t"), Ref("tickets/ts2_t"), Ref("tickets/js_t")],
    }

    def swap_and_handle() -> None:
        cost = Engine(manifest, app.store, log=lambda e: None).handle(
            update(app.store, "meetings/extra3", swapped)
        )
        assert cost.writes == 0

    store = AfterQueryReturns(app.store, "meetings/extra3", swap_and_handle)
    engine = Engine(manifest, store, log=lambda e: None, chunk_size=2)
    engine.handle(update(app.store, "tickets/ts_t", {"attendance": False}))
    assert store.done
    views = stored_views(manifest, app.store)
    assert "Thomasina Manes" in [a["name"] for a in views["meeting_sessions/extra3"]["attending"]]
    assert "Thomasina Manes" not in [
        a["name"] for a in views["meeting_sessions/extra2"]["attending"]
    ]
    assert views == expected_views(manifest, app.store)
