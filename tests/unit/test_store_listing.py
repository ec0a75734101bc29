"""Cursor paging and counting on the in-memory store (the same contract FirestoreStore keeps)."""

from __future__ import annotations

import pytest

from boiler_core.rebuild.paging import Source, all_paths, pages
from boiler_core.store.memory import MemoryStore


@pytest.fixture
def store() -> MemoryStore:
    docs = {
        "ms/m1": {},
        "ms/m2": {},
        "ms-x/a": {},
        "users/u1": {},
        "users/u1/ms/m1": {},
        "users/u2/ms/m1": {},
        "users/u1/other/m1": {},
    }
    return MemoryStore(docs)


def test_list_paths_orders_by_path_segments_like_firestore(store: MemoryStore) -> None:
    # "ms/..." sorts before "ms-x/..." segment by segment, although "-" < "/" as characters
    assert store.list_paths("ms", group=True) == [
        "ms/m1",
        "ms/m2",
        "users/u1/ms/m1",
        "users/u2/ms/m1",
    ]
    assert store.list_paths("ms") == ["ms/m1", "ms/m2"]
    assert store.list_paths("users/u1/ms") == ["users/u1/ms/m1"]


def test_list_paths_resumes_strictly_after_the_cursor(store: MemoryStore) -> None:
    assert store.list_paths("ms", group=True, after="ms/m2", limit=1) == ["users/u1/ms/m1"]
    assert store.list_paths("ms", group=True, after="users/u2/ms/m1") == []
    assert store.list_paths("ms", after="ms/m0") == ["ms/m1", "ms/m2"]


def test_pages_walk_a_group_by_cursor_without_gaps_or_repeats(store: MemoryStore) -> None:
    walked = list(pages(store, Source("ms", group=True), page_size=3))
    assert walked == [["ms/m1", "ms/m2", "users/u1/ms/m1"], ["users/u2/ms/m1"]]
    assert list(pages(store, Source("ms"), after="ms/m1", page_size=1)) == [["ms/m2"]]
    assert all_paths(store, Source("nothing")) == []


def test_pages_continue_correctly_when_documents_appear_behind_the_cursor(
    store: MemoryStore,
) -> None:
    walk = pages(store, Source("ms", group=True), page_size=2)
    assert next(walk) == ["ms/m1", "ms/m2"]
    store.put("ms/m0", {})  # before the cursor: not visited, nothing repeated
    store.put("ms/m3", {})  # after it: visited
    assert [p for page in walk for p in page] == ["ms/m3", "users/u1/ms/m1", "users/u2/ms/m1"]


def test_count_counts_a_collection_or_a_group(store: MemoryStore) -> None:
    assert store.count("ms") == 2
    assert store.count("ms", group=True) == 4
    assert store.count("users") == 1
    assert store.count("nothing") == 0


def test_list_documents_pages_a_collection_with_data(store: MemoryStore) -> None:
    store.put("ms/m1", {"n": 1})
    assert [(doc.path, dict(doc.data)) for doc in store.list_documents("ms", limit=1)] == [
        ("ms/m1", {"n": 1})
    ]
    assert [doc.path for doc in store.list_documents("ms", after="ms/m1")] == ["ms/m2"]
    assert store.list_documents("users/u1/ms") == store.list_documents("users/u1/ms", limit=5)
