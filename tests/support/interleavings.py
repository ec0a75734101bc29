"""Store wrappers that force one interleaving of two invocations, on any store.

* :class:`StalledCommit` holds an invocation between its transaction's reads and its commit (the
  "A has read and stalls" of the ABA trap in docs/internals/consistency.md) until the test
  releases it.
* :class:`BeforeTransaction` runs another invocation right after this one found the affected roots
  of a view (outside any transaction) and before that view's transaction begins.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from delegating import Delegating

from boiler_core.documents import Doc
from boiler_core.store.port import QueryOp, Store, Transaction

T = TypeVar("T")
HOLD_SECONDS = 30.0
"""Longest a stalled invocation waits for its release before failing the test."""


class StalledCommit(Delegating[Store]):
    """Stalls the first attempt of transaction number ``at`` (1-based) after its reads:
    :attr:`has_read` is set, then it waits for :meth:`release`. Other attempts and transactions
    run freely; :attr:`stalled_reads` lists what the stalled attempt read."""

    def __init__(self, inner: Store, *, at: int = 1) -> None:
        super().__init__(inner)
        self.at = at
        self.has_read = threading.Event()
        self._released = threading.Event()
        self.transactions = 0
        self.stalled_reads: list[str] = []

    def release(self) -> None:
        """Let the stalled transaction go on to its commit."""
        self._released.set()

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        self.transactions += 1
        if self.transactions != self.at:
            return self.inner.run_transaction(fn, max_attempts=max_attempts)

        def stalled(tx: Transaction) -> T:
            if self.has_read.is_set():
                return fn(tx)
            recording = _Recording(tx)
            result = fn(recording)
            self.stalled_reads = recording.reads
            self.has_read.set()
            if not self._released.wait(HOLD_SECONDS):
                raise TimeoutError("the test never released the stalled transaction")
            return result

        return self.inner.run_transaction(stalled, max_attempts=max_attempts)


class _Recording:
    """A transaction that notes what it reads: paths, and queries as ``collection?field op``."""

    def __init__(self, inner: Transaction) -> None:
        self._inner = inner
        self.reads: list[str] = []

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        self.reads.extend(paths)
        return self._inner.get_all(paths)

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
        self.reads.append(f"{collection}?{field} {op}")
        return self._inner.query(collection, field, op, value, after=after, limit=limit)

    def set(self, path: str, data: Mapping[str, Any]) -> None:
        self._inner.set(path, data)

    def delete(self, path: str) -> None:
        self._inner.delete(path)


class BeforeTransaction(Delegating[Store]):
    """Runs ``interlude`` once, when transaction number ``at`` (1-based) is about to begin."""

    def __init__(self, inner: Store, interlude: Callable[[], None], *, at: int = 1) -> None:
        super().__init__(inner)
        self.at = at
        self.transactions = 0
        self._interlude = interlude

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        self.transactions += 1
        if self.transactions == self.at:
            self._interlude()
        return self.inner.run_transaction(fn, max_attempts=max_attempts)
