"""An in-memory :class:`~boiler_core.store.port.Store`: the fast double for tests of pure logic.

Transactions are serializable by optimistic concurrency control: a transaction records the
version of every document it reads (missing documents included) and of every collection it
queries, buffers its writes, and commits only if none of those versions moved meanwhile;
otherwise it runs again, up to ``max_attempts`` times. Each commit, and every helper write, holds
one lock, so the store is safe to share between threads. Tests can therefore replay concurrent
interleavings exactly: a write made while a transaction function runs makes that attempt retry.

Documents are copied on the way in and out (through dicts, lists and tuples; the other values,
such as :class:`~boiler_core.documents.Ref`, strings and timestamps, are immutable and shared), so
callers never share mutable state with the store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from boiler_core.documents import Doc
from boiler_core.errors import ContentionError, StoreError
from boiler_core.store.port import QueryOp, Transaction

T = TypeVar("T")


class _Conflict(Exception):
    """Raised inside :class:`MemoryStore` when a commit finds that something it read moved."""


class MemoryStore:
    """Documents in a dict, with serializable transactions and helpers for tests."""

    def __init__(self, documents: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._docs: dict[str, dict[str, Any]] = {}
        self._versions: dict[str, int] = {}
        self._collection_versions: dict[str, int] = {}
        self._clock = 0
        self._lock = threading.RLock()
        self._local = threading.local()
        self.committed_writes = 0
        """Sets and deletes applied by committed transactions, and documents created by
        :meth:`create_all` (helper writes excluded)."""
        for path, data in (documents or {}).items():
            self.put(path, data)

    # -- test helpers ----------------------------------------------------------------------------

    def put(self, path: str, data: Mapping[str, Any]) -> None:
        """Create or replace the document at ``path`` now (outside any transaction)."""
        with self._lock:
            self._apply(path, data)

    def remove(self, path: str) -> None:
        """Delete the document at ``path`` now, if it exists."""
        with self._lock:
            self._apply(path, None)

    def doc(self, path: str) -> dict[str, Any] | None:
        """A copy of the data at ``path``, or None."""
        with self._lock:
            data = self._docs.get(path)
            return None if data is None else copy_value(data)

    def paths(self, prefix: str = "") -> list[str]:
        """Sorted paths of existing documents starting with ``prefix``."""
        with self._lock:
            return sorted(p for p in self._docs if p.startswith(prefix))

    def dump(self, prefix: str = "") -> dict[str, dict[str, Any]]:
        """Copies of every document whose path starts with ``prefix``, by path (sorted)."""
        with self._lock:
            return {p: copy_value(self._docs[p]) for p in self.paths(prefix)}

    # -- Reader ----------------------------------------------------------------------------------

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        """Read documents by path; missing ones map to None."""
        with self._lock:
            return {path: self._read(path) for path in paths}

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
        """Documents of top-level ``collection`` whose ``field`` ``op`` ``value``, by path; only
        those after the path ``after``, at most ``limit``."""
        if limit is not None and limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        with self._lock:
            prefix = f"{collection}/"
            out = []
            for path in sorted(p for p in self._docs if p.startswith(prefix) and p.count("/") == 1):
                if after is not None and path <= after:
                    continue
                if matches(Doc(path, self._docs[path]), field, op, value):
                    out.append(self._doc(path, self._docs[path]))
                    if len(out) == limit:
                        break
            return out

    # -- Lister ----------------------------------------------------------------------------------

    def list_paths(
        self, collection: str, *, group: bool = False, after: str | None = None, limit: int = 300
    ) -> list[str]:
        """Paths of ``collection`` (or of the collection group ``collection``) after ``after``,
        ordered segment by segment as Firestore orders document names."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        cursor = None if after is None else tuple(after.split("/"))
        with self._lock:
            keys = sorted(
                key
                for path in self._docs
                if _in_collection(key := tuple(path.split("/")), collection, group)
                and (cursor is None or key > cursor)
            )
        return ["/".join(key) for key in keys[:limit]]

    def list_documents(
        self, collection: str, *, after: str | None = None, limit: int = 300
    ) -> list[Doc]:
        """Documents of ``collection`` after ``after``, with their data, in path order."""
        paths = self.list_paths(collection, after=after, limit=limit)
        found = self.get_all(paths)
        return [doc for path in paths if (doc := found.get(path)) is not None]

    def count(self, collection: str, *, group: bool = False) -> int:
        """How many documents ``collection`` (or the collection group) holds."""
        with self._lock:
            return sum(_in_collection(tuple(p.split("/")), collection, group) for p in self._docs)

    # -- Creator ---------------------------------------------------------------------------------

    def create_all(self, documents: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
        """Create the documents that do not exist yet, at once; return the paths that existed."""
        existed = []
        with self._lock:
            for path, data in documents:
                if path in self._docs:
                    existed.append(path)
                    continue
                self._apply(path, data)
                self.committed_writes += 1
        return existed

    # -- Store -----------------------------------------------------------------------------------

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        """Run ``fn`` in a transaction, again on conflict, at most ``max_attempts`` times."""
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {max_attempts}")
        for attempt in range(max_attempts):
            self._local.retries = attempt
            tx = MemoryTransaction(self)
            result = fn(tx)
            try:
                self._local.commit_time = self._commit(tx)
            except _Conflict:
                continue
            return result
        raise ContentionError(
            f"transaction still conflicted after {max_attempts} attempts: the documents it read "
            "kept changing; retry later or lower the contention on them"
        )

    @property
    def last_retries(self) -> int:
        """Retries the calling thread's latest :meth:`run_transaction` needed."""
        return int(getattr(self._local, "retries", 0))

    @property
    def last_commit_time(self) -> int | None:
        """The update time the calling thread's latest committed transaction gave the documents
        it set (its commit's tick of the store clock); None when it set none."""
        committed: int | None = getattr(self._local, "commit_time", None)
        return committed

    def update_time(self, path: str) -> int | None:
        """The update time of the document at ``path`` (None when it does not exist)."""
        with self._lock:
            return self._versions.get(path) if path in self._docs else None

    # -- internals -------------------------------------------------------------------------------

    def _read(self, path: str) -> Doc | None:
        data = self._docs.get(path)
        return None if data is None else self._doc(path, data)

    def _doc(self, path: str, data: Mapping[str, Any]) -> Doc:
        return Doc(path, copy_value(data), self._versions.get(path))

    def _version(self, path: str) -> int:
        return self._versions.get(path, 0)

    def _collection_version(self, collection: str) -> int:
        return self._collection_versions.get(collection, 0)

    def _apply(self, path: str, data: Mapping[str, Any] | None, *, tick: bool = True) -> None:
        """Write ``data`` (None: delete) at ``path`` with a new tick of the clock, or with the
        current one when a commit already ticked it for all its writes."""
        if not path or len(path.split("/")) % 2:
            raise StoreError(f"'{path}' is not a document path (expected collection/id pairs)")
        if tick:
            self._clock += 1
        self._versions[path] = self._clock
        self._collection_versions[path.split("/")[0]] = self._clock
        if data is None:
            self._docs.pop(path, None)
        else:
            self._docs[path] = copy_value(data)

    def _commit(self, tx: MemoryTransaction) -> int | None:
        """Apply ``tx``'s writes, all at one new tick of the clock (as Firestore gives every
        document of a commit its commit time); return that tick, or None when nothing was set."""
        with self._lock:
            moved = [p for p, v in tx.read_versions.items() if self._version(p) != v]
            moved += [c for c, v in tx.query_versions.items() if self._collection_version(c) != v]
            if moved:
                raise _Conflict(", ".join(moved))
            if not tx.writes:
                return None
            self._clock += 1
            for path, data in tx.writes.items():
                self._apply(path, data, tick=False)
                self.committed_writes += 1
            return self._clock if any(data is not None for data in tx.writes.values()) else None


class MemoryTransaction:
    """A :class:`~boiler_core.store.port.Transaction` of :class:`MemoryStore`.

    Like Firestore, it refuses reads after the first write.
    """

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.read_versions: dict[str, int] = {}
        self.query_versions: dict[str, int] = {}
        self.writes: dict[str, dict[str, Any] | None] = {}

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        """Read documents, remembering the version of each (found or missing)."""
        self._check_no_writes()
        with self._store._lock:
            for path in paths:
                self.read_versions.setdefault(path, self._store._version(path))
            return self._store.get_all(paths)

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
        """Run a query, remembering the collection's version (so new matches conflict too)."""
        self._check_no_writes()
        with self._store._lock:
            self.query_versions.setdefault(collection, self._store._collection_version(collection))
            docs = self._store.query(collection, field, op, value, after=after, limit=limit)
            for doc in docs:
                self.read_versions.setdefault(doc.path, self._store._version(doc.path))
            return docs

    def set(self, path: str, data: Mapping[str, Any]) -> None:
        """Buffer a create-or-replace of ``path``."""
        self.writes[path] = copy_value(data)

    def delete(self, path: str) -> None:
        """Buffer a delete of ``path``."""
        self.writes[path] = None

    def _check_no_writes(self) -> None:
        if self.writes:
            raise StoreError("a transaction must do all its reads before its first write")


_ABSENT: Any = object()


def copy_value(value: Any) -> Any:
    """A copy of ``value`` through dicts (any mapping), lists and tuples; other values are
    immutable (scalars, Ref, datetime) and returned as they are. Stores that hand out documents
    they keep (this one, the bulk backfill's snapshot) copy them with it."""
    if isinstance(value, Mapping):
        return {key: copy_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_value(item) for item in value]
    if isinstance(value, tuple):
        return tuple(copy_value(item) for item in value)
    return value


def _in_collection(key: tuple[str, ...], collection: str, group: bool) -> bool:
    """True when the document with path segments ``key`` is in ``collection`` (a collection
    path), or with ``group`` in any collection whose id is ``collection``."""
    if group:
        return key[-2] == collection
    return key[:-1] == tuple(collection.split("/"))


def matches(doc: Doc, field: str, op: QueryOp, value: Any) -> bool:
    """Whether ``doc`` answers the query ``field`` ``op`` ``value`` (as Firestore would: a
    missing field never matches)."""
    found = doc.get(field, _ABSENT)
    if found is _ABSENT:
        return False
    if op == "array-contains":
        return isinstance(found, list | tuple) and value in found
    return bool(found == value)
