"""The in-memory store double: reads, queries and serializable transactions with retries."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from boiler_core.documents import Doc, Ref
from boiler_core.errors import ContentionError, StoreError
from boiler_core.store.memory import MemoryStore
from boiler_core.store.port import Store, Transaction


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore(
        {
            "meetings/m2": {"users": [Ref("users/a")], "status": "closed"},
            "meetings/m1": {"users": [Ref("users/a"), Ref("users/b")], "status": "in-session"},
            "tickets/t1": {"user": Ref("users/a"), "role": {"name": "x"}},
            "users/a/meeting_sessions/m1": {"status": "copy"},
        }
    )


def test_memory_store_implements_the_store_port(store: MemoryStore) -> None:
    port: Store = store
    assert port.last_retries == 0


def test_get_all_maps_missing_documents_to_none(store: MemoryStore) -> None:
    docs = store.get_all(["tickets/t1", "tickets/nope"])
    assert docs == {
        "tickets/t1": Doc("tickets/t1", store.doc("tickets/t1") or {}),
        "tickets/nope": None,
    }


@pytest.mark.parametrize(
    ("collection", "field", "op", "value", "paths"),
    [
        ("meetings", "users", "array-contains", Ref("users/a"), ["meetings/m1", "meetings/m2"]),
        ("meetings", "users", "array-contains", Ref("users/b"), ["meetings/m1"]),
        ("meetings", "users", "array-contains", "users/a", []),
        ("meetings", "status", "==", "closed", ["meetings/m2"]),
        ("tickets", "user", "==", Ref("users/a"), ["tickets/t1"]),
        ("tickets", "role.name", "==", "x", ["tickets/t1"]),
        ("meeting_sessions", "status", "==", "copy", []),  # subcollections are not top level
        ("tickets", "missing", "==", None, []),
    ],
)
def test_query_matches_top_level_documents_in_path_order(
    store: MemoryStore, collection: str, field: str, op: Any, value: Any, paths: list[str]
) -> None:
    assert [d.path for d in store.query(collection, field, op, value)] == paths


def test_documents_are_copied_in_and_out(store: MemoryStore) -> None:
    data = {"users": [Ref("users/a")]}
    store.put("meetings/m3", data)
    data["users"].append(Ref("users/z"))
    read = store.doc("meetings/m3")
    assert read == {"users": [Ref("users/a")]}
    read["users"].clear()
    assert store.doc("meetings/m3") == {"users": [Ref("users/a")]}


def test_paths_and_dump_list_documents_under_a_prefix(store: MemoryStore) -> None:
    assert store.paths("meetings/") == ["meetings/m1", "meetings/m2"]
    assert list(store.dump("users/")) == ["users/a/meeting_sessions/m1"]
    store.remove("meetings/m1")
    assert store.paths("meetings/") == ["meetings/m2"]


def test_transaction_applies_buffered_writes_on_commit(store: MemoryStore) -> None:
    def move(tx: Transaction) -> str:
        doc = tx.get_all(["meetings/m1"])["meetings/m1"]
        assert doc is not None
        tx.set("meetings/m1", {**doc.data, "status": "closed"})
        tx.delete("meetings/m2")
        assert store.doc("meetings/m2") is not None  # nothing visible before commit
        return "done"

    assert store.run_transaction(move) == "done"
    assert (store.doc("meetings/m1") or {})["status"] == "closed"
    assert store.doc("meetings/m2") is None
    assert (store.last_retries, store.committed_writes) == (0, 2)


def with_interference(store: MemoryStore, times: int, write: Callable[[], None]) -> Any:
    """A transaction that reads m1 then sets a copy, with ``write`` landing in its first tries."""
    attempts: list[int] = []

    def fn(tx: Transaction) -> int:
        tx.get_all(["meetings/m1"])
        tx.query("tickets", "user", "==", Ref("users/a"))
        if len(attempts) < times:
            write()
        attempts.append(1)
        tx.set("views/v1", {"n": len(attempts)})
        return len(attempts)

    return fn


@pytest.mark.parametrize(
    "interfere",
    [
        lambda s: s.put("meetings/m1", {"status": "changed"}),
        lambda s: s.remove("meetings/m1"),
        lambda s: s.put("tickets/t2", {"user": Ref("users/a")}),  # a new query match
    ],
)
def test_conflicting_write_between_reads_and_commit_retries(
    store: MemoryStore, interfere: Callable[[MemoryStore], None]
) -> None:
    attempts = store.run_transaction(with_interference(store, 1, lambda: interfere(store)))
    assert attempts == 2
    assert store.last_retries == 1
    assert store.doc("views/v1") == {"n": 2}


def test_unrelated_write_does_not_conflict(store: MemoryStore) -> None:
    fn = with_interference(store, 1, lambda: store.put("users/b", {"name": "b"}))
    assert store.run_transaction(fn) == 1
    assert store.last_retries == 0


def test_transaction_gives_up_after_max_attempts(store: MemoryStore) -> None:
    fn = with_interference(store, 99, lambda: store.put("meetings/m1", {}))
    with pytest.raises(ContentionError, match="after 3 attempts"):
        store.run_transaction(fn, max_attempts=3)
    assert store.doc("views/v1") is None


def test_failing_transaction_function_writes_nothing(store: MemoryStore) -> None:
    def fail(tx: Transaction) -> None:
        tx.set("views/v1", {})
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        store.run_transaction(fail)
    assert store.doc("views/v1") is None


def test_reads_after_writes_are_refused_as_firestore_does(store: MemoryStore) -> None:
    def late_read(tx: Transaction) -> None:
        tx.set("views/v1", {})
        tx.get_all(["meetings/m1"])

    with pytest.raises(StoreError, match="reads before its first write"):
        store.run_transaction(late_read)


def test_bad_document_path_is_refused(store: MemoryStore) -> None:
    with pytest.raises(StoreError, match="not a document path"):
        store.put("meetings", {})


def test_concurrent_increments_are_serialized() -> None:
    store = MemoryStore({"counters/c": {"n": 0}})

    def increment(tx: Transaction) -> None:
        doc = tx.get_all(["counters/c"])["counters/c"]
        assert doc is not None
        tx.set("counters/c", {"n": doc.data["n"] + 1})

    def worker() -> None:
        for _ in range(50):
            store.run_transaction(increment, max_attempts=1000)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.doc("counters/c") == {"n": 200}


def test_update_times_move_with_each_write_and_a_commit_gives_its_documents_one() -> None:
    store = MemoryStore({"a/1": {"x": 1}})
    first = store.update_time("a/1")
    assert first is not None
    assert store.get_all(["a/1"])["a/1"] == Doc("a/1", {"x": 1})
    assert store.get_all(["a/1"])["a/1"].update_time == first  # type: ignore[union-attr]

    def write_two(tx: Transaction) -> None:
        tx.set("a/1", {"x": 2})
        tx.set("a/2", {"x": 3})

    store.run_transaction(write_two)
    committed = store.last_commit_time
    assert committed is not None
    assert committed > first
    assert store.update_time("a/1") == store.update_time("a/2") == committed
    assert [d.update_time for d in store.query("a", "x", "==", 3)] == [committed]

    store.run_transaction(lambda tx: tx.delete("a/2"))
    assert store.last_commit_time is None  # nothing set
    assert store.update_time("a/2") is None
