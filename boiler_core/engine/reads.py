"""Counting what reads cost, the way Firestore bills them, around any :class:`Reader`.

``get_all`` costs one read per requested document, found or missing. A query costs one read per
document returned and at least one read even when it returns nothing. Reads made inside a
transaction attempt that later conflicts are billed as well, so the tally lives outside the
transaction and keeps counting across attempts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from boiler_core.documents import Doc
from boiler_core.store.port import QueryOp, Reader


@dataclass
class Tally:
    """Running totals of billed reads and of queries."""

    reads: int = 0
    queries: int = 0


class CountingReader:
    """A :class:`Reader` that adds what each call costs to a :class:`Tally`."""

    def __init__(self, reader: Reader, tally: Tally) -> None:
        self._reader = reader
        self.tally = tally

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        """Read documents by path; one billed read each. An empty request costs nothing."""
        if not paths:
            return {}
        self.tally.reads += len(paths)
        return self._reader.get_all(paths)

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
        """Run a query; billed one read per result, at least one."""
        docs = self._reader.query(collection, field, op, value, after=after, limit=limit)
        self.tally.queries += 1
        self.tally.reads += max(1, len(docs))
        return docs


class CachedReader:
    """A :class:`Reader` for one transaction attempt that reads each document at most once.

    Documents requested again (and documents a query returned) are answered from what this
    attempt already read, so the engine can fetch everything it can predict in one ``get_all``
    and let later steps ask again for free. Queries always go to the store.
    """

    def __init__(self, reader: Reader) -> None:
        self._reader = reader
        self.read: dict[str, Doc | None] = {}
        """Every document read so far, by path (None: read and missing)."""

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        """Read the paths not read yet, in one call; answer all from the cache."""
        missing = [path for path in dict.fromkeys(paths) if path not in self.read]
        if missing:
            self.read.update(self._reader.get_all(missing))
        return {path: self.read.get(path) for path in paths}

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
        """Run a query (never cached); its results join the cache."""
        docs = self._reader.query(collection, field, op, value, after=after, limit=limit)
        self.read.update((doc.path, doc) for doc in docs)
        return docs
