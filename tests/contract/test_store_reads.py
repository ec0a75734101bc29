"""The store contract, reads: get_all, queries, listing, counting and bulk creation.

Every test runs against the in-memory store, the fast Firestore store and the public-API one
(tests/contract/conftest.py), through the port only.
"""

from __future__ import annotations

from typing import Any

import pytest
from store_contract import Subject, put

from boiler_core.documents import Doc, Ref
from boiler_core.store.fast import BATCH_SIZE
from boiler_core.store.port import ListingStore

MEETINGS: dict[str, dict[str, Any]] = {
    "users/ada": {"name": "Ada"},
    "users/bob": {"name": "Bob"},
    "meetings/m1": {
        "location": Ref("locations/room_a"),
        "users": [Ref("users/ada"), Ref("users/bob")],
        "notes": {"by": Ref("users/ada"), "list": [{"who": Ref("users/bob")}]},
        "status": "open",
    },
    "meetings/m2": {"location": Ref("locations/room_b"), "users": [Ref("users/bob")]},
    "tickets/t1": {"meeting": "m1", "attendance": True, "role": {"name": "host"}, "n": 1},
    "users/ada/meeting_sessions/m1": {"meeting": "m1"},
}


@pytest.fixture
def meetings(store: ListingStore) -> ListingStore:
    put(store, MEETINGS)
    return store


def test_get_all_keys_documents_by_path_with_none_for_missing(meetings: ListingStore) -> None:
    docs = meetings.get_all(["meetings/m1", "users/nobody", "users/ada", "meetings/m1"])
    assert list(docs) == ["meetings/m1", "users/nobody", "users/ada"]
    assert docs == {
        "meetings/m1": Doc("meetings/m1", MEETINGS["meetings/m1"]),
        "users/nobody": None,
        "users/ada": Doc("users/ada", {"name": "Ada"}),
    }
    assert meetings.get_all([]) == {}


def test_get_all_reads_more_documents_than_one_batch(store: ListingStore) -> None:
    count = BATCH_SIZE + 7
    assert store.create_all([(f"many/d{i:04d}", {"i": i}) for i in range(count)]) == []
    docs = store.get_all([f"many/d{i:04d}" for i in range(count + 3)])
    assert len(docs) == count + 3
    assert sum(doc is not None for doc in docs.values()) == count
    assert docs[f"many/d{count - 1:04d}"] == Doc(f"many/d{count - 1:04d}", {"i": count - 1})


@pytest.mark.parametrize(
    ("collection", "field", "op", "value", "expected"),
    [
        ("meetings", "location", "==", Ref("locations/room_a"), ["meetings/m1"]),
        ("meetings", "users", "array-contains", Ref("users/bob"), ["meetings/m1", "meetings/m2"]),
        ("meetings", "users", "array-contains", Ref("users/ada"), ["meetings/m1"]),
        ("meetings", "users", "array-contains", "users/ada", []),  # a string is not a reference
        ("meetings", "status", "==", "open", ["meetings/m1"]),
        ("tickets", "meeting", "==", "m1", ["tickets/t1"]),
        ("tickets", "meeting", "==", "m2", []),
        ("tickets", "role.name", "==", "host", ["tickets/t1"]),  # a field of a map
        ("tickets", "attendance", "==", True, ["tickets/t1"]),
        ("tickets", "n", "==", 1, ["tickets/t1"]),
        ("tickets", "missing", "==", None, []),  # a missing field never matches
        ("meeting_sessions", "meeting", "==", "m1", []),  # subcollections are not top level
    ],
)
def test_query_finds_top_level_documents_by_equality_or_array_contains(
    meetings: ListingStore,
    collection: str,
    field: str,
    op: Any,
    value: Any,
    expected: list[str],
) -> None:
    found = meetings.query(collection, field, op, value)
    assert [doc.path for doc in found] == expected
    assert all(doc == Doc(doc.path, MEETINGS[doc.path]) for doc in found)


def test_query_pages_by_document_name_outside_and_inside_a_transaction(
    store: ListingStore,
) -> None:
    put(store, {f"meetings/p{index}": {"users": ["ada"]} for index in (3, 1, 4, 0, 2)})
    put(store, {"meetings/other": {"users": ["bob"]}})

    def pages(reader: Any) -> list[list[str]]:
        out: list[list[str]] = []
        after = None
        while True:
            page = reader.query("meetings", "users", "array-contains", "ada", after=after, limit=2)
            out.append([doc.path for doc in page])
            if len(page) < 2:
                return out
            after = page[-1].path

    expected = [["meetings/p0", "meetings/p1"], ["meetings/p2", "meetings/p3"], ["meetings/p4"]]
    assert pages(store) == expected
    assert store.run_transaction(pages) == expected  # the first read begins the transaction
    with pytest.raises(ValueError, match="at least 1"):
        store.query("meetings", "users", "array-contains", "ada", limit=0)


@pytest.fixture
def listed(store: ListingStore) -> ListingStore:
    put(
        store,
        {
            "ms/m2": {"n": 2},
            "ms/m1": {"n": 1},
            "ms-x/a": {},
            "users/u1": {},
            "users/u1/ms/m1": {"n": 11},
            "users/u2/ms/m1": {"n": 21},
            "users/u1/other/m1": {},
        },
    )
    return store


def test_list_paths_orders_by_path_segments_and_lists_groups(listed: ListingStore) -> None:
    # "ms/..." sorts before "ms-x/..." segment by segment, although "-" < "/" as characters
    group = ["ms/m1", "ms/m2", "users/u1/ms/m1", "users/u2/ms/m1"]
    assert listed.list_paths("ms", group=True) == group
    assert listed.list_paths("ms") == ["ms/m1", "ms/m2"]
    assert listed.list_paths("users/u1/ms") == ["users/u1/ms/m1"]
    assert listed.list_paths("nothing") == []


def test_list_paths_pages_strictly_after_the_cursor(listed: ListingStore) -> None:
    assert listed.list_paths("ms", group=True, after="ms/m2", limit=1) == ["users/u1/ms/m1"]
    assert listed.list_paths("ms", group=True, after="users/u2/ms/m1") == []
    assert listed.list_paths("ms", after="ms/m0") == ["ms/m1", "ms/m2"]
    with pytest.raises(ValueError, match="at least 1"):
        listed.list_paths("ms", limit=0)


def test_list_documents_pages_a_collection_with_data(listed: ListingStore) -> None:
    assert listed.list_documents("ms", limit=1) == [Doc("ms/m1", {"n": 1})]
    assert listed.list_documents("ms", after="ms/m1") == [Doc("ms/m2", {"n": 2})]
    assert listed.list_documents("users/u1/ms") == [Doc("users/u1/ms/m1", {"n": 11})]


def test_count_counts_a_collection_or_a_group(listed: ListingStore) -> None:
    assert listed.count("ms") == 2
    assert listed.count("ms", group=True) == 4
    assert listed.count("users") == 1  # users/u2 has documents below it but does not exist
    assert listed.count("users/u1/ms") == 1
    assert listed.count("nothing") == 0


def test_create_all_creates_only_absent_documents_and_names_the_others(
    store: ListingStore,
) -> None:
    assert store.create_all([]) == []
    assert store.create_all([("c/1", {"v": 1}), ("c/2", {"v": 2})]) == []
    assert store.create_all([("c/3", {"v": 3}), ("c/1", {"v": "new"}), ("c/4", {})]) == ["c/1"]
    docs = store.get_all(["c/1", "c/2", "c/3", "c/4"])
    assert {path: doc.data if doc else None for path, doc in docs.items()} == {
        "c/1": {"v": 1},  # never overwritten
        "c/2": {"v": 2},
        "c/3": {"v": 3},
        "c/4": {},
    }


def test_created_documents_are_read_like_any_other(subject: Subject) -> None:
    store = subject.store
    assert store.create_all([("c/1", MEETINGS["meetings/m1"])]) == []
    assert store.list_documents("c") == [Doc("c/1", MEETINGS["meetings/m1"])]
    assert [d.path for d in store.query("c", "users", "array-contains", Ref("users/ada"))] == [
        "c/1"
    ]
