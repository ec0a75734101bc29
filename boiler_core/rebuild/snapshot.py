"""The domain documents a bulk backfill streamed, held in memory and answering the engine's reads.

``boiler backfill --bulk`` reads every source collection of the views it builds once, by cursor
(:func:`stream`), into a :class:`Snapshot`; the engine then plans every root against it, exactly as
its transactions would against Firestore, without another billed read. The snapshot is a
:class:`~boiler_core.store.port.Reader`: ``get_all`` by path, and ``query`` answered from an index
per (collection, field, operator) built on first use, so a ``query`` join costs a dictionary
look-up instead of a scan of the collection. Documents outside the snapshot (view documents
included) read as missing. Documents are copied on the way out, as the in-memory store does, so a
hook that modifies its inputs cannot change what the next root sees.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

from boiler_core.documents import Doc
from boiler_core.rebuild.paging import DEFAULT_PAGE_SIZE
from boiler_core.store.memory import copy_value, matches
from boiler_core.store.port import Lister, QueryOp

BYTES_PER_DOCUMENT = 2_000
"""Rough memory a small streamed document takes in the snapshot (a few fields and references),
for the estimate printed before streaming; larger documents take more."""

_Index = dict[Hashable, list[Doc]]


class Snapshot:
    """Read-only documents by collection, with lazily built query indexes."""

    def __init__(self) -> None:
        self._docs: dict[str, Doc] = {}
        self._by_collection: dict[str, list[str]] = defaultdict(list)
        self._indexes: dict[tuple[str, str, QueryOp], _Index] = {}

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, collection: object) -> bool:
        """True when ``collection`` was loaded (even if it is empty)."""
        return collection in self._by_collection

    def add(self, collection: str, docs: Iterable[Doc]) -> None:
        """Hold ``docs`` of the top-level ``collection`` (marks it loaded even when empty)."""
        paths = self._by_collection[collection]
        for doc in docs:
            if doc.path not in self._docs:
                paths.append(doc.path)
            self._docs[doc.path] = doc
        self._indexes = {k: v for k, v in self._indexes.items() if k[0] != collection}

    def paths(self, collection: str) -> list[str]:
        """Paths of the documents held for ``collection``, in path order."""
        return sorted(self._by_collection.get(collection, ()))

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        """Documents by path; None for those not held."""
        return {path: _copied(self._docs.get(path)) for path in paths}

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
        """Documents of ``collection`` whose ``field`` ``op`` ``value``, by path (as
        :class:`~boiler_core.store.memory.MemoryStore` answers it, pages included)."""
        if limit is not None and limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        if not isinstance(value, Hashable):
            found = [
                d for p in self.paths(collection) if matches(d := self._docs[p], field, op, value)
            ]
        else:
            key = (collection, field, op)
            index = self._indexes.get(key)
            if index is None:
                index = self._indexes[key] = self._index(collection, field, op)
            found = list(index.get(value, ()))
        if after is not None:
            found = [d for d in found if d.path > after]
        if limit is not None:
            found = found[:limit]
        return [doc for doc in (_copied(d) for d in found) if doc is not None]

    def _index(self, collection: str, field: str, op: QueryOp) -> _Index:
        index: dict[Hashable, list[Doc]] = defaultdict(list)
        for path in self.paths(collection):
            doc = self._docs[path]
            found = doc.get(field, _ABSENT)
            if found is _ABSENT:
                continue
            if op == "array-contains":
                if isinstance(found, list | tuple):
                    for item in dict.fromkeys(i for i in found if isinstance(i, Hashable)):
                        index[item].append(doc)
            elif isinstance(found, Hashable):
                index[found].append(doc)
        return dict(index)


def stream(
    store: Lister,
    collection: str,
    into: Snapshot,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    on_page: Callable[[int], None] | None = None,
) -> int:
    """Read every document of ``collection`` page by page (by cursor: one billed read per
    document) into ``into``; return how many were read. ``on_page`` is told each page's size."""
    read, after = 0, None
    into.add(collection, ())
    while True:
        page = store.list_documents(collection, after=after, limit=page_size)
        if not page:
            return read
        into.add(collection, page)
        read += len(page)
        if on_page is not None:
            on_page(len(page))
        if len(page) < page_size:
            return read
        after = page[-1].path


_ABSENT: Any = object()


def _copied(doc: Doc | None) -> Doc | None:
    return None if doc is None else Doc(doc.path, copy_value(doc.data), doc.update_time)
