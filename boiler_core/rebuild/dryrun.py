"""A transaction that only looks: the engine's plan for some roots, without writing anything.

:meth:`Engine.plan <boiler_core.engine.engine.Engine.plan>` runs the engine's own transaction
function on any :class:`~boiler_core.store.port.Transaction`. Given a :class:`DryRun`, its reads go
to the store (outside any transaction, counted as billed), every document read is remembered, and
the sets and deletes it plans are recorded instead of written. Comparing what it planned with what
it read is exactly "verify": a planned set of a document read as missing is a missing view
document, of one read as present a different one; a planned delete is an extra one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from boiler_core.documents import Doc
from boiler_core.engine.reads import CountingReader, Tally
from boiler_core.engine.relevance import same_value
from boiler_core.store.port import QueryOp, Reader
from boiler_core.versions import VERSION_FIELD

_MISSING: Any = object()


class DryRun:
    """A :class:`~boiler_core.store.port.Transaction` that reads through ``reader`` and records
    the writes it is asked for without making them."""

    def __init__(self, reader: Reader) -> None:
        self.tally = Tally()
        self._reader = CountingReader(reader, self.tally)
        self.seen: dict[str, Doc | None] = {}
        """Every document read, by path (None when it did not exist)."""
        self.sets: dict[str, Mapping[str, Any]] = {}
        """Planned sets, by path."""
        self.deletes: list[str] = []
        """Planned deletes."""

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        """Read and remember documents."""
        docs = self._reader.get_all(paths)
        self.seen.update(docs)
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
        """Run a query and remember its documents."""
        docs = self._reader.query(collection, field, op, value, after=after, limit=limit)
        self.seen.update({doc.path: doc for doc in docs})
        return docs

    def set(self, path: str, data: Mapping[str, Any]) -> None:
        """Record a planned set."""
        self.sets[path] = data

    def delete(self, path: str) -> None:
        """Record a planned delete."""
        self.deletes.append(path)


def differing_fields(have: Mapping[str, Any], want: Mapping[str, Any]) -> tuple[str, ...]:
    """Top-level fields whose stored value (``have``) differs from the computed one, sorted.

    ``_version`` follows the content, so it is named only when nothing else differs (a document
    written before versions were stored). The records are named too: ``_deep_sources`` (the
    list the masters' query finds roots by) and the ``_sources`` boiler 0.2 left in masters.
    """
    names = set(have) | set(want)
    fields = sorted(
        n for n in names if not same_value(have.get(n, _MISSING), want.get(n, _MISSING))
    )
    content = tuple(n for n in fields if n != VERSION_FIELD)
    return content or tuple(fields)
