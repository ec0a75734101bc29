"""``boiler backfill``: build or rebuild whole views from the domain state, resumably.

For each view, in three phases recorded in the :class:`~boiler_core.rebuild.checkpoint.Checkpoint`
after every page:

1. ``roots``: the root collection is listed by cursor, page by page; each chunk of roots is
   recomputed by :meth:`Engine.recompute <boiler_core.engine.engine.Engine.recompute>`, one
   serializable transaction per chunk whose commit carries all the chunk's writes (a batched
   write that is also safe while triggers run: it cannot overwrite a newer result).
2. ``sweep``: the collections the view writes are listed (:mod:`.strays`); masters whose root is
   gone and copies whose member left are handed to the engine, which deletes them.
3. The build record ``_boiler_meta/{view}`` is written with the view's fingerprint
   (:mod:`.fingerprint`), and the view is ``done``.

A root whose documents cannot be computed (a hook raised, data the computation cannot take) is
left as it is and recorded in the progress with its one-line reason (:mod:`.failures`); the other
roots are built. A view with such roots gets no build record, so ``--changed`` builds it again.

Writes and deletes go through a :class:`~boiler_core.rebuild.ratelimit.RampingLimiter`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from boiler_core.engine.cost import Cost
from boiler_core.engine.engine import Engine
from boiler_core.engine.failures import RootFailure
from boiler_core.rebuild.checkpoint import Checkpoint, ViewProgress
from boiler_core.rebuild.failures import failures_of
from boiler_core.rebuild.fingerprint import write_record
from boiler_core.rebuild.paging import DEFAULT_PAGE_SIZE, Source, doc_id, pages
from boiler_core.rebuild.ratelimit import RampingLimiter
from boiler_core.rebuild.strays import classify, needed_documents, output_sources, suspects
from boiler_core.store.port import ListingStore


class Backfill:
    """Rebuilds views of ``engine.manifest`` in ``store``, saving progress to ``checkpoint``.

    ``on_roots`` is told how many roots each page rebuilt (for a progress bar).
    """

    def __init__(
        self,
        engine: Engine,
        store: ListingStore,
        checkpoint: Checkpoint,
        *,
        limiter: RampingLimiter | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        on_roots: Callable[[int], None] | None = None,
    ) -> None:
        self.engine = engine
        self.store = store
        self.checkpoint = checkpoint
        self.limiter = limiter or RampingLimiter()
        self.page_size = page_size
        self.on_roots = on_roots

    def run_view(self, view: str) -> ViewProgress:
        """Finish the rebuild of ``view`` from wherever its checkpointed progress stands."""
        progress = self.checkpoint.view(view)
        if progress.phase == "roots":
            self._roots(view, progress)
            progress.phase, progress.source, progress.after = "sweep", 0, None
            self.checkpoint.save()
        if progress.phase == "sweep":
            self._sweep(view, progress)
            if not progress.failed:
                write_record(self.store, view, self.checkpoint.fingerprints[view], progress.roots)
            progress.phase, progress.after = "done", None
            self.checkpoint.save()
        return progress

    def _roots(self, view: str, progress: ViewProgress) -> None:
        root = self.engine.manifest.views[view].root
        chunk_size = self.engine.chunk_size
        for page in pages(self.store, Source(root), after=progress.after, page_size=self.page_size):
            progress.reads += len(page)
            for start in range(0, len(page), chunk_size):
                roots = [doc_id(path) for path in page[start : start + chunk_size]]
                recompute(self.engine, view, roots, {}, progress, self.limiter)
            progress.roots += len(page)
            progress.after = page[-1]
            self.checkpoint.save()
            if self.on_roots is not None:
                self.on_roots(len(page))

    def _sweep(self, view: str, progress: ViewProgress) -> None:
        sweep(
            self.engine,
            self.store,
            view,
            progress,
            limiter=self.limiter,
            page_size=self.page_size,
            save=self.checkpoint.save,
        )


def sweep(
    engine: Engine,
    store: ListingStore,
    view: str,
    progress: ViewProgress,
    *,
    limiter: RampingLimiter,
    page_size: int = DEFAULT_PAGE_SIZE,
    save: Callable[[], None] = lambda: None,
) -> None:
    """Delete the documents of ``view`` that no root implies any more (phase 2), from where
    ``progress`` stands; ``save`` is called after every page (to checkpoint ``progress``)."""
    target = engine.manifest.views[view]
    sources = output_sources(target)
    for index in range(progress.source, len(sources)):
        after = progress.after if index == progress.source else None
        for page in pages(store, sources[index], after=after, page_size=page_size):
            outputs = [o for path in page if (o := classify(target, path)) is not None]
            needed = needed_documents(target, outputs)
            progress.reads += len(page) + len(needed)
            also: dict[str, set[str]] = defaultdict(set)
            for output, _ in suspects(target, outputs, store.get_all(needed)):
                also[output.root_id].update({output.path} if output.copy else set())
            if also:
                recompute(engine, view, [], also, progress, limiter)
            progress.source, progress.after = index, page[-1]
            save()
        progress.source, progress.after = index + 1, None
        save()


def recompute(
    engine: Engine,
    view: str,
    roots: Sequence[str],
    also: Mapping[str, set[str]],
    progress: ViewProgress,
    limiter: RampingLimiter,
) -> None:
    """Recompute ``roots`` and the roots of ``also`` (copy paths per root to delete unless still
    needed), a chunk per transaction; account the cost in ``progress`` and record there each
    root that cannot be computed."""
    ids = sorted(set(roots) | set(also))
    for start in range(0, len(ids), engine.chunk_size):
        chunk = ids[start : start + engine.chunk_size]
        failed: list[RootFailure] = []
        cost = engine.recompute(
            view, chunk, also={r: also[r] for r in chunk if r in also}, failed=failed
        )
        account(progress, cost, limiter)
        for failure in failures_of(failed):
            progress.failed.setdefault(failure.document, failure.reason)


def account(progress: ViewProgress, cost: Cost, limiter: RampingLimiter) -> None:
    """Add what a recompute cost to ``progress``; let ``limiter`` pace its writes and deletes."""
    progress.writes += cost.writes
    progress.deletes += cost.deletes
    progress.reads += cost.reads
    limiter.spend(cost.writes + cost.deletes)
