"""The storage port on google-cloud-firestore: :class:`FirestoreStore` and :func:`firestore_client`.

Values cross the boundary in both directions: a reference becomes
:class:`~boiler_core.documents.Ref` on read and back on write, also inside lists and maps.
Everything else (strings, numbers, timestamps, geo points, bytes) passes through unchanged.
The engine's reads (``get_all``, ``query``), listing with data, transactional ``set`` and bulk
creates go straight to the Firestore API's protocol buffers through
:class:`~boiler_core.store.codec.Codec`: the library's snapshots and proto-plus wrappers cost more
CPU than the round trips on a large fan-out. Listing names only, and values the codec leaves to
the library, use the library (:func:`~.codec.to_neutral`, :func:`~.codec.to_firestore`).

Transactions are retried here, not by the client library: the library's ``@transactional``
retries only commit-time aborts and never backs off. :meth:`FirestoreStore.run_transaction`
retries any ``Aborted`` (a conflicting commit, or the emulator's "409 Transaction lock timeout")
with jittered exponential backoff, re-begins with the first attempt's id so a retried transaction
keeps its place in Firestore's lock queue, and raises
:class:`~boiler_core.errors.ContentionError` after ``max_attempts``. A transaction begins with its
first read (``new_transaction`` in that request), saving a round trip, and commits its raw
writes in a raw ``CommitRequest`` (the library's ``_commit`` converts each write to proto-plus and
back). These steps use the library's private transaction members (``_id``, ``_write_pbs``,
``_clean_up``, ``_rollback``, ``_add_write_pbs``); google-cloud-firestore is pinned below 3 and
the integration tier exercises every one of them.

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

The client :func:`firestore_client` makes reads its streamed responses on the calling thread
(gRPC's ``SingleThreadedUnaryStream`` channel option, for both the emulator's channel and
production's). By default gRPC hands every streamed message (one per document read) from a
background thread to the caller through a condition variable, which on a fan-out cost about as
much client CPU as decoding the documents: reading 2,111 documents through ``BatchGetDocuments``
took 0.23 CPU-seconds with the handoff and 0.13 without (emulator, 4 threads, 2026-11-26).
The engine's streaming reads also skip the library's proto-plus wrapper around each response
(:class:`_RawCalls`: the same transport, retries and error mapping, raw messages): about a tenth
less CPU again for the same reads.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import grpc
import grpc.experimental
from google.api_core.exceptions import Aborted, AlreadyExists, InvalidArgument
from google.api_core.gapic_v1.method import DEFAULT
from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore import Client, FieldFilter
from google.cloud.firestore import Transaction as FirestoreTransaction
from google.cloud.firestore_v1.base_client import _DEFAULT_CHANNEL_OPTIONS, _GRPC_MSG_SIZE_OPTIONS
from google.cloud.firestore_v1.bulk_batch import BulkWriteBatch
from google.cloud.firestore_v1.services.firestore import client as gapic_client
from google.cloud.firestore_v1.services.firestore.transports.grpc import FirestoreGrpcTransport
from google.cloud.firestore_v1.types import firestore as firestore_types
from google.cloud.firestore_v1.types import write as write_types

from boiler_core.deployment import check_environment
from boiler_core.documents import Doc, update_time_ns
from boiler_core.errors import ContentionError, Rejected, StoreError
from boiler_core.store.codec import Codec, Unsupported, to_firestore
from boiler_core.store.port import QueryOp, Transaction

T = TypeVar("T")

EMULATOR_HOST_ENV = "FIRESTORE_EMULATOR_HOST"
PROJECT_ENVS = ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT")
CommitRequestPb: Any = firestore_types.CommitRequest.pb()
BATCH_SIZE = 300
"""Documents per ``BatchGetDocuments`` call; larger reads are split into several calls."""

_OPERATORS: dict[str, str] = {"==": "==", "array-contains": "array_contains"}
"""Port operators as the Python client spells them."""

DOCUMENT_ID = "__name__"
"""The pseudo field of a document's name (``FieldPath.document_id()``); paging orders by it."""

BACKOFF_BASE = 0.05
BACKOFF_CAP = 2.0

STREAM_ON_CALLER = (
    getattr(
        grpc.experimental.ChannelOptions, "SingleThreadedUnaryStream", "SingleThreadedUnaryStream"
    ),
    1,
)
"""Channel option: read a unary-stream call's messages on the calling thread (see above). The
option is gRPC's experimental API (grpcio is not pinned here); a gRPC without it ignores the
unknown channel argument, and streams are then handed over as by default."""


class _Transport(FirestoreGrpcTransport):
    """The library's gRPC transport whose production channel streams on the calling thread."""

    @classmethod
    def create_channel(cls, *args: Any, **kwargs: Any) -> grpc.Channel:
        kwargs["options"] = [*(kwargs.get("options") or _DEFAULT_CHANNEL_OPTIONS), STREAM_ON_CALLER]
        return super().create_channel(*args, **kwargs)


def _raw_call(method: str, *, streaming: bool = True) -> Any:
    """A transport property: the stub of the Firestore API's ``method`` (made once), taking the
    library's proto-plus request and answering the raw protocol buffer of each response."""
    request = getattr(firestore_types, f"{method}Request")
    response = getattr(firestore_types, f"{method}Response")

    def stub(self: FirestoreGrpcTransport) -> Any:
        if method not in self._stubs:
            channel = getattr(self, "_logged_channel", None) or self.grpc_channel
            kind = channel.unary_stream if streaming else channel.unary_unary
            self._stubs[method] = kind(
                f"/google.firestore.v1.Firestore/{method}",
                request_serializer=request.serialize,
                response_deserializer=response.pb().FromString,
            )
        return self._stubs[method]

    return property(stub)


class _RawCalls(FirestoreGrpcTransport):
    """The transport of :class:`_Wire`'s reads and transaction commits, on the client's own
    channel: the library's (with its retries and error mapping), except that the two streaming
    reads hand back the raw protocol buffer of each response instead of wrapping it in a
    proto-plus message that the codec would unwrap again (one wrapper per document read), and
    ``Commit`` answers with its raw response (one wrapper per write result otherwise)."""

    batch_get_documents = _raw_call("BatchGetDocuments")
    run_query = _raw_call("RunQuery")
    commit = _raw_call("Commit", streaming=False)


class _Client(Client):
    """A library ``Client`` whose channel (emulator or production) streams on the calling
    thread; everything else is the library's."""

    @property
    def _firestore_api(self) -> Any:
        return self._firestore_api_helper(_Transport, gapic_client.FirestoreClient, gapic_client)

    def _emulator_channel(self, transport: Any) -> grpc.Channel:
        # The library's emulator channel (a bearer token the emulator takes as an identity:
        # "owner" unless the credentials carry an ID token), plus the option.
        token = getattr(self._credentials, "id_token", None) or "owner"
        options = [("Authorization", f"Bearer {token}"), *_GRPC_MSG_SIZE_OPTIONS, STREAM_ON_CALLER]
        return grpc.insecure_channel(self._emulator_host, options=options)


def firestore_client(project: str | None, *, database: str | None = None) -> Client:
    """A Firestore client: anonymous under ``FIRESTORE_EMULATOR_HOST``, default credentials else.

    Under the emulator the project comes from ``project``, else ``GOOGLE_CLOUD_PROJECT`` or
    ``GCLOUD_PROJECT``; without one the client would silently use a made-up project whose data
    nobody sees, so this raises :class:`~boiler_core.errors.StoreError` instead. In production
    ``project=None`` lets the client find the project from the environment. In a deployed
    function with an emulator variable set it raises
    :class:`~boiler_core.errors.EmulatorInDeployment` (:mod:`boiler_core.deployment`).
    """
    check_environment(os.environ)  # a deployed function must not follow an emulator variable
    if not os.environ.get(EMULATOR_HOST_ENV):
        return _Client(project=project, database=database)
    project = project or next((os.environ[e] for e in PROJECT_ENVS if os.environ.get(e)), None)
    if not project:
        raise StoreError(
            f"{EMULATOR_HOST_ENV} is set but no project id is known: pass the emulator's "
            "project id (e.g. demo-boiler) or set GOOGLE_CLOUD_PROJECT"
        )
    credentials = AnonymousCredentials()  # type: ignore[no-untyped-call]
    return _Client(project=project, credentials=credentials, database=database)


class FirestoreStore:
    """:class:`~boiler_core.store.port.Store` on a google-cloud-firestore ``Client``.

    Safe to share between threads (functions-framework may run concurrent invocations in one
    instance): :attr:`last_retries` is kept per thread.
    """

    def __init__(self, client: Client) -> None:
        self.client = client
        self._wire = _Wire(client)
        self._local = threading.local()

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        """Read documents by path (batched); missing documents map to None."""
        return self._wire.get_all(paths)

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
        """Documents of ``collection`` whose ``field`` ``op`` ``value``, sorted by path (a page of
        them with ``after`` and ``limit``)."""
        return self._wire.query(collection, field, op, value, after=after, limit=limit)

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
        return self._wire.run(self._page_query(collection, False, after, limit))

    def create_all(self, documents: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
        """Create the documents that do not exist (create-only preconditions, never an
        overwrite); return the paths not created. One atomic commit when none exists; else one
        ``BatchWrite`` that creates the others and reports each existing one."""
        if not documents:
            return []
        batch = self.client.batch()
        for path, data in documents:
            write = self._wire.write(path, data, create=True)
            if write is None:  # sentinels and the like: the library's own create
                batch.create(self.client.document(path), to_firestore(data, self.client))
            else:
                batch._add_write_pbs([write])
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
        source = self.client.collection_group(collection) if group else self._collection(collection)
        return _paged(self.client, source, after, limit)

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

    @property
    def last_commit_time(self) -> int | None:
        """The update time (ns) the calling thread's latest committed transaction gave the
        documents it set; None when it set none."""
        committed: int | None = getattr(self._local, "commit_time", None)
        return committed

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        """Run ``fn`` in a transaction; retry on ``Aborted`` with jittered exponential backoff.

        The transaction begins with ``fn``'s first read (see :class:`_FirestoreTransaction`), so
        a transaction costs no ``BeginTransaction`` round trip of its own.
        """
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
            try:
                result = fn(_FirestoreTransaction(self._wire, transaction, retry_id))
                if transaction._id is None:  # fn read nothing: begin before committing
                    transaction._begin(retry_id=retry_id)
            except Aborted as exc:
                retry_id = retry_id or transaction._id
                _rollback_quietly(transaction)
                last = exc
                continue
            except InvalidArgument as exc:
                _rollback_quietly(transaction)
                raise _rejected(exc) from exc
            except BaseException:
                _rollback_quietly(transaction)
                raise
            retry_id = retry_id or transaction._id
            try:
                results = self._wire.commit(transaction)
            except Aborted as exc:  # the server ended the transaction: nothing to roll back
                last = exc
                continue
            except InvalidArgument as exc:
                _rollback_quietly(transaction)
                raise _rejected(exc) from exc
            except BaseException:
                _rollback_quietly(transaction)
                raise
            self._local.retries = attempt
            self._local.commit_time = _commit_time(results)
            return result
        self._local.retries = max_attempts - 1
        raise ContentionError(
            f"transaction still conflicted after {max_attempts} attempts (last: {last}); "
            "other writers keep touching the same documents: lower the write rate on them or "
            "raise max_attempts"
        ) from last


def _rejected(exc: InvalidArgument) -> Rejected:
    """What Firestore's ``400 InvalidArgument`` means to boiler: the data is invalid."""
    return Rejected(f"Firestore rejected it: {exc.message}")


class _FirestoreTransaction:
    """:class:`~boiler_core.store.port.Transaction` on a Firestore transaction that begins with
    its first read.

    The first ``get_all`` or ``query`` asks the server for a new transaction in the same request
    (``new_transaction``, carrying the id of the attempt being retried); the id comes back with
    the first response and every later read and the commit use it. This saves the separate
    ``BeginTransaction`` round trip the client library makes before any read.
    """

    def __init__(
        self, wire: _Wire, transaction: FirestoreTransaction, retry_id: bytes | None
    ) -> None:
        self._wire = wire
        self._transaction = transaction
        self._retry_id = retry_id

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        return self._wire.get_all(paths, self)

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
        return self._wire.query(collection, field, op, value, self, after=after, limit=limit)

    def set(self, path: str, data: Mapping[str, Any]) -> None:
        write = self._wire.write(path, data)
        if write is None:  # sentinels and the like: the library's own set
            client = self._wire.client
            self._transaction.set(client.document(path), to_firestore(data, client))
        else:
            self._transaction._add_write_pbs([write])

    def delete(self, path: str) -> None:
        self._transaction.delete(self._wire.client.document(path))

    def selector(self) -> dict[str, Any]:
        """The request fields that put a read in this transaction (beginning it if need be)."""
        if self._transaction._id is not None:
            return {"transaction": self._transaction._id}
        options: dict[str, Any] = {}
        if self._retry_id is not None:
            options["retry_transaction"] = self._retry_id
        return {"new_transaction": {"read_write": options}}

    def adopt(self, transaction_id: bytes) -> None:
        """Take the id of the transaction the server began (sent with the first response)."""
        if transaction_id and self._transaction._id is None:
            self._transaction._id = transaction_id  # type: ignore[assignment]  # typed None


class _Wire:
    """Reads on the Firestore API's streaming calls, decoded by :class:`Codec` (not through the
    library's snapshots); in a :class:`_FirestoreTransaction` when one is given."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.codec = Codec(f"{client._database_string}/documents/", client)
        self._reads: Any = None
        self._reads_lock = threading.Lock()

    @property
    def reads(self) -> Any:
        """The API client the streaming reads and the transactions' commits go through: the
        library client's channel and options, on :class:`_RawCalls` (made on first use, like the
        library's own)."""
        with self._reads_lock:
            if self._reads is None:
                channel = self.client._firestore_api._transport.grpc_channel
                transport = _RawCalls(host=self.client._target, channel=channel)
                self._reads = gapic_client.FirestoreClient(
                    transport=transport, client_options=self.client._client_options
                )
            return self._reads

    def write(self, path: str, data: Mapping[str, Any], *, create: bool = False) -> Any | None:
        """The ``Write`` replacing document ``path`` with ``data`` (only if it does not exist,
        with ``create``); None when the codec leaves ``data`` to the library."""
        try:
            raw = self.codec.set_write(path, data)
        except Unsupported:
            return None
        if create:
            raw.current_document.exists = False
        return write_types.Write.wrap(raw)

    def commit(self, transaction: FirestoreTransaction) -> Sequence[Any]:
        """Commit ``transaction`` as the library's ``_commit`` does, on raw messages: the raw
        ``WriteResult`` of each write, in order. A request built from raw writes skips the
        proto-plus conversion of every write (a chunk commits about a hundred)."""
        if not transaction.in_progress:
            raise ValueError("no transaction in progress to commit")
        request = CommitRequestPb(
            database=self.client._database_string, transaction=transaction._id
        )
        request.writes.extend(write_types.Write.pb(write) for write in transaction._write_pbs)
        response = self.reads.commit(
            request=firestore_types.CommitRequest.wrap(request),
            metadata=self.client._rpc_metadata,
        )
        transaction._clean_up()
        return list(response.write_results)

    def get_all(
        self, paths: Sequence[str], transaction: _FirestoreTransaction | None = None
    ) -> dict[str, Doc | None]:
        out: dict[str, Doc | None] = dict.fromkeys(paths)
        unique = list(out)
        api, codec = self.reads, self.codec
        for start in range(0, len(unique), BATCH_SIZE):
            request: dict[str, Any] = {
                "database": self.client._database_string,
                "documents": [codec.prefix + path for path in unique[start : start + BATCH_SIZE]],
            }
            if transaction is not None:
                request.update(transaction.selector())
            for raw in api.batch_get_documents(request=request, metadata=self.client._rpc_metadata):
                if transaction is not None:
                    transaction.adopt(raw.transaction)
                if raw.WhichOneof("result") == "found":
                    found = raw.found
                    path = codec.path(found.name)
                    out[path] = Doc(
                        path, codec.fields(found.fields), update_time_ns(found.update_time)
                    )
        return out

    def query(
        self,
        collection: str,
        field: str,
        op: QueryOp,
        value: Any,
        transaction: _FirestoreTransaction | None = None,
        *,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Doc]:
        """Documents of ``collection`` whose ``field`` ``op`` ``value``, sorted by path; a page of
        them ordered by document name with ``after`` and ``limit``."""
        query: Any = self.client.collection(collection).where(
            filter=FieldFilter(field, _OPERATORS[op], to_firestore(value, self.client))
        )
        if after is not None or limit is not None:
            query = _paged(self.client, query, after, limit)
        return sorted(self.run(query, transaction), key=lambda doc: doc.path)

    def run(self, query: Any, transaction: _FirestoreTransaction | None = None) -> list[Doc]:
        """The documents a library ``Query`` returns, in its order, decoded by the codec."""
        request, _, _ = query._prep_stream(None, DEFAULT)
        request.pop("transaction", None)
        if transaction is not None:
            request.update(transaction.selector())
        docs = []
        codec = self.codec
        for raw in self.reads.run_query(request=request, metadata=self.client._rpc_metadata):
            if transaction is not None:
                transaction.adopt(raw.transaction)
            if raw.HasField("document"):
                document = raw.document
                path = codec.path(document.name)
                docs.append(
                    Doc(path, codec.fields(document.fields), update_time_ns(document.update_time))
                )
        return docs


def _paged(client: Client, query: Any, after: str | None, limit: int | None) -> Any:
    """``query`` ordered by document name, after the path ``after``, at most ``limit``."""
    query = query.order_by(DOCUMENT_ID)
    if after is not None:
        query = query.start_after({DOCUMENT_ID: client.document(after)})
    if limit is not None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        query = query.limit(limit)
    return query


def _commit_time(results: Sequence[Any]) -> int | None:
    """The update time of the documents a commit set, from its write results (a delete's result
    has none)."""
    for result in results:
        if result.HasField("update_time"):
            return update_time_ns(result.update_time)
    return None


def _rollback_quietly(transaction: FirestoreTransaction) -> None:
    """Roll back if still open; a failed rollback must not hide the error being handled."""
    if not transaction.in_progress:
        return
    try:
        transaction._rollback()
    except Exception:  # the transaction expires on the server anyway
        transaction._clean_up()
