"""The small storage port between the engine's decisions and a document database.

Two implementations ship: :mod:`boiler_core.store.memory` (an in-memory double for fast tests of
pure logic) and :mod:`boiler_core.store.firestore` (google-cloud-firestore). Both are also a
:class:`ListingStore`: they page through whole collections and create documents in bulk, which
backfill and verify need and the engine never does. Values are
store-neutral: references are :class:`~boiler_core.documents.Ref`, documents are
:class:`~boiler_core.documents.Doc`, paths are full document paths (``meetings/meeting_1``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, Protocol, TypeVar

from boiler_core.documents import Doc

T = TypeVar("T")
QueryOp = Literal["==", "array-contains"]


class Reader(Protocol):
    """Reads, inside or outside a transaction."""

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        """Read documents by path in one round trip; missing documents map to None."""
        ...

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
        """Documents of a top-level ``collection`` whose ``field`` ``op`` ``value``, by path.

        A page of them with ``after`` (the last path of the previous page: only documents
        ordered after it) and ``limit`` (at most that many; at least 1).
        """
        ...


class Transaction(Reader, Protocol):
    """A serializable transaction: reads first, then buffered writes applied on commit."""

    def set(self, path: str, data: Mapping[str, Any]) -> None:
        """Replace (or create) the document at ``path`` when the transaction commits."""
        ...

    def delete(self, path: str) -> None:
        """Delete the document at ``path`` when the transaction commits (no error if missing)."""
        ...


class Store(Reader, Protocol):
    """A document database: non-transactional reads plus transactions with bounded retries."""

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        """Run ``fn`` in a transaction, retrying on contention up to ``max_attempts`` times.

        ``fn`` may run more than once and must not have side effects outside the transaction.
        Raises :class:`~boiler_core.errors.ContentionError` when every attempt conflicted.
        Returns what the last (committed) run of ``fn`` returned, and reports the number of
        retries through :attr:`last_retries`.
        """
        ...

    @property
    def last_retries(self) -> int:
        """Retries the most recent :meth:`run_transaction` needed (0 when the first try won)."""
        ...

    @property
    def last_commit_time(self) -> int | None:
        """The update time (see :attr:`~boiler_core.documents.Doc.update_time`) the calling
        thread's most recent committed :meth:`run_transaction` gave the documents it set; None
        when it set none."""
        ...


class Lister(Protocol):
    """Paging through whole collections by cursor (never by offset), and counting them."""

    def list_paths(
        self, collection: str, *, group: bool = False, after: str | None = None, limit: int = 300
    ) -> list[str]:
        """Up to ``limit`` document paths of ``collection``, in document-path order.

        ``collection`` is a collection path (``meetings``, ``users/ada/meeting_sessions``) or, with
        ``group=True``, a collection id whose collections at any depth are listed together (a
        collection group). ``after`` is the cursor: the last path of the previous page; only
        documents ordered after it are returned. An empty list means the end. Each listed document
        is billed as one read; no document data is transferred.
        """
        ...

    def list_documents(
        self, collection: str, *, after: str | None = None, limit: int = 300
    ) -> list[Doc]:
        """Like :meth:`list_paths` (without groups), with each document's data: one query."""
        ...

    def count(self, collection: str, *, group: bool = False) -> int:
        """How many documents ``collection`` (or the collection group) holds, by an aggregation
        query (billed one read per 1,000 documents counted)."""
        ...


class Creator(Protocol):
    """Creating many documents at once, never overwriting one (``boiler backfill --bulk``)."""

    def create_all(self, documents: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
        """Create each ``(path, data)`` whose document does not exist yet, with a create-only
        precondition, outside any transaction; return the paths that were not created (the
        document existed, or the store refused that one write), in the order given.

        One call is one batched request where the store allows it (at most a few hundred
        documents, distinct paths). Documents created are billed one write each.
        """
        ...


class ListingStore(Store, Lister, Creator, Protocol):
    """A :class:`Store` that can also list collections and create documents in bulk: what
    backfill and verify work on."""
