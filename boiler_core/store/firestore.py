"""The storage port on google-cloud-firestore: :class:`FirestoreStore` and :func:`firestore_client`.

Values cross the boundary in both directions: ``DocumentReference`` becomes
:class:`~boiler_core.documents.Ref` on read (:func:`to_neutral`, also inside lists and maps) and
back on write (:func:`to_firestore`). Everything else (strings, numbers, timestamps, geo points,
bytes) passes through unchanged.

Transactions are retried here, not by the client library: the library's ``@transactional``
retries only commit-time aborts and never backs off. :meth:`FirestoreStore.run_transaction`
retries any ``Aborted`` (a conflicting commit, or the emulator's "409 Transaction lock timeout")
with jittered exponential backoff, re-begins with the first attempt's id so a retried transaction
keeps its place in Firestore's lock queue, and raises
:class:`~boiler_core.errors.ContentionError` after ``max_attempts``.

Bulk creation (:meth:`FirestoreStore.create_all`, for ``boiler backfill --bulk``) commits one
atomic batch of create-only writes (``Commit``, the fast path: about 4,000-5,000 documents per
second on the emulator). When one document of the batch exists the whole commit fails with
``ALREADY_EXISTS``; the same creates are then sent again through ``BatchWrite``, which applies each
write on its own and reports a status per write, so the absent documents are still created and the
existing ones are named. (``BatchWrite`` alone is slower on the emulator, about 1,200 documents per
second, and slower still from parallel threads, so it is only the fallback.)

Listing (:meth:`FirestoreStore.list_paths`, for backfill and verify) orders by document name and
pages with ``start_after`` on the last name seen; it fetches names only (an empty projection).
A collection group listed by name alone should need no composite index (the emulator enforces none,
so this rests on Firestore's documentation, not on a test).
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from google.api_core.exceptions import Aborted, AlreadyExists
from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore import Client, DocumentReference, DocumentSnapshot, FieldFilter
from google.cloud.firestore import Transaction as FirestoreTransaction
from google.cloud.firestore_v1.bulk_batch import BulkWriteBatch

from boiler_core.documents import Doc, Ref
from boiler_core.errors import ContentionError, StoreError
from boiler_core.store.port import QueryOp, Transaction

T = TypeVar("T")
Snapshot = DocumentSnapshot[DocumentReference]

EMULATOR_HOST_ENV = "FIRESTORE_EMULATOR_HOST"
PROJECT_ENVS = ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT")
BATCH_SIZE = 300
"""Documents per ``BatchGetDocuments`` call; larger reads are split into several calls."""

_OPERATORS: dict[str, str] = {"==": "==", "array-contains": "array_contains"}
"""Port operators as the Python client spells them."""

DOCUMENT_ID = "__name__"
"""The pseudo field of a document's name (``FieldPath.document_id()``); paging orders by it."""

BACKOFF_BASE = 0.05
BACKOFF_CAP = 2.0


def to_neutral(value: Any) -> Any:
    """A Firestore value with every ``DocumentReference`` (also nested) replaced by a Ref."""
    if isinstance(value, DocumentReference):
        return Ref(value.path)
    if isinstance(value, Mapping):
        return {key: to_neutral(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_neutral(item) for item in value]
    return value


def to_firestore(value: Any, client: Client) -> Any:
    """A store-neutral value with every Ref (also nested) replaced by a ``DocumentReference``."""
    if isinstance(value, Ref):
        return client.document(value.path)
    if isinstance(value, Mapping):
        return {key: to_firestore(item, client) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_firestore(item, client) for item in value]
    return value


def firestore_client(project: str | None, *, database: str | None = None) -> Client:
    """A Firestore client: anonymous under ``FIRESTORE_EMULATOR_HOST``, default credentials else.

    Under the emulator the project comes from ``project``, else ``GOOGLE_CLOUD_PROJECT`` or
    ``GCLOUD_PROJECT``; without one the client would silently use a made-up project whose data
    nobody sees, so this raises :class:`~boiler_core.errors.StoreError` instead. In production
    ``project=None`` lets the client find the project from the environment.
    """
    if not os.environ.get(EMULATOR_HOST_ENV):
        return Client(project=project, database=database)
    project = project or next((os.environ[e] for e in PROJECT_ENVS if os.environ.get(e)), None)
    if not project:
        raise StoreError(
            f"{EMULATOR_HOST_ENV} is set but no project id is known: pass the emulator's "
            "project id (e.g. demo-boiler) or set GOOGLE_CLOUD_PROJECT"
        )
    credentials = AnonymousCredentials()  # type: ignore[no-untyped-call]
    return Client(project=project, credentials=credentials, database=database)


class FirestoreStore:
    """:class:`~boiler_core.store.port.Store` on a google-cloud-firestore ``Client``.

    Safe to share between threads (functions-framework may run concurrent invocations in one
    instance): :attr:`last_retries` is kept per thread.
    """

    def __init__(self, client: Client) -> None:
        self.client = client
        self._local = threading.local()

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        """Read documents by path (batched); missing documents map to None."""
        return _get_all(self.client, paths, None)

    def query(self, collection: str, field: str, op: QueryOp, value: Any) -> list[Doc]:
        """Documents of ``collection`` whose ``field`` ``op`` ``value``, sorted by path."""
        return _query(self.client, collection, field, op, value, None)

    def list_paths(
        self, collection: str, *, group: bool = False, after: str | None = None, limit: int = 300
    ) -> list[str]:
        """Up to ``limit`` paths after the cursor ``after``, ordered by document name; only the
        names are fetched (an empty projection)."""
        query = self._page_query(collection, group, after, limit).select([DOCUMENT_ID])
        return [snapshot.reference.path for snapshot in query.stream()]

    def list_documents(
        self, collection: str, *, after: str | None = None, limit: int = 300
    ) -> list[Doc]:
        """Up to ``limit`` documents after the cursor ``after``, with their data, in one query."""
        query = self._page_query(collection, False, after, limit)
        return [
            Doc(snapshot.reference.path, to_neutral(snapshot.to_dict() or {}))
            for snapshot in query.stream()
            if snapshot.exists
        ]

    def create_all(self, documents: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
        """Create the documents that do not exist (create-only preconditions, never an
        overwrite); return the paths not created. One atomic commit when none exists; else one
        ``BatchWrite`` that creates the others and reports each existing one."""
        if not documents:
            return []
        batch = self.client.batch()
        for path, data in documents:
            batch.create(self.client.document(path), to_firestore(data, self.client))
        try:
            batch.commit()
            return []
        except AlreadyExists:
            pass
        bulk = BulkWriteBatch(self.client)
        for path, data in documents:
            bulk.create(self.client.document(path), to_firestore(data, self.client))
        response = bulk.commit()
        return [
            path
            for (path, _), status in zip(documents, response.status, strict=True)
            if status.code != 0
        ]

    def _page_query(self, collection: str, group: bool, after: str | None, limit: int) -> Any:
        """``collection`` (or the group) ordered by document name, after ``after``, limited."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        source = self.client.collection_group(collection) if group else self._collection(collection)
        query = source.order_by(DOCUMENT_ID)
        if after is not None:
            query = query.start_after({DOCUMENT_ID: self.client.document(after)})
        return query.limit(limit)

    def count(self, collection: str, *, group: bool = False) -> int:
        """How many documents the collection (or collection group) holds: a COUNT aggregation."""
        source = self.client.collection_group(collection) if group else self._collection(collection)
        aggregation: Any = source.count()  # the library's stubs mistype this call chain
        return int(aggregation.get()[0][0].value)

    def _collection(self, path: str) -> Any:
        return self.client.collection(*path.split("/"))

    @property
    def last_retries(self) -> int:
        """Retries the most recent :meth:`run_transaction` needed (0 when the first try won)."""
        retries: int = getattr(self._local, "retries", 0)
        return retries

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        """Run ``fn`` in a transaction; retry on ``Aborted`` with jittered exponential backoff."""
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {max_attempts}")
        transaction = self.client.transaction()
        retry_id: bytes | None = None
        last: Aborted | None = None
        for attempt in range(max_attempts):
            if attempt:
                time.sleep(random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)))
            # Same steps as the library's _Transactional, which offers no hook for backoff.
            transaction._clean_up()
            transaction._begin(retry_id=retry_id)
            retry_id = retry_id or transaction.id
            try:
                result = fn(_FirestoreTransaction(self.client, transaction))
            except Aborted as exc:
                _rollback_quietly(transaction)
                last = exc
                continue
            except BaseException:
                _rollback_quietly(transaction)
                raise
            try:
                transaction._commit()
            except Aborted as exc:  # the server ended the transaction: nothing to roll back
                last = exc
                continue
            except BaseException:
                _rollback_quietly(transaction)
                raise
            self._local.retries = attempt
            return result
        self._local.retries = max_attempts - 1
        raise ContentionError(
            f"transaction still conflicted after {max_attempts} attempts (last: {last}); "
            "other writers keep touching the same documents: lower the write rate on them or "
            "raise max_attempts"
        ) from last


class _FirestoreTransaction:
    """:class:`~boiler_core.store.port.Transaction` on a begun Firestore transaction."""

    def __init__(self, client: Client, transaction: FirestoreTransaction) -> None:
        self._client = client
        self._transaction = transaction

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        return _get_all(self._client, paths, self._transaction)

    def query(self, collection: str, field: str, op: QueryOp, value: Any) -> list[Doc]:
        return _query(self._client, collection, field, op, value, self._transaction)

    def set(self, path: str, data: Mapping[str, Any]) -> None:
        self._transaction.set(self._client.document(path), to_firestore(data, self._client))

    def delete(self, path: str) -> None:
        self._transaction.delete(self._client.document(path))


def _get_all(
    client: Client, paths: Sequence[str], transaction: FirestoreTransaction | None
) -> dict[str, Doc | None]:
    out: dict[str, Doc | None] = dict.fromkeys(paths)
    unique = list(out)
    for start in range(0, len(unique), BATCH_SIZE):
        refs = [client.document(path) for path in unique[start : start + BATCH_SIZE]]
        for snapshot in client.get_all(refs, transaction=transaction):
            out[snapshot.reference.path] = _doc(snapshot)
    return out


def _query(
    client: Client,
    collection: str,
    field: str,
    op: QueryOp,
    value: Any,
    transaction: FirestoreTransaction | None,
) -> list[Doc]:
    query = client.collection(collection).where(
        filter=FieldFilter(field, _OPERATORS[op], to_firestore(value, client))
    )
    docs = _docs(query.stream(transaction=transaction))
    return sorted(docs, key=lambda doc: doc.path)


def _docs(snapshots: Iterable[Snapshot]) -> list[Doc]:
    return [doc for snapshot in snapshots if (doc := _doc(snapshot)) is not None]


def _doc(snapshot: Snapshot) -> Doc | None:
    if not snapshot.exists:
        return None
    return Doc(snapshot.reference.path, to_neutral(snapshot.to_dict() or {}))


def _rollback_quietly(transaction: FirestoreTransaction) -> None:
    """Roll back if still open; a failed rollback must not hide the error being handled."""
    if not transaction.in_progress:
        return
    try:
        transaction._rollback()
    except Exception:  # the transaction expires on the server anyway
        transaction._clean_up()
