"""One recompute of a root at a time within a process: per-root locks (no I/O).

Invocations that run in one process at once (a functions instance serving several events, the
local runtime, the fault tier's threads) often recompute the same root: duplicates of one event,
or events of neighbouring documents (two tickets of one meeting). Their transactions read and
write the same view documents, so the database makes one of them wait or fail and retry; on
Firestore's pessimistic locks (and the emulator's 2-second lock timeout) that turns into
retries and give-ups. :class:`RootLocks` lets the engine run those recomputes one after another
instead: a chunk holds the lock of each root it recomputes while its transaction runs.

Locks never make a transaction wait while it holds database locks: the roots known before a
transaction are locked before it begins (blocking, in sorted order, so two chunks cannot wait
for each other); the roots a transaction finds with a query are only *tried* (:meth:`Held.take`),
and when one is busy the transaction gives up its attempt, the chunk waits for that root with
no transaction open, and runs the transaction again (:mod:`.engine`). Correctness never depends
on these locks: they only order recomputes that the transactions would serialize anyway.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

Key = tuple[str, str]
"""``(view, root id)``."""


class RootLocks:
    """A lock per key, created on first use and dropped when nobody holds or awaits it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[Key, tuple[threading.Lock, int]] = {}

    def holder(self) -> Held:
        """An empty set of held keys (one per chunk)."""
        return Held(self)

    def _lock(self, key: Key) -> threading.Lock:
        """The lock of ``key``, counted as used until :meth:`_unuse`."""
        with self._guard:
            lock, users = self._locks.get(key, (None, 0))
            if lock is None:
                lock = threading.Lock()
            self._locks[key] = (lock, users + 1)
            return lock

    def _unuse(self, key: Key) -> None:
        with self._guard:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        """Keys held or awaited right now."""
        with self._guard:
            return len(self._locks)


class Held:
    """The keys one chunk holds; release them with :meth:`release` (also on failure)."""

    def __init__(self, locks: RootLocks) -> None:
        self._locks = locks
        self._held: dict[Key, threading.Lock] = {}
        self.contended = False
        """Whether a key this chunk wanted was held by another chunk (found busy by
        :meth:`take`, or waited for by :meth:`wait_for`)."""

    @property
    def keys(self) -> frozenset[Key]:
        """The keys held."""
        return frozenset(self._held)

    def wait_for(self, keys: Iterable[Key]) -> None:
        """Hold ``keys`` besides those held, waiting as long as it takes. Call it only while no
        transaction is open. Every key is released first and all are taken again in sorted
        order, so two chunks never wait for each other."""
        wanted = sorted(set(keys) | set(self._held))
        if set(wanted) == set(self._held):
            return
        self.release()
        for key in wanted:
            lock = self._locks._lock(key)
            if not lock.acquire(blocking=False):
                self.contended = True
                lock.acquire()
            self._held[key] = lock

    def take(self, keys: Iterable[Key]) -> list[Key]:
        """Hold each of ``keys`` that is free, without waiting; return those another chunk
        holds (not held by this one)."""
        busy: list[Key] = []
        for key in sorted(set(keys) - set(self._held)):
            lock = self._locks._lock(key)
            if lock.acquire(blocking=False):
                self._held[key] = lock
            else:
                self._locks._unuse(key)
                busy.append(key)
        self.contended |= bool(busy)
        return busy

    def release(self) -> None:
        """Release every key held."""
        for key, lock in self._held.items():
            lock.release()
            self._locks._unuse(key)
        self._held.clear()
