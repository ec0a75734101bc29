"""Fault injection for the engine's storage port: a store wrapper that fails chosen I/O steps.

:class:`FaultyStore` implements :class:`~boiler_core.store.port.Store` around any store (the
in-memory double or Firestore) and raises :class:`InjectedFault` at the I/O steps of an
invocation, as a crash, a dropped connection or a timed-out commit would:

=========================  ========================================================================
``before-read``            a read (``get_all`` or ``query``) never reaches the store
``after-read``             a read returned, the invocation dies before using it
``before-write``           the transaction function dies while buffering a set or delete
``commit-aborted``         the transaction function finished; the commit never happens
``commit-unacknowledged``  the commit applied, then the invocation died (later work undone)
=========================  ========================================================================

Decisions come from one random generator per invocation, seeded with the run's seed and the
invocation's key (:meth:`FaultyStore.invocation`), so a single-threaded replay makes exactly the
same decisions. The invocation is a context variable, so the engine's chunk threads (which run
with a copy of the invoking context) are inside it too; their steps draw from the same generator,
so a replay is exact only with one chunk thread (``Engine(parallel=1)``). Outside an invocation
nothing is injected (seeding, verification). Short pauses can be injected as well, to make
threads interleave inside transactions.
"""

from __future__ import annotations

import contextvars
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from boiler_core.documents import Doc
from boiler_core.errors import StoreError
from boiler_core.store.port import QueryOp, Store, Transaction

T = TypeVar("T")
FaultPoint = Literal[
    "before-read", "after-read", "before-write", "commit-aborted", "commit-unacknowledged"
]
FAULT_POINTS: tuple[FaultPoint, ...] = (
    "before-read",
    "after-read",
    "before-write",
    "commit-aborted",
    "commit-unacknowledged",
)
"""Every I/O step a fault can be injected at, in the order an invocation meets them."""


class InjectedFault(StoreError):
    """Raised by :class:`FaultyStore` at an I/O step it chose to fail; never by a real store."""

    def __init__(self, point: FaultPoint, key: str) -> None:
        super().__init__(f"injected fault at {point} of invocation {key}")
        self.point = point
        """Where the invocation was made to fail."""


@dataclass(frozen=True)
class FaultPlan:
    """How often :class:`FaultyStore` fails, and where."""

    rate: float = 0.0
    """Probability that one I/O step fails (each step decides on its own)."""

    points: tuple[FaultPoint, ...] = FAULT_POINTS
    """The steps that may fail."""

    pause_rate: float = 0.0
    """Probability that an I/O step first sleeps a little (to interleave threads)."""

    max_pause: float = 0.002
    """Longest injected pause, in seconds."""


class FaultyStore:
    """A :class:`~boiler_core.store.port.Store` that fails I/O steps of invocations on purpose.

    Wrap the store an engine uses, and run each invocation inside :meth:`invocation`. The counts
    of injected faults, per step, are in :meth:`injected`.
    """

    def __init__(self, inner: Store, plan: FaultPlan, *, seed: int) -> None:
        for value in (plan.rate, plan.pause_rate):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"fault and pause rates are probabilities in [0, 1], not {value}")
        self.inner = inner
        self.plan = plan
        self.seed = seed
        self._state: contextvars.ContextVar[tuple[str, random.Random] | None] = (
            contextvars.ContextVar(f"boiler-faults-{id(self)}", default=None)
        )
        self._lock = threading.Lock()
        self._injected: Counter[FaultPoint] = Counter()

    @contextmanager
    def invocation(self, key: str) -> Iterator[None]:
        """Inject faults into the store calls of the block (and of threads it starts with a copy
        of its context), decided by a generator seeded with ``(seed, key)``; ``key`` names the
        invocation (``e12.1``)."""
        token = self._state.set((key, random.Random(f"{self.seed}/{key}")))
        try:
            yield
        finally:
            self._state.reset(token)

    def injected(self) -> dict[FaultPoint, int]:
        """Faults injected so far, per step (every step listed, zeros included)."""
        with self._lock:
            return {point: self._injected[point] for point in FAULT_POINTS}

    # -- Reader ----------------------------------------------------------------------------------

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        """Read through the inner store, failing before or after the read if so decided."""
        self.step("before-read")
        docs = self.inner.get_all(paths)
        self.step("after-read")
        return docs

    def query(
        self,
        collection: str,
        field: str,
        op: QueryOp,
        value: Any,
        *,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Doc]:
        """Query through the inner store, failing before or after it if so decided."""
        self.step("before-read")
        docs = self.inner.query(collection, field, op, value, after=after, limit=limit)
        self.step("after-read")
        return docs

    # -- Store -----------------------------------------------------------------------------------

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        """Run ``fn`` in the inner store's transaction, with faults inside it and around the
        commit (aborted before it, or unacknowledged after it)."""

        def attempt(tx: Transaction) -> T:
            result = fn(_FaultyTransaction(tx, self))
            self.step("commit-aborted")
            return result

        result = self.inner.run_transaction(attempt, max_attempts=max_attempts)
        self.step("commit-unacknowledged")
        return result

    @property
    def last_retries(self) -> int:
        """The inner store's retry count of the calling thread's latest transaction."""
        return self.inner.last_retries

    @property
    def last_commit_time(self) -> int | None:
        """The inner store's commit time of the calling thread's latest transaction."""
        return self.inner.last_commit_time

    # -- decisions -------------------------------------------------------------------------------

    def step(self, point: FaultPoint) -> None:
        """One I/O step of the current invocation: maybe pause, maybe raise InjectedFault."""
        state = self._state.get()
        if state is None:
            return
        key, rng = state
        if self.plan.pause_rate and rng.random() < self.plan.pause_rate:
            time.sleep(rng.uniform(0.0, self.plan.max_pause))
        if point in self.plan.points and rng.random() < self.plan.rate:
            with self._lock:
                self._injected[point] += 1
            raise InjectedFault(point, key)


class _FaultyTransaction:
    """A transaction whose reads and buffered writes pass through :meth:`FaultyStore.step`."""

    def __init__(self, inner: Transaction, store: FaultyStore) -> None:
        self._inner = inner
        self._store = store

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        self._store.step("before-read")
        docs = self._inner.get_all(paths)
        self._store.step("after-read")
        return docs

    def query(
        self,
        collection: str,
        field: str,
        op: QueryOp,
        value: Any,
        *,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Doc]:
        self._store.step("before-read")
        docs = self._inner.query(collection, field, op, value, after=after, limit=limit)
        self._store.step("after-read")
        return docs

    def set(self, path: str, data: Mapping[str, Any]) -> None:
        self._store.step("before-write")
        self._inner.set(path, data)

    def delete(self, path: str) -> None:
        self._store.step("before-write")
        self._inner.delete(path)
