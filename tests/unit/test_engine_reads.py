"""What the engine reads per event: roots found inside the transaction, each document read once,
and only the parents a document joined or left recomputed when its link alone moved."""

from __future__ import annotations

from typing import Any

from meeting_room.fixture import MEETING_ID, fixture_documents

from boiler_core.documents import Doc, Ref
from boiler_core.engine.change import Change
from boiler_core.engine.engine import Engine
from boiler_core.engine.reads import CachedReader, CountingReader, Tally
from boiler_core.engine.relevance import moved_parents
from boiler_core.manifest import Manifest
from boiler_core.store.memory import MemoryStore
from boiler_core.testing import Harness, update

MEETING = f"meetings/{MEETING_ID}"


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
    # 3 users, 3 tickets: no document twice
    assert (cost.queries, cost.reads, cost.writes) == (1, 12, 4)


def test_query_roots_beyond_one_chunk_are_recomputed_in_later_chunks(manifest: Manifest) -> None:
    store = MemoryStore()
    app = Harness(manifest, store=store)
    app.engine = Engine(manifest, store, log=app.logs.append, chunk_size=2)
    docs = fixture_documents()
    for path, data in docs.items():
        app.write(path, data)
    for index in range(4):
        app.write(f"meetings/extra{index}", docs[MEETING])
    cost = app.update("users/thomasina", {"last_name": "Manes-Kennedy"})
    sessions = [p for p in app.views() if p.startswith("meeting_sessions/")]
    assert len(sessions) == 5
    for path in sessions:
        names = [entry["name"] for entry in app.views()[path]["attending"]]
        assert "Thomasina Manes-Kennedy" in names
    assert cost.roots == 5 + 1  # five meetings in three chunks, and the profile


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
    change = update(seeded.store, "tickets/tj_t", {"attendance": False})
    seeded.store.put("tickets/tj_t", {**seeded.store.doc("tickets/tj_t"), "attendance": True})
    seeded.engine.handle(change)  # the event is stale: the document says True again
    names = [e["name"] for e in seeded.views()[f"meeting_sessions/{MEETING_ID}"]["attending"]]
    assert "Tijuana Furlong" in names
