"""Invocations in one process recompute a root one after another instead of racing their
transactions for it (boiler_core/engine/serial.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from delegating import Delegating
from meeting_room.fixture import MEETING_ID

from boiler_core.engine import Engine
from boiler_core.engine.serial import RootLocks
from boiler_core.store.memory import MemoryStore
from boiler_core.store.port import Transaction
from boiler_core.testing import Harness, update

T = TypeVar("T")
WAIT = 10.0
"""Seconds a test waits for another thread before it fails (never reached when it passes)."""


def test_a_held_root_is_busy_for_others_and_free_again_once_released() -> None:
    locks = RootLocks()
    first, second = locks.holder(), locks.holder()
    first.wait_for([("v", "b"), ("v", "a")])
    assert first.keys == {("v", "a"), ("v", "b")}
    assert second.take([("v", "a"), ("v", "c")]) == [("v", "a")]
    assert second.keys == {("v", "c")}
    assert second.contended
    assert second.take([("w", "a")]) == []  # another view's root of the same id
    first.release()
    assert second.take([("v", "a")]) == []
    second.release()
    assert len(locks) == 0  # nothing kept once nobody holds or waits


def test_waiting_for_a_held_root_blocks_until_it_is_released() -> None:
    locks = RootLocks()
    first = locks.holder()
    first.wait_for([("v", "a")])
    second = locks.holder()
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(second.wait_for, [("v", "b"), ("v", "a")])
        first.release()
        waiting.result(timeout=WAIT)
    assert second.keys == {("v", "a"), ("v", "b")}
    second.release()
    assert len(locks) == 0


class StallFirstSessions(Delegating[MemoryStore]):
    """Stalls the first transaction that writes `meeting_sessions` before its commit, until
    another transaction attempt has ended without committing (a chunk that found the root busy
    and gave its attempt up), or ``WAIT`` seconds. Counts the attempts that ended so."""

    def __init__(self, inner: MemoryStore) -> None:
        super().__init__(inner)
        self.stalling = threading.Event()
        self.gave_up = threading.Event()
        self.abandoned = 0
        self._lock = threading.Lock()
        self._first = True

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        with self._lock:
            stall, self._first = self._first, False

        def attempt(tx: Transaction) -> T:
            try:
                result = fn(tx)
            except Exception:
                with self._lock:
                    self.abandoned += 1
                self.gave_up.set()
                raise
            if stall:
                self.stalling.set()
                self.gave_up.wait(WAIT)
            return result

        return self.inner.run_transaction(attempt, max_attempts=max_attempts)


def test_a_duplicate_delivered_during_a_recompute_waits_for_it_instead_of_racing(
    seeded: Harness,
) -> None:
    """Both deliveries find the meeting through the same query inside their transactions: the
    second sees the root busy, gives its attempt up before reading further, waits, then finds
    everything written. Without the locks its transaction commits first, and the stalled one
    conflicts and retries (optimistic store), or both wait on each other (Firestore)."""
    change = update(seeded.store, "tickets/tj_t", {"attendance": False})
    store = StallFirstSessions(seeded.store)
    engine = Engine(seeded.manifest, store, log=lambda entry: None)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(engine.handle, change)
        assert store.stalling.wait(WAIT)
        second = engine.handle(change)
        first_cost = first.result(timeout=WAIT)

    assert store.abandoned == 1
    assert (first_cost.retries, first_cost.writes) == (0, 4)  # the master and three copies
    assert (second.retries, second.writes, second.waited) == (0, 0, 1)
    attending = (seeded.store.doc(f"meeting_sessions/{MEETING_ID}") or {})["attending"]
    assert "Tijuana Furlong" not in [a["name"] for a in attending]
