"""The storage port on google-cloud-firestore: :class:`FirestoreStore` and :func:`firestore_client`.

Values cross the boundary in both directions: a reference becomes
:class:`~boiler_core.documents.Ref` on read and back on write, also inside lists and maps.
Everything else (strings, numbers, timestamps, geo points, bytes) passes through unchanged.

Two paths implement the store, with the same results:

- the fast path (:mod:`.fast`): the engine's reads (``get_all``, ``query``), listing with data,
  transactions and bulk creates on the Firestore API's raw protocol buffers, through a handful
  of the client library's private members, every one of them named in :mod:`.internals`;
- the public path (:mod:`.public`): the library's public API only, slower.

A store takes the fast path when :func:`~.internals.probe` finds every private member it needs
(checked once per process, when the first store or client is made). Otherwise one WARNING says
what is missing, which google-cloud-firestore is installed, and that boiler uses the public API;
``FirestoreStore(client, internals=None)`` asks for the public path (the tests run the same
contract against both, and the in-memory store).

Transactions are retried here, not by the client library: the library's ``@transactional``
retries only commit-time aborts and never backs off. :meth:`FirestoreStore.run_transaction`
retries any ``Aborted`` (a conflicting commit, or the emulator's "409 Transaction lock timeout")
with jittered exponential backoff and raises :class:`~boiler_core.errors.ContentionError` after
``max_attempts``; Firestore's ``400 InvalidArgument`` (data it cannot store) becomes
:class:`~boiler_core.errors.Rejected`.

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

The client :func:`firestore_client` makes (on the fast path) reads its streamed responses on the
calling thread (gRPC's ``SingleThreadedUnaryStream`` channel option, for both the emulator's
channel and production's). By default gRPC hands every streamed message (one per document read)
from a background thread to the caller through a condition variable, which on a fan-out cost
about as much client CPU as decoding the documents: reading 2,111 documents through
``BatchGetDocuments`` took 0.23 CPU-seconds with the handoff and 0.13 without (emulator,
4 threads, 2026-11-26). The engine's streaming reads also skip the library's proto-plus wrapper
around each response (:class:`~.internals.RawCalls`): about a tenth less CPU again for the same
reads.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from google.api_core.exceptions import Aborted, InvalidArgument
from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore import Client
from google.cloud.firestore_v1.bulk_batch import BulkWriteBatch

from boiler_core.deployment import check_environment
from boiler_core.documents import Doc
from boiler_core.errors import ContentionError, Rejected, StoreError
from boiler_core.store import queries
from boiler_core.store.codec import to_firestore
from boiler_core.store.fast import BATCH_SIZE, FastWire
from boiler_core.store.internals import AUTO, Auto, Internals, probe
from boiler_core.store.port import QueryOp, Transaction
from boiler_core.store.public import PublicWire

T = TypeVar("T")

EMULATOR_HOST_ENV = "FIRESTORE_EMULATOR_HOST"
PROJECT_ENVS = ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT")

BACKOFF_BASE = 0.05
BACKOFF_CAP = 2.0

__all__ = [
    "BATCH_SIZE",
    "EMULATOR_HOST_ENV",
    "FirestoreStore",
    "firestore_client",
]


def _resolve(internals: Internals | Auto | None) -> Internals | None:
    return probe().internals if internals == AUTO else internals


def firestore_client(
    project: str | None,
    *,
    database: str | None = None,
    internals: Internals | Auto | None = AUTO,
) -> Client:
    """A Firestore client: anonymous under ``FIRESTORE_EMULATOR_HOST``, default credentials else.

    Under the emulator the project comes from ``project``, else ``GOOGLE_CLOUD_PROJECT`` or
    ``GCLOUD_PROJECT``; without one the client would silently use a made-up project whose data
    nobody sees, so this raises :class:`~boiler_core.errors.StoreError` instead. In production
    ``project=None`` lets the client find the project from the environment. On the fast path
    (``internals``, by default the probed ones) its channel reads streams on the calling thread;
    with ``internals=None`` it is the library's plain ``Client``. In a deployed function with an
    emulator variable set it raises :class:`~boiler_core.errors.EmulatorInDeployment`
    (:mod:`boiler_core.deployment`).
    """
    check_environment(os.environ)  # a deployed function must not follow an emulator variable
    found = _resolve(internals)
    make: Callable[..., Client] = Client if found is None else found.client
    if not os.environ.get(EMULATOR_HOST_ENV):
        return make(project=project, database=database)
    project = project or next((os.environ[e] for e in PROJECT_ENVS if os.environ.get(e)), None)
    if not project:
        raise StoreError(
            f"{EMULATOR_HOST_ENV} is set but no project id is known: pass the emulator's "
            "project id (e.g. demo-boiler) or set GOOGLE_CLOUD_PROJECT"
        )
    credentials = AnonymousCredentials()  # type: ignore[no-untyped-call]
    return make(project=project, credentials=credentials, database=database)


class _Wire(Protocol):
    """What the fast and the public path each provide (:mod:`.fast`, :mod:`.public`)."""

    def get_all(self, paths: Sequence[str]) -> dict[str, Doc | None]: ...

    def run(self, query: Any) -> list[Doc]: ...

    def create(self, documents: Sequence[tuple[str, Mapping[str, Any]]]) -> bool: ...

    def attempts(self) -> Any: ...

    def attempt(self, fn: Callable[[Transaction], T], attempts: Any) -> tuple[T, int | None]: ...


class FirestoreStore:
    """:class:`~boiler_core.store.port.Store` on a google-cloud-firestore ``Client``.

    ``internals``: the client internals of the fast path; by default the probed ones (the fast
    path when the probe passed, else the public API); None: the public API only.

    Safe to share between threads (functions-framework may run concurrent invocations in one
    instance): :attr:`last_retries` is kept per thread.
    """

    def __init__(self, client: Client, *, internals: Internals | Auto | None = AUTO) -> None:
        self.client = client
        found = _resolve(internals)
        self._wire: _Wire = PublicWire(client) if found is None else FastWire(client, found)
        self._local = threading.local()

    @property
    def fast(self) -> bool:
        """Whether this store takes the fast path (else the public API)."""
        return isinstance(self._wire, FastWire)

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
        query = queries.where(self.client, collection, field, op, value, after, limit)
        return sorted(self._wire.run(query), key=lambda doc: doc.path)

    def list_paths(
        self, collection: str, *, group: bool = False, after: str | None = None, limit: int = 300
    ) -> list[str]:
        """Up to ``limit`` paths after the cursor ``after``, ordered by document name; only the
        names are fetched (an empty projection)."""
        query = queries.page(self.client, collection, group, after, limit)
        names = query.select([queries.DOCUMENT_ID])
        return [snapshot.reference.path for snapshot in names.stream()]

    def list_documents(
        self, collection: str, *, after: str | None = None, limit: int = 300
    ) -> list[Doc]:
        """Up to ``limit`` documents after the cursor ``after``, with their data, in one query."""
        return self._wire.run(queries.page(self.client, collection, False, after, limit))

    def create_all(self, documents: Sequence[tuple[str, Mapping[str, Any]]]) -> list[str]:
        """Create the documents that do not exist (create-only preconditions, never an
        overwrite); return the paths not created. One atomic commit when none exists; else one
        ``BatchWrite`` that creates the others and reports each existing one."""
        if not documents or self._wire.create(documents):
            return []
        bulk = BulkWriteBatch(self.client)
        for path, data in documents:
            bulk.create(self.client.document(path), to_firestore(data, self.client))
        response = bulk.commit()
        return [
            path
            for (path, _), status in zip(documents, response.status, strict=True)
            if status.code != 0
        ]

    def count(self, collection: str, *, group: bool = False) -> int:
        """How many documents the collection (or collection group) holds: a COUNT aggregation."""
        source = (
            self.client.collection_group(collection)
            if group
            else queries.collection_of(self.client, collection)
        )
        aggregation: Any = source.count()  # the library's stubs mistype this call chain
        return int(aggregation.get()[0][0].value)

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

        On the fast path the transaction begins with ``fn``'s first read, so it costs no
        ``BeginTransaction`` round trip of its own.
        """
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {max_attempts}")
        attempts = self._wire.attempts()
        last: Aborted | None = None
        for attempt in range(max_attempts):
            if attempt:
                time.sleep(random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)))
            try:
                result, commit_time = self._wire.attempt(fn, attempts)
            except Aborted as exc:
                last = exc
                continue
            except InvalidArgument as exc:
                raise _rejected(exc) from exc
            self._local.retries = attempt
            self._local.commit_time = commit_time
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
