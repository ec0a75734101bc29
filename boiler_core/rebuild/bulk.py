"""``boiler backfill --bulk``: build views from one scan of their sources, with create-only batches.

The transactional backfill (:mod:`.backfill`) recomputes every root in a transaction that reads
the root, its joined documents and the stored view documents again: about five reads per source
document. The bulk build reads each source document once:

1. **Stream.** Every collection the selected views read (roots and joins, shared ones once) is
   listed by cursor with its data into a :class:`~.snapshot.Snapshot` in memory: one billed read
   per source document. A view that reads another selected view's documents is built after it
   and reads them from the snapshot (:func:`~.order.build_order`).
2. **Plan.** Each chunk of roots goes through :meth:`Engine.plan
   <boiler_core.engine.engine.Engine.plan>` on the snapshot: the engine's own transaction function,
   so the documents (hooks, copies, ``_members``, ``_version``) are exactly what a trigger or the
   transactional backfill writes. No view document is read: on the snapshot they are all absent,
   so every output is planned as a create.
3. **Create.** The planned documents are written in batches of up to :data:`BATCH_SIZE` with
   create-only preconditions (:meth:`~boiler_core.store.port.Creator.create_all`), a few batches
   in parallel threads. A document that already exists is never overwritten: its root is
   recomputed afterwards by the engine's transactional :meth:`Engine.recompute
   <boiler_core.engine.engine.Engine.recompute>` against the database, which reads what is stored
   and writes only the difference (so a rerun over built views is correct, only slower).
4. **Sweep.** When the view held no document before the build (a COUNT aggregation per collection
   it writes) and every create succeeded, no document can be a stray and the sweep is skipped;
   otherwise the transactional backfill's sweep runs (:func:`~.backfill.sweep`).
5. The build record ``_boiler_meta/{view}`` is written, unless a root failed: a root whose
   documents cannot be computed (a hook raised, data the computation cannot take) is left as it
   is and reported (:attr:`BulkView.failed`), and the others are built.

The honest limit: the snapshot is a scan, not a transaction. A root that the domain changes or
deletes while the build runs may be written from the older scan when its trigger ran before the
create landed (a trigger that runs after the create recomputes it correctly). So a bulk build is
for views nothing writes yet (a new view before its triggers are deployed, an empty database), or
must be followed by ``boiler verify --repair``. It is not resumable mid-view; a rerun is safe.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from boiler_core.documents import Doc
from boiler_core.engine.engine import Engine
from boiler_core.rebuild.backfill import recompute, sweep
from boiler_core.rebuild.checkpoint import ViewProgress
from boiler_core.rebuild.dryrun import DryRun
from boiler_core.rebuild.failures import each_root
from boiler_core.rebuild.fingerprint import write_record
from boiler_core.rebuild.order import build_order, source_collections
from boiler_core.rebuild.paging import DEFAULT_PAGE_SIZE, doc_id
from boiler_core.rebuild.ratelimit import RampingLimiter
from boiler_core.rebuild.snapshot import Snapshot, stream
from boiler_core.rebuild.strays import classify, output_sources
from boiler_core.store.port import ListingStore

BATCH_SIZE = 500
"""Documents per create batch (one commit)."""

BATCH_BYTES = 8_000_000
"""Estimated request bytes after which a batch is sent early (Firestore allows 10 MiB)."""

DEFAULT_WRITERS = 4
"""Batches committed in parallel."""

STREAM_PAGE_SIZE = 5_000
"""Documents per listing request when streaming sources: each request has a fixed cost (about
0.2 s on the emulator), so pages much larger than the transactional backfill's pay off."""

DEFAULT_MAX_DOCS = 500_000
"""Source documents a bulk build holds in memory at most unless told otherwise."""


def aggregation_reads(count: int) -> int:
    """Reads a COUNT aggregation over ``count`` documents is billed: one per 1,000, at least 1."""
    return max(1, -(-count // 1000))


@dataclass
class BulkView:
    """What the bulk build of one view did."""

    view: str
    roots: int = 0
    planned: int = 0
    """View documents computed (masters and copies)."""
    created: int = 0
    """Of those, created by the batches."""
    existed: int = 0
    """Of those, not created because the document existed (or its write was refused)."""
    recomputed: int = 0
    """Roots handed to the transactional recompute because of those."""
    stored_before: int = 0
    """View documents stored when the view's build began (COUNT aggregations)."""
    swept: bool = False
    """Whether the stray sweep ran."""
    writes: int = 0
    """Documents written: created, plus what the recompute and the sweep wrote."""
    deletes: int = 0
    reads: int = 0
    """Billed reads: the sources streamed for this view (shared ones count for the first view
    that needs them) with their COUNT aggregations, the view's COUNT aggregations, and what the
    recompute and the sweep read."""
    failed: dict[str, str] = field(default_factory=dict)
    """Root documents whose view documents could not be computed, with the reason (one line
    each); nothing was written for them, and the view got no build record."""


class BulkBackfill:
    """Builds views of ``engine.manifest`` in ``store`` from one scan of their sources.

    Call :meth:`count_sources`, then :meth:`load`, then :meth:`run_view` for each view in
    :attr:`order`. Sources are streamed ``stream_page_size`` documents per request; ``page_size``
    applies to the sweep's listings. ``on_streamed(collection, n)`` and ``on_roots(n)`` report
    progress.
    """

    def __init__(
        self,
        engine: Engine,
        store: ListingStore,
        views: Sequence[str],
        *,
        limiter: RampingLimiter | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        stream_page_size: int = STREAM_PAGE_SIZE,
        batch_size: int = BATCH_SIZE,
        writers: int = DEFAULT_WRITERS,
        on_streamed: Callable[[str, int], None] | None = None,
        on_roots: Callable[[int], None] | None = None,
    ) -> None:
        if batch_size < 1 or writers < 1:
            raise ValueError("batch_size and writers must be at least 1")
        self.engine = engine
        self.store = store
        self.order = build_order(engine.manifest, views)
        self.limiter = limiter or RampingLimiter()
        self.page_size = page_size
        self.stream_page_size = stream_page_size
        self.batch_size = batch_size
        self.writers = writers
        self.on_streamed = on_streamed
        self.on_roots = on_roots
        self.snapshot = Snapshot()
        self.counts: dict[str, int] = {}
        """Documents per collection to stream, as counted before streaming."""
        self.streamed: dict[str, int] = {}
        """Documents read per collection streamed."""
        self._first_reader: dict[str, str] = {}

    @property
    def produced(self) -> dict[str, str]:
        """Collections that selected views write as masters and later selected views read, with
        the producing view: they are fed from the planned documents, not streamed."""
        views = [self.engine.manifest.views[name] for name in self.order]
        read = {c for v in views for c in source_collections(v)}
        return {v.path.collection_path: v.name for v in views if v.path.collection_path in read}

    def collections(self) -> dict[str, str]:
        """The collections to stream, each with the first view (in :attr:`order`) reading it."""
        produced = self.produced
        first: dict[str, str] = {}
        for name in self.order:
            for collection in source_collections(self.engine.manifest.views[name]):
                if collection not in produced:
                    first.setdefault(collection, name)
        return first

    def count_sources(self) -> dict[str, int]:
        """Count the documents of each collection to stream (COUNT aggregations)."""
        self._first_reader = self.collections()
        self.counts = {c: self.store.count(c) for c in self._first_reader}
        return dict(self.counts)

    def load(self) -> int:
        """Stream every collection to stream into the snapshot; return the documents read."""
        if not self._first_reader:
            self._first_reader = self.collections()
        for collection in self._first_reader:
            self.streamed[collection] = stream(
                self.store,
                collection,
                self.snapshot,
                page_size=self.stream_page_size,
                on_page=self._reporter(collection),
            )
        return sum(self.streamed.values())

    def _reporter(self, collection: str) -> Callable[[int], None] | None:
        report = self.on_streamed
        if report is None:
            return None
        return lambda n: report(collection, n)

    def stream_reads(self, view: str) -> int:
        """Reads of the collections first needed by ``view`` (documents and their counts)."""
        return sum(
            self.streamed.get(c, 0) + (aggregation_reads(self.counts[c]) if c in self.counts else 0)
            for c, first in self._first_reader.items()
            if first == view
        )

    def run_view(self, view: str, fingerprint: str) -> BulkView:
        """Build ``view`` from the snapshot (see the module docstring) and record the build."""
        target = self.engine.manifest.views[view]
        result = BulkView(view, reads=self.stream_reads(view))
        stored = [self.store.count(s.collection, group=s.group) for s in output_sources(target)]
        result.stored_before = sum(stored)
        result.reads += sum(aggregation_reads(n) for n in stored)
        feeds = target.path.collection_path in self.produced
        masters: list[Doc] = []
        not_created: list[str] = []
        roots = [doc_id(path) for path in self.snapshot.paths(target.root)]
        chunk_size = self.engine.chunk_size
        with _Writer(self.store, self.writers, self.limiter, not_created) as writer:
            for start in range(0, len(roots), chunk_size):
                ids = roots[start : start + chunk_size]
                plans, failures = each_root(
                    target.root,
                    ids,
                    lambda chunk: self.engine.plan(view, chunk, DryRun(self.snapshot)),
                )
                for failure in failures:
                    result.failed[failure.document] = failure.reason
                for plan in plans:
                    for path, data in plan.sets:
                        writer.add(path, data, self.batch_size)
                        if feeds and target.path.match(path) is not None:
                            masters.append(Doc(path, data))
                    result.planned += len(plan.sets)
                result.roots += len(ids)
                if self.on_roots is not None:
                    self.on_roots(len(ids))
        if feeds:
            self.snapshot.add(target.path.collection_path, masters)
        result.existed = len(not_created)
        result.created = result.planned - result.existed
        progress = ViewProgress(phase="sweep", failed=result.failed)
        fallback = sorted({o.root_id for p in not_created if (o := classify(target, p))})
        result.recomputed = len(fallback)
        recompute(self.engine, view, fallback, {}, progress, self.limiter)
        if result.stored_before or not_created:
            result.swept = True
            sweep(
                self.engine,
                self.store,
                view,
                progress,
                limiter=self.limiter,
                page_size=self.page_size,
            )
        result.writes = result.created + progress.writes
        result.deletes = progress.deletes
        result.reads += progress.reads
        if not result.failed:
            write_record(self.store, view, fingerprint, result.roots)
        return result


class _Writer:
    """Collects planned documents into batches and commits them from a few threads, keeping at
    most twice as many batches in flight as threads; paths not created go to ``not_created``."""

    def __init__(
        self, store: ListingStore, threads: int, limiter: RampingLimiter, not_created: list[str]
    ) -> None:
        self._store = store
        self._threads = threads
        self._limiter = limiter
        self._not_created = not_created
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="boiler-bulk")
        self._pending: deque[Future[list[str]]] = deque()
        self._batch: list[tuple[str, Mapping[str, Any]]] = []
        self._bytes = 0

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            if error is None:
                self._send()
                while self._pending:
                    self._not_created.extend(self._pending.popleft().result())
        finally:
            for future in self._pending:
                future.cancel()
            self._pool.shutdown(wait=True)

    def add(self, path: str, data: Mapping[str, Any], batch_size: int) -> None:
        self._batch.append((path, data))
        self._bytes += len(path) + _size(data)
        if len(self._batch) >= batch_size or self._bytes >= BATCH_BYTES:
            self._send()

    def _send(self) -> None:
        if not self._batch:
            return
        batch, self._batch, self._bytes = self._batch, [], 0
        self._limiter.spend(len(batch))
        self._pending.append(self._pool.submit(self._store.create_all, batch))
        while len(self._pending) > 2 * self._threads:
            self._not_created.extend(self._pending.popleft().result())


def _size(value: Any) -> int:
    """A rough upper estimate of ``value``'s encoded size in bytes."""
    if isinstance(value, Mapping):
        return sum(len(str(key)) + 8 + _size(item) for key, item in value.items()) + 8
    if isinstance(value, list | tuple):
        return sum(_size(item) + 4 for item in value) + 8
    if isinstance(value, str | bytes):
        return len(value) + 8
    return 16 if not hasattr(value, "path") else len(str(value.path)) + 16
