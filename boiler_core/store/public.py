"""The public-API path of :class:`~boiler_core.store.firestore.FirestoreStore`: what boiler uses
when the probe of :mod:`.internals` finds a private member missing or changed, or when asked to
(``FirestoreStore(client, internals=None)``).

Only google-cloud-firestore's public API: snapshots from ``Client.get_all`` and
``Query.stream``, values converted by :func:`~.codec.to_neutral` and
:func:`~.codec.to_firestore`, one library transaction per attempt run by the library's
``transactional`` (with ``max_attempts=1``: the store retries, with backoff). The results are the
fast path's; the cost is higher: a ``BeginTransaction`` round trip per attempt, a retried
transaction that starts over at the end of Firestore's lock queue, a snapshot and proto-plus
conversions per document, and, on google-cloud-firestore releases whose transactions do not keep
their write results, one read after each commit for its update time. (One cosmetic difference:
a timestamp read through the library's snapshots has its microseconds, all Firestore keeps, but
its ``nanosecond`` attribute reads 0, as the library's copy of the data drops it.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from google.api_core.exceptions import Aborted, AlreadyExists, InvalidArgument
from google.cloud.firestore import Client, transactional
from google.cloud.firestore_v1.types import write as write_types

from boiler_core.documents import Doc, update_time_ns
from boiler_core.errors import StoreError
from boiler_core.store import queries
from boiler_core.store.codec import to_firestore, to_neutral
from boiler_core.store.fast import BATCH_SIZE, READ_AFTER_WRITE
from boiler_core.store.port import QueryOp, Transaction

T = TypeVar("T")


class Attempts:
    """The public path's attempts share nothing: each begins a new library transaction."""


class PublicWire:
    """Reads, transaction attempts and atomic creates on the library's public API."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get_all(self, paths: Sequence[str], transaction: Any = None) -> dict[str, Doc | None]:
        out: dict[str, Doc | None] = dict.fromkeys(paths)
        unique = list(out)
        for start in range(0, len(unique), BATCH_SIZE):
            refs = [self.client.document(path) for path in unique[start : start + BATCH_SIZE]]
            for snapshot in self.client.get_all(refs, transaction=transaction):
                if snapshot.exists:
                    out[snapshot.reference.path] = _doc(snapshot)
        return out

    def run(self, query: Any, transaction: Any = None) -> list[Doc]:
        """The documents a library ``Query`` returns, in its order."""
        return [_doc(snapshot) for snapshot in query.stream(transaction=transaction)]

    def create(self, documents: Sequence[tuple[str, Mapping[str, Any]]]) -> bool:
        """Create all ``documents`` in one atomic commit with create-only preconditions; False
        (and nothing created) when one of them exists."""
        batch = self.client.batch()
        for path, data in documents:
            batch.create(self.client.document(path), to_firestore(data, self.client))
        try:
            batch.commit()
        except AlreadyExists:
            return False
        return True

    def attempts(self) -> Attempts:
        return Attempts()

    def attempt(self, fn: Callable[[Transaction], T], attempts: Attempts) -> tuple[T, int | None]:
        """Run ``fn`` once in a new transaction and commit it: its result and the commit's update
        time. Raises what failed (``Aborted`` on a conflict, also one the library wrapped)."""
        transaction = self.client.transaction(max_attempts=1)
        ran: list[PublicTransaction] = []
        raised: list[BaseException] = []

        def body(library_transaction: Any) -> T:
            tx = PublicTransaction(self, library_transaction)
            ran.append(tx)
            try:
                return fn(tx)
            except BaseException as exc:
                raised.append(exc)
                raise

        try:
            result: T = transactional(body)(transaction)
        except Exception as exc:
            # The library rolls back on any error, chaining a failed rollback's error to the
            # failure, and wraps a conflicting commit in a ValueError: raise the failure itself.
            failure = raised[0] if raised else _failure(exc)
            if failure is exc:
                raise
            raise failure  # noqa: B904 - the chain shows what the rollback raised
        return result, self._commit_time(transaction, ran[-1])

    def _commit_time(self, transaction: Any, tx: PublicTransaction) -> int | None:
        if tx.first_set is None:
            return None
        results = transaction.write_results
        if results is None:  # this release does not keep them: read the document back
            doc = self.get_all([tx.first_set])[tx.first_set]
            return None if doc is None else doc.update_time
        for result in results:
            raw = write_types.WriteResult.pb(result)
            if raw.HasField("update_time"):
                return update_time_ns(raw.update_time)
        return None


class PublicTransaction:
    """:class:`~boiler_core.store.port.Transaction` on a library transaction (begun by the
    library before ``fn`` runs)."""

    def __init__(self, wire: PublicWire, transaction: Any) -> None:
        self._wire = wire
        self._transaction = transaction
        self._wrote = False
        self.first_set: str | None = None
        """The first document set, whose update time is the commit's."""

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]:
        self._check_no_writes()
        return self._wire.get_all(paths, self._transaction)

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
        return sorted(self._wire.run(query, self._transaction), key=lambda doc: doc.path)

    def set(self, path: str, data: Mapping[str, Any]) -> None:
        self._wrote = True
        if self.first_set is None:
            self.first_set = path
        client = self._wire.client
        self._transaction.set(client.document(path), to_firestore(data, client))

    def delete(self, path: str) -> None:
        self._wrote = True
        self._transaction.delete(self._wire.client.document(path))

    def _check_no_writes(self) -> None:
        if self._wrote:
            raise StoreError(READ_AFTER_WRITE)


def _doc(snapshot: Any) -> Doc:
    return Doc(
        snapshot.reference.path,
        to_neutral(snapshot.to_dict() or {}),
        update_time_ns(snapshot.update_time),
    )


def _failure(exc: BaseException) -> BaseException:
    """The error a library transaction failed with: the first ``Aborted`` or
    ``InvalidArgument`` in ``exc``'s chain (a conflict, or data Firestore refused), else
    ``exc``."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if isinstance(seen, Aborted | InvalidArgument):
            return seen
        seen = seen.__cause__ or seen.__context__
    return exc
