"""FirestoreStore against the real Firestore emulator: reads, queries, transactions, retries.

Uses the ``firestore_client`` fixture of tests/integration/conftest.py: a
``google.cloud.firestore.Client`` on a fresh, wiped emulator.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from google.api_core.exceptions import Aborted
from google.cloud.firestore import Client, DocumentReference

from boiler_core.documents import Doc, Ref
from boiler_core.errors import ContentionError
from boiler_core.store.firestore import BATCH_SIZE, FirestoreStore
from boiler_core.store.port import Transaction

pytestmark = pytest.mark.integration


@pytest.fixture
def store(firestore_client: Client) -> FirestoreStore:
    return FirestoreStore(firestore_client)


@pytest.fixture
def meetings(firestore_client: Client) -> Client:
    """Two meetings linking users by reference, and a ticket linking a meeting by id."""
    doc = firestore_client.document
    doc("users/ada").set({"name": "Ada"})
    doc("users/bob").set({"name": "Bob"})
    doc("meetings/m1").set(
        {
            "location": doc("locations/room_a"),
            "users": [doc("users/ada"), doc("users/bob")],
            "notes": {"by": doc("users/ada"), "list": [{"who": doc("users/bob")}]},
        }
    )
    doc("meetings/m2").set({"location": doc("locations/room_b"), "users": [doc("users/bob")]})
    doc("tickets/t1").set({"meeting": "m1", "attendance": True})
    return firestore_client


def test_get_all_keys_documents_by_path_with_none_for_missing(
    store: FirestoreStore, meetings: Client
) -> None:
    docs = store.get_all(["meetings/m1", "users/nobody", "users/ada", "meetings/m1"])
    assert list(docs) == ["meetings/m1", "users/nobody", "users/ada"]
    assert docs["users/nobody"] is None
    assert docs["users/ada"] == Doc("users/ada", {"name": "Ada"})
    m1 = docs["meetings/m1"]
    assert m1 is not None
    assert m1.data == {
        "location": Ref("locations/room_a"),
        "users": [Ref("users/ada"), Ref("users/bob")],
        "notes": {"by": Ref("users/ada"), "list": [{"who": Ref("users/bob")}]},
    }


def test_get_all_reads_more_documents_than_one_batch(
    store: FirestoreStore, firestore_client: Client
) -> None:
    batch = firestore_client.batch()
    count = BATCH_SIZE + 7
    for i in range(count):
        batch.set(firestore_client.document(f"many/d{i:04d}"), {"i": i})
    batch.commit()
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
        ("tickets", "meeting", "==", "m1", ["tickets/t1"]),
        ("tickets", "meeting", "==", "m2", []),
    ],
)
def test_query_finds_documents_by_equality_or_array_contains(
    store: FirestoreStore,
    meetings: Client,
    collection: str,
    field: str,
    op: Any,
    value: Any,
    expected: list[str],
) -> None:
    assert [doc.path for doc in store.query(collection, field, op, value)] == expected


def test_transaction_reads_queries_then_sets_and_deletes_on_commit(
    store: FirestoreStore, meetings: Client
) -> None:
    def run(tx: Transaction) -> int:
        ada = tx.get_all(["users/ada"])["users/ada"]
        found = tx.query("meetings", "users", "array-contains", Ref("users/ada"))
        assert ada is not None
        tx.set("views/ada", {"name": ada.data["name"], "meetings": [d.ref for d in found]})
        tx.delete("users/bob")
        tx.delete("users/never-existed")
        return len(found)

    assert store.run_transaction(run) == 1
    assert store.last_retries == 0
    assert store.get_all(["views/ada", "users/bob"]) == {
        "views/ada": Doc("views/ada", {"name": "Ada", "meetings": [Ref("meetings/m1")]}),
        "users/bob": None,
    }
    stored = meetings.document("views/ada").get().to_dict() or {}
    assert isinstance(stored["meetings"][0], DocumentReference)


def test_aborted_attempts_are_retried_and_only_the_last_one_commits(
    store: FirestoreStore, firestore_client: Client
) -> None:
    attempts: list[int] = []

    def run(tx: Transaction) -> str:
        attempts.append(len(attempts) + 1)
        tx.get_all(["counters/c"])
        tx.set("counters/c", {"attempt": len(attempts)})
        if len(attempts) < 3:
            raise Aborted("simulated conflict")
        return "done"

    assert store.run_transaction(run, max_attempts=5) == "done"
    assert attempts == [1, 2, 3]
    assert store.last_retries == 2
    assert store.get_all(["counters/c"])["counters/c"] == Doc("counters/c", {"attempt": 3})


def test_contention_error_after_max_attempts_and_nothing_is_written(
    store: FirestoreStore,
) -> None:
    attempts: list[int] = []

    def run(tx: Transaction) -> None:
        attempts.append(1)
        tx.set("counters/c", {"written": True})
        raise Aborted("simulated conflict")

    with pytest.raises(ContentionError, match="after 3 attempts") as caught:
        store.run_transaction(run, max_attempts=3)
    assert isinstance(caught.value.__cause__, Aborted)
    assert len(attempts) == 3
    assert store.last_retries == 2
    assert store.get_all(["counters/c"]) == {"counters/c": None}


def test_other_errors_roll_back_without_retry(store: FirestoreStore) -> None:
    attempts: list[int] = []

    def run(tx: Transaction) -> None:
        attempts.append(1)
        tx.get_all(["counters/c"])
        tx.set("counters/c", {"written": True})
        raise RuntimeError("hook failed")

    with pytest.raises(RuntimeError, match="hook failed"):
        store.run_transaction(run)
    assert attempts == [1]
    assert store.get_all(["counters/c"]) == {"counters/c": None}
    store.run_transaction(lambda tx: tx.set("counters/c", {"n": 0}))  # no lock was left behind
    assert store.last_retries == 0


def test_two_transactions_that_really_conflict_both_commit_after_a_retry(
    firestore_client: Client,
) -> None:
    firestore_client.document("counters/c").set({"n": 0})
    store = FirestoreStore(firestore_client)  # shared, as concurrent invocations share it
    both_read = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []
    retries: list[int] = []

    def worker() -> None:
        attempts: list[int] = []

        def increment(tx: Transaction) -> None:
            attempts.append(1)
            current = tx.get_all(["counters/c"])["counters/c"]
            assert current is not None
            if len(attempts) == 1:
                both_read.wait()  # both hold a read lock before either writes: a real conflict
            tx.set("counters/c", {"n": current.data["n"] + 1})

        try:
            store.run_transaction(increment, max_attempts=10)
            retries.append(store.last_retries)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert firestore_client.document("counters/c").get().to_dict() == {"n": 2}
    assert len(retries) == 2
    assert max(retries) >= 1  # the conflict cost a retry, reported to the thread that paid it


def test_query_pages_by_document_name_outside_and_inside_a_transaction(
    store: FirestoreStore, firestore_client: Client
) -> None:
    for index in (3, 1, 4, 0, 2):
        firestore_client.document(f"meetings/p{index}").set({"users": ["ada"]})
    firestore_client.document("meetings/other").set({"users": ["bob"]})

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
    # inside, the first query also begins the transaction (new_transaction in its request)
    assert store.run_transaction(pages) == expected
    with pytest.raises(ValueError, match="at least 1"):
        store.query("meetings", "users", "array-contains", "ada", limit=0)


def test_a_transaction_whose_first_read_is_a_query_locks_what_it_read(
    store: FirestoreStore, firestore_client: Client
) -> None:
    """The transaction begun by a query's request is the one that commits: a document the query
    returned cannot be changed by another writer between the read and the commit."""
    firestore_client.document("counters/c").set({"n": 0, "kind": "c"})
    attempts: list[int] = []
    other: list[str] = []

    def plain_update() -> None:
        try:
            firestore_client.document("counters/c").update({"n": 10})
            other.append("applied")
        except Exception as exc:  # the emulator may refuse a write that waited for the lock
            other.append(type(exc).__name__)

    def run(tx: Transaction) -> int:
        attempts.append(1)
        (doc,) = tx.query("counters", "kind", "==", "c")
        if len(attempts) == 1:
            worker = threading.Thread(target=plain_update)
            worker.start()  # waits for this transaction's lock (or makes it retry)
            worker.join(0.5)
        tx.set("counters/c", {"n": doc.data["n"] + 1, "kind": "c"})
        return int(doc.data["n"])

    seen = store.run_transaction(run, max_attempts=5)
    deadline = threading.Event()
    for _ in range(100):  # the plain update ends within the emulator's lock timeout
        if other:
            break
        deadline.wait(0.05)
    final = store.get_all(["counters/c"])["counters/c"]
    assert final is not None
    # serializable: the update went first (seen 10, final 11), waited and went after (seen 0,
    # final 10), or was refused (seen 0, final 1); never applied in between and overwritten
    if other == ["applied"]:
        assert (seen, final.data["n"]) in {(10, 11), (0, 10)}
    else:
        assert other, "the plain update neither applied nor failed"
        assert (seen, final.data["n"]) == (0, 1)
