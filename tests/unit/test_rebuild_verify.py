"""Verify and repair on the in-memory store: each kind of divergence a lost event can leave."""

from __future__ import annotations

import pytest
from meeting_room.fixture import MEETING_ID

from boiler_core.engine import Engine
from boiler_core.manifest import Manifest, load_manifest_text
from boiler_core.rebuild import Verifier, ViewCheck
from boiler_core.rebuild.paging import Source
from boiler_core.rebuild.strays import classify, output_sources, suspects
from boiler_core.store.memory import MemoryStore
from boiler_core.testing import Harness, delete, update, visible
from boiler_core.testing.oracle import expected_views, stored_views

MASTER = f"meeting_sessions/{MEETING_ID}"
MEETING = f"meetings/{MEETING_ID}"


def check(manifest: Manifest, store: MemoryStore, view: str, *, repair: bool = False) -> ViewCheck:
    engine = Engine(manifest, store, log=lambda entry: None)
    return Verifier(engine, store, page_size=2, chunk_size=2).check(view, repair=repair)


def found(result: ViewCheck) -> list[tuple[str, str, str]]:
    return [(d.kind, d.path, d.detail) for d in result.divergences]


def test_current_views_verify_clean_and_count_what_was_checked(seeded: Harness) -> None:
    result = check(seeded.manifest, seeded.store, "meeting_sessions")
    assert result.divergences == []
    assert (result.roots, result.expected, result.listed) == (1, 4, 4)
    assert result.sources == (Source("meeting_sessions", group=True),)
    assert result.reads > 0
    profiles = check(seeded.manifest, seeded.store, "user_profiles")
    assert (profiles.roots, profiles.expected, profiles.listed) == (3, 3, 3)
    assert profiles.sources == (Source("user_profiles"),)


def test_a_deleted_view_document_is_missing_and_repair_brings_it_back(seeded: Harness) -> None:
    before = seeded.store.doc(MASTER)
    seeded.store.remove(MASTER)

    result = check(seeded.manifest, seeded.store, "meeting_sessions")
    assert found(result) == [("missing", MASTER, "")]
    assert seeded.store.doc(MASTER) is None  # verify alone writes nothing

    repaired = check(seeded.manifest, seeded.store, "meeting_sessions", repair=True)
    assert repaired.repaired is not None
    assert (repaired.repaired.writes, repaired.repaired.deletes) == (1, 0)
    assert seeded.store.doc(MASTER) == before


def test_a_master_holding_update_times_left_by_boiler_0_2_is_different_until_repaired(
    seeded: Harness,
) -> None:
    stored = seeded.store.doc(MASTER) or {}
    seeded.store.put(MASTER, {**stored, "_sources": {MEETING: 1}})
    result = check(seeded.manifest, seeded.store, "meeting_sessions")
    assert found(result) == [("different", MASTER, "_sources")]
    check(seeded.manifest, seeded.store, "meeting_sessions", repair=True)
    assert seeded.store.doc(MASTER) == stored


def test_a_lost_update_shows_as_different_fields_in_master_and_copies(seeded: Harness) -> None:
    update(seeded.store, "tickets/tj_t", {"attendance": False})  # event lost
    result = check(seeded.manifest, seeded.store, "meeting_sessions")
    assert {kind for kind, _, _ in found(result)} == {"different"}
    assert {detail for _, _, detail in found(result)} == {"attending, numHearingAidRequested"}
    assert len(result.divergences) == 4  # the master and the three copies


def test_a_lost_departure_leaves_an_extra_copy_of_a_former_member(seeded: Harness) -> None:
    meeting = seeded.store.doc(MEETING) or {}
    kept = [u for u in meeting["users"] if u.id != "joshua"]
    update(seeded.store, MEETING, {"users": kept})  # event lost

    result = check(seeded.manifest, seeded.store, "meeting_sessions", repair=True)
    joshua = f"users/joshua/meeting_sessions/{MEETING_ID}"
    assert ("extra", joshua, "former member") in found(result)
    master_fields = "_members, attending, numHearingAidRequested"  # _members: the read policy's
    assert ("different", MASTER, master_fields) in found(result)
    assert seeded.store.doc(joshua) is None
    profile = check(seeded.manifest, seeded.store, "user_profiles", repair=True)
    # _deep_sources: the meeting's location no longer feeds his profile
    assert found(profile) == [("different", "user_profiles/joshua", "_deep_sources, meetings")]
    assert stored_views(seeded.manifest, seeded.store) == expected_views(
        seeded.manifest, seeded.store
    )


def test_a_lost_root_delete_leaves_extra_master_and_copies_that_repair_deletes(
    seeded: Harness,
) -> None:
    delete(seeded.store, MEETING)  # event lost
    result = check(seeded.manifest, seeded.store, "meeting_sessions", repair=True)
    assert {(kind, detail) for kind, _, detail in found(result)} == {("extra", "root gone")}
    assert len(result.divergences) == 4
    assert result.repaired is not None
    assert result.repaired.deletes == 4
    assert seeded.store.paths("meeting_sessions") == []
    assert [p for p in seeded.store.paths("users/") if "meeting_sessions" in p] == []


def test_repaired_views_verify_clean_and_equal_a_recompute_from_scratch(seeded: Harness) -> None:
    update(seeded.store, "users/thomasina", {"last_name": "Manes-Kennedy"})  # lost
    delete(seeded.store, "users/joshua")  # lost
    seeded.store.remove("user_profiles/tijuana")
    for view in seeded.manifest.views:
        check(seeded.manifest, seeded.store, view, repair=True)
    assert all(check(seeded.manifest, seeded.store, v).divergences == [] for v in ["user_profiles"])
    assert check(seeded.manifest, seeded.store, "meeting_sessions").divergences == []
    assert stored_views(seeded.manifest, seeded.store) == expected_views(
        seeded.manifest, seeded.store
    )


QUERY_COPIES = """
version: 1
collections:
  posts: {path: "posts/{post}"}
  comments: {path: "comments/{comment}"}
views:
  threads:
    path: threads/{post}
    root: posts
    joins:
      replies: {collection: comments, query: post, key: id}
    fields:
      title: title
      replies: {count: replies}
    copies:
      - path: comments/{comment}/threads/{post}
        for_each: replies
"""


@pytest.fixture
def threads() -> Manifest:
    return load_manifest_text(QUERY_COPIES, import_code=False)


def test_copies_of_a_query_join_are_extra_when_the_member_points_elsewhere(
    threads: Manifest,
) -> None:
    view = threads.views["threads"]
    assert output_sources(view) == (Source("threads", group=True),)  # masters and copies
    outputs = [
        classify(view, "threads/p1"),
        classify(view, "comments/c1/threads/p1"),
        classify(view, "comments/c2/threads/p1"),
        classify(view, "comments/c3/threads/p2"),
    ]
    assert classify(view, "other/c1/threads/p1") is None
    store = MemoryStore(
        {
            "posts/p1": {"title": "One"},
            "comments/c1": {"post": "p1"},
            "comments/c2": {"post": "p9"},
        }
    )
    docs = store.get_all(["posts/p1", "posts/p2", "comments/c1", "comments/c2", "comments/c3"])
    flagged = [(o.path, why) for o, why in suspects(view, [o for o in outputs if o], docs)]
    assert flagged == [
        ("comments/c2/threads/p1", "former member"),
        ("comments/c3/threads/p2", "root gone"),
    ]


def test_verify_repairs_a_view_whose_copies_follow_a_query_join(threads: Manifest) -> None:
    store = MemoryStore(
        {
            "posts/p1": {"title": "One"},
            "comments/c1": {"post": "p1"},
            "threads/p1": {"title": "One", "replies": 2},
            "comments/c1/threads/p1": {"title": "One", "replies": 2},
            "comments/c2/threads/p1": {"title": "One", "replies": 2},
            "threads/p2": {"title": "Gone", "replies": 0},
        }
    )
    result = check(threads, store, "threads", repair=True)
    assert found(result) == [
        ("different", "comments/c1/threads/p1", "replies"),
        ("extra", "comments/c2/threads/p1", "member gone"),
        ("different", "threads/p1", "replies"),
        ("extra", "threads/p2", "root gone"),
    ]
    assert {path: visible(data) for path, data in stored_views(threads, store).items()} == {
        "comments/c1/threads/p1": {"title": "One", "replies": 1},
        "threads/p1": {"title": "One", "replies": 1},
    }
