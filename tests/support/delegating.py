"""A store wrapper that hands every call to the store it wraps: the base of the tests' doubles
that change one behaviour (stall, contend, interrupt) and leave the rest of the port alone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from boiler_core.documents import Doc
from boiler_core.store.port import QueryOp, Store, Transaction

S = TypeVar("S", bound=Store)
T = TypeVar("T")


class Delegating(Generic[S]):
    """:class:`~boiler_core.store.port.Store` on ``inner``; subclasses override what they change."""

    def __init__(self, inner: S) -> None:
        self.inner = inner

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        return self.inner.get_all(paths)

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
        return self.inner.query(collection, field, op, value, after=after, limit=limit)

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        return self.inner.run_transaction(fn, max_attempts=max_attempts)

    @property
    def last_retries(self) -> int:
        return self.inner.last_retries

    @property
    def last_commit_time(self) -> int | None:
        return self.inner.last_commit_time
