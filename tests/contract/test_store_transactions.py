"""The store contract, transactions: reads, buffered writes, conflicts and retries, errors,
update times. Every test runs against the three stores of tests/contract/conftest.py."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from google.api_core.exceptions import Aborted
from google.cloud.firestore import DocumentReference
from store_contract import Subject, put

from boiler_core.documents import Doc, Ref
from boiler_core.errors import ContentionError, Rejected, StoreError
from boiler_core.store.port import ListingStore, Transaction


@pytest.fixture
def seeded(store: ListingStore) -> ListingStore:
    put(
        store,
        {
            "users/ada": {"name": "Ada"},
            "users/bob": {"name": "Bob"},
            "meetings/m1": {"users": [Ref("users/ada")]},
            "counters/c": {"n": 0},
        },
    )
    return store


def test_a_transaction_reads_queries_then_sets_and_deletes_on_commit(
    seeded: ListingStore,
) -> None:
    def run(tx: Transaction) -> int:
        ada = tx.get_all(["users/ada"])["users/ada"]
        found = tx.query("meetings", "users", "array-contains", Ref("users/ada"))
        assert ada is not None
        tx.set("views/ada", {"name": ada.data["name"], "meetings": [d.ref for d in found]})
        tx.delete("users/bob")
        tx.delete("users/never-existed")
        return len(found)

    assert seeded.run_transaction(run) == 1
    assert seeded.last_retries == 0
    assert seeded.get_all(["views/ada", "users/bob"]) == {
        "views/ada": Doc("views/ada", {"name": "Ada", "meetings": [Ref("meetings/m1")]}),
        "users/bob": None,
    }


def test_a_transaction_that_reads_nothing_still_commits(store: ListingStore) -> None:
    assert store.run_transaction(lambda tx: tx.set("blind/w", {"n": 1})) is None
    assert store.get_all(["blind/w"])["blind/w"] == Doc("blind/w", {"n": 1})


def test_a_set_replaces_the_whole_document(seeded: ListingStore) -> None:
    put(seeded, {"users/ada": {"age": 36}})
    assert seeded.get_all(["users/ada"])["users/ada"] == Doc("users/ada", {"age": 36})


def test_writes_are_invisible_until_the_commit(seeded: ListingStore) -> None:
    seen: list[Any] = []

    def run(tx: Transaction) -> None:
        tx.set("views/new", {"n": 1})
        tx.delete("users/ada")
        seen.append(seeded.get_all(["views/new", "users/ada"]))  # outside the transaction

    seeded.run_transaction(run)
    assert seen == [{"views/new": None, "users/ada": Doc("users/ada", {"name": "Ada"})}]


def test_reads_after_the_first_write_are_refused(seeded: ListingStore) -> None:
    def late_read(tx: Transaction) -> None:
        tx.set("views/v1", {})
        tx.get_all(["users/ada"])

    def late_query(tx: Transaction) -> None:
        tx.delete("views/v1")
        tx.query("meetings", "users", "array-contains", Ref("users/ada"))

    for fn in (late_read, late_query):
        with pytest.raises(StoreError, match="reads before its first write"):
            seeded.run_transaction(fn)
    assert seeded.get_all(["views/v1"]) == {"views/v1": None}


def test_an_error_in_the_function_rolls_back_without_retry(seeded: ListingStore) -> None:
    attempts: list[int] = []

    def run(tx: Transaction) -> None:
        attempts.append(1)
        tx.get_all(["counters/c"])
        tx.set("counters/c", {"written": True})
        raise RuntimeError("hook failed")

    with pytest.raises(RuntimeError, match="hook failed"):
        seeded.run_transaction(run)
    assert attempts == [1]
    assert seeded.get_all(["counters/c"])["counters/c"] == Doc("counters/c", {"n": 0})
    seeded.run_transaction(lambda tx: tx.set("counters/c", {"n": 5}))  # no lock was left behind
    assert seeded.last_retries == 0


def test_a_conflicting_attempt_is_retried_and_only_the_last_one_commits(
    subject: Subject, seeded: ListingStore
) -> None:
    attempts: list[int] = []

    def run(tx: Transaction) -> str:
        attempts.append(len(attempts) + 1)
        tx.get_all(["counters/c"])
        if len(attempts) < 3:
            subject.conflict("counters/c")
        tx.set("views/v", {"attempt": len(attempts)})
        return "done"

    assert seeded.run_transaction(run, max_attempts=5) == "done"
    assert attempts == [1, 2, 3]
    assert seeded.last_retries == 2
    assert seeded.get_all(["views/v"])["views/v"] == Doc("views/v", {"attempt": 3})


def test_contention_error_after_max_attempts_and_nothing_is_written(
    subject: Subject, seeded: ListingStore
) -> None:
    attempts: list[int] = []

    def run(tx: Transaction) -> None:
        attempts.append(1)
        tx.get_all(["counters/c"])
        subject.conflict("counters/c")
        tx.set("views/v", {"written": True})

    with pytest.raises(ContentionError, match="after 3 attempts"):
        seeded.run_transaction(run, max_attempts=3)
    assert len(attempts) == 3
    assert seeded.last_retries == 2
    assert seeded.get_all(["views/v"]) == {"views/v": None}
    with pytest.raises(ValueError, match="at least 1"):
        seeded.run_transaction(run, max_attempts=0)


def test_two_transactions_that_really_conflict_both_commit(seeded: ListingStore) -> None:
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
                both_read.wait()  # both read before either writes: a real conflict
            tx.set("counters/c", {"n": current.data["n"] + 1})

        try:
            seeded.run_transaction(increment, max_attempts=10)
            retries.append(seeded.last_retries)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert seeded.get_all(["counters/c"])["counters/c"] == Doc("counters/c", {"n": 2})
    assert len(retries) == 2
    assert max(retries) >= 1  # the conflict cost a retry, reported to the thread that paid it


def test_update_times_come_from_the_commit_and_move_with_each_write(
    seeded: ListingStore,
) -> None:
    before = seeded.get_all(["users/ada"])["users/ada"]
    assert before is not None
    assert before.update_time is not None

    def write_two(tx: Transaction) -> None:
        tx.get_all(["users/ada"])
        tx.set("users/ada", {"name": "Ada L."})
        tx.set("views/new", {"name": "new"})

    seeded.run_transaction(write_two)
    committed = seeded.last_commit_time
    assert committed is not None
    assert committed > before.update_time
    docs = seeded.get_all(["users/ada", "views/new", "users/bob"])
    assert [doc.update_time for doc in docs.values() if doc] == [committed, committed, _bob(docs)]
    assert _bob(docs) < committed  # untouched
    (queried,) = seeded.query("views", "name", "==", "new")
    assert queried.update_time == committed
    assert [d.update_time for d in seeded.list_documents("views")] == [committed]

    seeded.run_transaction(lambda tx: tx.delete("views/new"))
    assert seeded.last_commit_time is None  # nothing set
    assert seeded.get_all(["views/new"]) == {"views/new": None}


def _bob(docs: dict[str, Doc | None]) -> int:
    bob = docs["users/bob"]
    assert bob is not None
    assert bob.update_time is not None
    return bob.update_time


# -- what only Firestore does -------------------------------------------------------------------


def test_references_are_stored_as_firestore_references(firestore_subject: Subject) -> None:
    subject = firestore_subject
    put(subject.store, {"views/ada": {"meetings": [Ref("meetings/m1")], "by": Ref("users/ada")}})
    stored = subject.client.document("views/ada").get().to_dict() or {}
    assert isinstance(stored["by"], DocumentReference)
    assert [ref.path for ref in stored["meetings"]] == ["meetings/m1"]


def test_data_firestore_cannot_store_is_rejected(firestore_subject: Subject) -> None:
    subject = firestore_subject
    with pytest.raises(Rejected, match="Firestore rejected it"):
        put(subject.store, {"views/bad": {"grid": [[1, 2], [3]]}})
    assert subject.store.get_all(["views/bad"]) == {"views/bad": None}


def test_an_abort_while_reading_is_retried(firestore_subject: Subject) -> None:
    """The emulator answers a read that waited too long for a lock with ``Aborted``."""
    subject = firestore_subject
    seeded = subject.store
    attempts: list[int] = []

    def run(tx: Transaction) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise Aborted("409 Transaction lock timeout")
        tx.get_all(["counters/c"])
        tx.set("counters/c", {"n": 1})

    seeded.run_transaction(run)
    assert (len(attempts), seeded.last_retries) == (2, 1)


def test_a_transaction_whose_first_read_is_a_query_locks_what_it_read(
    firestore_subject: Subject,
) -> None:
    """The transaction begun by a query is the one that commits: a document the query returned
    cannot be changed by another writer between the read and the commit."""
    subject = firestore_subject
    client = subject.client
    assert client is not None
    store = subject.store
    client.document("counters/c").set({"n": 0, "kind": "c"})
    attempts: list[int] = []
    other: list[str] = []

    def plain_update() -> None:
        try:
            client.document("counters/c").update({"n": 10})
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
