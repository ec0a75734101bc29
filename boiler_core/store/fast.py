"""The fast path of :class:`~boiler_core.store.firestore.FirestoreStore`: raw protocol buffers on
the library's channel, through :class:`~boiler_core.store.internals.Internals`.

Reads (``BatchGetDocuments``, ``RunQuery``) and transaction commits go straight to the Firestore
API's protocol buffers, decoded and encoded by :class:`~boiler_core.store.codec.Codec`: the
library's snapshots and proto-plus wrappers cost more CPU than the round trips on a large
fan-out. A transaction begins with its first read (``new_transaction`` in that request, carrying
the id of the attempt being retried, so a retried transaction keeps its place in Firestore's lock
queue), saving the ``BeginTransaction`` round trip the library makes before any read, and commits
its raw writes in a raw ``CommitRequest``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from google.api_core.exceptions import Aborted, AlreadyExists
from google.cloud.firestore import Client
from google.cloud.firestore_v1.types import firestore as firestore_types
from google.cloud.firestore_v1.types import write as write_types

from boiler_core.documents import Doc, update_time_ns
from boiler_core.errors import StoreError
from boiler_core.store import queries
from boiler_core.store.codec import Codec, Unsupported, to_firestore
from boiler_core.store.internals import Internals
from boiler_core.store.port import QueryOp, Transaction

T = TypeVar("T")

CommitRequestPb: Any = firestore_types.CommitRequest.pb()
BATCH_SIZE = 300
"""Documents per ``BatchGetDocuments`` call; larger reads are split into several calls."""

READ_AFTER_WRITE = "a transaction must do all its reads before its first write"


class Attempts:
    """What the attempts of one transaction share: the library transaction holding the buffered
    writes, and the id of the first attempt (which retries name)."""

    def __init__(self, client: Client) -> None:
        self.transaction: Any = client.transaction()
        self.retry_id: bytes | None = None


class FastWire:
    """Reads, transaction attempts and atomic creates on raw messages."""

    def __init__(self, client: Client, internals: Internals) -> None:
        self.client = client
        self.internals = internals
        self.database = internals.database(client)
        self.codec = Codec(f"{self.database}/documents/", lambda f: internals.decode_map(f, client))
        self._api: Any = None
        self._api_lock = threading.Lock()

    @property
    def api(self) -> Any:
        """The API client the streaming reads and the commits go through (made on first use,
        like the library's own)."""
        with self._api_lock:
            if self._api is None:
                self._api = self.internals.raw_api(self.client)
            return self._api

    @property
    def metadata(self) -> Sequence[tuple[str, str]]:
        return self.internals.metadata(self.client)

    # -- reads -----------------------------------------------------------------------------------

    def get_all(
        self, paths: Sequence[str], transaction: FastTransaction | None = None
    ) -> dict[str, Doc | None]:
        out: dict[str, Doc | None] = dict.fromkeys(paths)
        unique = list(out)
        api, codec, metadata = self.api, self.codec, self.metadata
        for start in range(0, len(unique), BATCH_SIZE):
            request: dict[str, Any] = {
                "database": self.database,
                "documents": [codec.prefix + path for path in unique[start : start + BATCH_SIZE]],
            }
            if transaction is not None:
                request.update(transaction.selector())
            for raw in api.batch_get_documents(request=request, metadata=metadata):
                if transaction is not None:
                    transaction.adopt(raw.transaction)
                if raw.WhichOneof("result") == "found":
                    found = raw.found
                    path = codec.path(found.name)
                    out[path] = Doc(
                        path, codec.fields(found.fields), update_time_ns(found.update_time)
                    )
        return out

    def run(self, query: Any, transaction: FastTransaction | None = None) -> list[Doc]:
        """The documents a library ``Query`` returns, in its order, decoded by the codec."""
        request = self.internals.query_request(query)
        if transaction is not None:
            request.update(transaction.selector())
        docs = []
        codec = self.codec
        for raw in self.api.run_query(request=request, metadata=self.metadata):
            if transaction is not None:
                transaction.adopt(raw.transaction)
            if raw.HasField("document"):
                document = raw.document
                path = codec.path(document.name)
                docs.append(
                    Doc(path, codec.fields(document.fields), update_time_ns(document.update_time))
                )
        return docs

    # -- writes ----------------------------------------------------------------------------------

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

    def create(self, documents: Sequence[tuple[str, Mapping[str, Any]]]) -> bool:
        """Create all ``documents`` in one atomic commit with create-only preconditions; False
        (and nothing created) when one of them exists."""
        batch = self.client.batch()
        for path, data in documents:
            write = self.write(path, data, create=True)
            if write is None:  # sentinels and the like: the library's own create
                batch.create(self.client.document(path), to_firestore(data, self.client))
            else:
                self.internals.add_writes(batch, [write])
        try:
            batch.commit()
        except AlreadyExists:
            return False
        return True

    # -- transactions ----------------------------------------------------------------------------

    def attempts(self) -> Attempts:
        return Attempts(self.client)

    def attempt(self, fn: Callable[[Transaction], T], attempts: Attempts) -> tuple[T, int | None]:
        """Run ``fn`` once in a transaction and commit it: its result and the commit's update
        time. Raises what the server raised (``Aborted`` on a conflict) after rolling back."""
        internals, transaction = self.internals, attempts.transaction
        internals.clean_up(transaction)
        tx = FastTransaction(self, transaction, attempts.retry_id)
        try:
            result = fn(tx)
            if tx.id is None:  # fn read nothing: begin before committing
                internals.begin(transaction, attempts.retry_id)
                tx.id = internals.transaction_id(transaction)
        except BaseException:
            attempts.retry_id = attempts.retry_id or tx.id
            self.rollback_quietly(transaction)
            raise
        attempts.retry_id = attempts.retry_id or tx.id
        try:
            results = self.commit(transaction, tx.id)
        except Aborted:  # the server ended the transaction: nothing to roll back
            raise
        except BaseException:
            self.rollback_quietly(transaction)
            raise
        return result, _commit_time(results)

    def commit(self, transaction: Any, transaction_id: bytes | None) -> Sequence[Any]:
        """Commit ``transaction``'s buffered writes as the library's commit does, on raw
        messages: the raw ``WriteResult`` of each write, in order. A request built from raw
        writes skips the proto-plus conversion of every write (a chunk commits about a
        hundred)."""
        if transaction_id is None:
            raise StoreError("no transaction in progress to commit")
        request = CommitRequestPb(database=self.database, transaction=transaction_id)
        request.writes.extend(
            write_types.Write.pb(write) for write in self.internals.buffered_writes(transaction)
        )
        response = self.api.commit(
            request=firestore_types.CommitRequest.wrap(request), metadata=self.metadata
        )
        self.internals.clean_up(transaction)
        return list(response.write_results)

    def rollback_quietly(self, transaction: Any) -> None:
        """Roll back if still open; a failed rollback must not hide the error being handled."""
        if not transaction.in_progress:
            return
        try:
            self.internals.rollback(transaction)
        except Exception:  # the transaction expires on the server anyway
            self.internals.clean_up(transaction)


class FastTransaction:
    """:class:`~boiler_core.store.port.Transaction` on a Firestore transaction that begins with
    its first read.

    The first ``get_all`` or ``query`` asks the server for a new transaction in the same request
    (``new_transaction``, carrying the id of the attempt being retried); the id comes back with
    the first response and every later read and the commit use it.
    """

    def __init__(self, wire: FastWire, transaction: Any, retry_id: bytes | None) -> None:
        self._wire = wire
        self._transaction = transaction
        self._retry_id = retry_id
        self._wrote = False
        self.id: bytes | None = None

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        self._check_no_writes()
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
        self._check_no_writes()
        query = queries.where(self._wire.client, collection, field, op, value, after, limit)
        return sorted(self._wire.run(query, self), key=lambda doc: doc.path)

    def set(self, path: str, data: Mapping[str, Any]) -> None:
        self._wrote = True
        write = self._wire.write(path, data)
        if write is None:  # sentinels and the like: the library's own set
            client = self._wire.client
            self._transaction.set(client.document(path), to_firestore(data, client))
        else:
            self._wire.internals.add_writes(self._transaction, [write])

    def delete(self, path: str) -> None:
        self._wrote = True
        self._transaction.delete(self._wire.client.document(path))

    def selector(self) -> dict[str, Any]:
        """The request fields that put a read in this transaction (beginning it if need be)."""
        if self.id is not None:
            return {"transaction": self.id}
        options: dict[str, Any] = {}
        if self._retry_id is not None:
            options["retry_transaction"] = self._retry_id
        return {"new_transaction": {"read_write": options}}

    def adopt(self, transaction_id: bytes) -> None:
        """Take the id of the transaction the server began (sent with the first response)."""
        if transaction_id and self.id is None:
            self.id = transaction_id
            self._wire.internals.adopt(self._transaction, transaction_id)

    def _check_no_writes(self) -> None:
        if self._wrote:
            raise StoreError(READ_AFTER_WRITE)


def _commit_time(results: Sequence[Any]) -> int | None:
    """The update time of the documents a commit set, from its raw write results (a delete's
    result has none)."""
    for result in results:
        if result.HasField("update_time"):
            return update_time_ns(result.update_time)
    return None
