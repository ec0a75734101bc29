"""Overlapping invocations on the real emulator (real transactions, FirestoreStore).

The engine's convergence argument (docs/internals/consistency.md) rests on two properties of
Firestore that the in-memory double only imitates; these tests check them on the emulator with
the exact interleavings that would break them:

* The ABA trap (docs/internals/consistency.md): invocation A has read the view and its sources
  (the changed ticket among them) and stalls; c2 reverts c1. Under the emulator's pessimistic
  locks c2's write of the ticket waits for A's read lock on it, so B, handling c2, recomputes
  after A's commit and cannot skip against the old view.
* A document newly matching a query the transaction ran (a phantom) is held back the same way.
* Affected roots are found outside the transaction: a link changed between that discovery and the
  transaction is handled by its own event.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from google.cloud.firestore import Client
from interleavings import BeforeTransaction, StalledCommit
from meeting_room.fixture import (
    EXPECTED_MEETING_SESSION,
    LOCATION_ID,
    MEETING_ID,
    fixture_documents,
)
from meeting_room_app import VIEWS_YAML

from boiler_core.documents import Ref
from boiler_core.engine import Engine
from boiler_core.manifest import Manifest, load_manifest
from boiler_core.store.firestore import FirestoreStore
from boiler_core.testing import visible
from boiler_core.testing.oracle import expected_views, stored_views
from boiler_core.testing.writes import write_change

pytestmark = pytest.mark.integration

MASTER = f"meeting_sessions/{MEETING_ID}"
MEETING = f"meetings/{MEETING_ID}"
BLOCKED_CHECK = 0.5
"""Seconds a write must stay blocked behind a stalled transaction (lock waits end after ~2 s)."""


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load_manifest(VIEWS_YAML)


@pytest.fixture
def store(firestore_client: Client) -> FirestoreStore:
    return FirestoreStore(firestore_client)


@pytest.fixture
def seeded(manifest: Manifest, store: FirestoreStore) -> Engine:
    """The fixture written and handled in order; returns the engine used."""
    engine = Engine(manifest, store, log=lambda entry: None)
    for path, data in fixture_documents().items():
        engine.handle(write_change(store, path, data))
    return engine


class Background:
    """A function running in a thread; :meth:`result` joins it and re-raises its error."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.done = threading.Event()
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[[], Any]) -> None:
        try:
            self._value = fn()
        except BaseException as exc:
            self._error = exc
        finally:
            self.done.set()

    def result(self, timeout: float = 30.0) -> Any:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "background step did not finish"
        if self._error is not None:
            raise self._error
        return self._value


def read(store: FirestoreStore, path: str) -> dict[str, Any]:
    """The data of an existing document."""
    doc = store.get_all([path])[path]
    assert doc is not None, f"{path} does not exist"
    return dict(doc.data)


def with_fields(path: str, **fields: Any) -> dict[str, Any]:
    """The fixture's document at ``path`` with ``fields`` changed."""
    return {**fixture_documents()[path], **fields}


def assert_views_are_a_recompute(
    manifest: Manifest, store: FirestoreStore, *, lists: bool = True
) -> None:
    """Stored views equal a scratch build; ``lists=False`` leaves ``_deep_sources`` out (an
    engine with ``index=False`` wrote some of the masters, without it)."""
    stored, expected = stored_views(manifest, store), expected_views(manifest, store)
    if not lists:
        stored, expected = _without_lists(stored), _without_lists(expected)
    assert stored == expected


def _without_lists(views: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {p: {k: v for k, v in d.items() if k != "_deep_sources"} for p, d in views.items()}


def test_aba_stalled_invocation_cannot_overwrite_the_reverting_change(
    manifest: Manifest, store: FirestoreStore, seeded: Engine
) -> None:
    c1 = write_change(store, "tickets/tj_t", with_fields("tickets/tj_t", attendance=False))
    stalled = StalledCommit(store)
    a = Background(lambda: Engine(manifest, stalled, log=lambda e: None).handle(c1))
    assert stalled.has_read.wait(30), "invocation A never reached its commit"
    # A read the ticket in its transaction, as it reads every source
    assert "tickets/tj_t" in stalled.stalled_reads
    assert MASTER in stalled.stalled_reads

    # so c2 (reverting c1) cannot commit while A holds its read lock on the ticket: B cannot
    # handle c2 before A's commit, and finds f(s1) stored, not a view equal to f(s2)
    c2 = Background(lambda: write_change(store, "tickets/tj_t", with_fields("tickets/tj_t")))
    assert not c2.done.wait(BLOCKED_CHECK), "c2 committed while A held its read lock on the ticket"

    stalled.release()
    a_cost = a.result()
    b_cost = seeded.handle(c2.result())
    assert (a_cost.writes, b_cost.writes) == (4, 4), (a_cost, b_cost)
    assert visible(read(store, MASTER)) == EXPECTED_MEETING_SESSION
    assert_views_are_a_recompute(manifest, store)


def test_a_document_entering_a_queried_range_waits_for_the_transaction(
    manifest: Manifest, store: FirestoreStore, seeded: Engine
) -> None:
    # the ABA trap through a query: joshua's profile lists meeting_1 (found by a query join);
    # c1 deletes the meeting, A recomputes the profile without it and stalls; c2 recreates the
    # meeting, matching A's query again; B handles c2 and must not skip against the old profile
    c1 = write_change(store, MEETING, None)
    stalled = StalledCommit(store, at=2)  # 1: meeting_sessions, 2: the profiles of its members
    # parallel=1: the views in turn, so that the second transaction is the profiles'
    a = Background(lambda: Engine(manifest, stalled, log=lambda e: None, parallel=1).handle(c1))
    assert stalled.has_read.wait(30), "invocation A never reached its commit"
    assert "user_profiles/joshua" in stalled.stalled_reads
    assert "meetings?users array-contains" in stalled.stalled_reads
    assert MEETING not in stalled.stalled_reads  # only the query can hold c2 back

    c2 = Background(lambda: write_change(store, MEETING, with_fields(MEETING)))
    assert not c2.done.wait(BLOCKED_CHECK), "a new match of A's query committed during A"

    stalled.release()
    a.result()
    seeded.handle(c2.result())
    meetings = read(store, "user_profiles/joshua")["meetings"]
    assert [m["meeting"] for m in meetings] == [MEETING_ID]
    assert_views_are_a_recompute(manifest, store)


# Below, A handles a move of meeting_1's location; transaction 1 is meeting_sessions', transaction
# 2 the profiles'. Climbing (index=False), A finds the profiles outside any transaction: meetings
# at that location (a reverse query), then their users; B runs completely between that discovery
# and transaction 2. Through the masters (index=True, the default), A finds them inside
# transaction 2, with a query on the profiles listing the location: B's profile write, committed
# before, is then seen. A runs with parallel=1 so that its views run in that order.
LOCATION = f"locations/{LOCATION_ID}"


@pytest.mark.parametrize(("index", "found"), [(False, 3), (True, 4)])
def test_a_member_added_between_root_discovery_and_the_transaction_is_not_missed(
    manifest: Manifest, store: FirestoreStore, seeded: Engine, index: bool, found: int
) -> None:
    lorenzo = {"first_name": "Lorenzo", "last_name": "Ruiz", "organization": "UCLA"}
    seeded.handle(write_change(store, "users/lorenzo", lorenzo))
    move = write_change(store, LOCATION, with_fields(LOCATION, address="1 Market St"))

    def lorenzo_joins_meeting_1() -> None:
        users = [*fixture_documents()[MEETING]["users"], Ref("users/lorenzo")]
        seeded.handle(write_change(store, MEETING, with_fields(MEETING, users=users)))

    racing = BeforeTransaction(store, lorenzo_joins_meeting_1, at=2)
    cost = Engine(manifest, racing, log=lambda e: None, index=index, parallel=1).handle(move)

    # climbing, discovery ran before he joined: his profile was not A's to do; through the
    # masters, his profile (listing the location since he joined) is found and recomputed again
    assert cost.roots == 1 + found
    meetings = read(store, "user_profiles/lorenzo")["meetings"]
    assert meetings == [{"meeting": MEETING_ID, "status": "in-session", "address": "1 Market St"}]
    assert_views_are_a_recompute(manifest, store, lists=index)


@pytest.mark.parametrize(("index", "found"), [(False, 3), (True, 2)])
def test_a_member_removed_between_root_discovery_and_the_transaction_loses_the_meeting(
    manifest: Manifest, store: FirestoreStore, seeded: Engine, index: bool, found: int
) -> None:
    move = write_change(store, LOCATION, with_fields(LOCATION, address="1 Market St"))

    def joshua_leaves_meeting_1() -> None:
        without = with_fields(MEETING, users=[Ref("users/tijuana"), Ref("users/thomasina")])
        seeded.handle(write_change(store, MEETING, without))

    racing = BeforeTransaction(store, joshua_leaves_meeting_1, at=2)
    cost = Engine(manifest, racing, log=lambda e: None, index=index, parallel=1).handle(move)

    # climbing, joshua's profile is recomputed needlessly, which is harmless; through the
    # masters, his profile no longer lists the location and is not found
    assert cost.roots == 1 + found
    assert read(store, "user_profiles/joshua")["meetings"] == []
    copy = f"users/joshua/meeting_sessions/{MEETING_ID}"
    assert store.get_all([copy])[copy] is None
    assert_views_are_a_recompute(manifest, store, lists=index)
