"""``boiler verify``: compare every view document with a recompute of the domain state, and repair.

For one view, two passes, both paging by cursor:

1. **Roots.** The root collection is listed page by page; each chunk of roots is planned by the
   engine on a :class:`~boiler_core.rebuild.dryrun.DryRun` (same reads and decisions as a
   recompute, nothing written). A planned set of a document read as absent is **missing**, of one
   read as present **different** (with the fields that differ).
2. **Stored documents.** The collections the view writes are listed (the master collection, each
   copy collection as a collection group: see :mod:`.strays`). A master whose root is gone, or a
   copy whose member left, is a suspect; the engine confirms it (a planned delete with the
   suspect passed in ``also``) and it is reported **extra**.

A root whose documents cannot be computed (a hook raised, data the computation cannot take) is
reported **failed** with the engine's one-line message, and the check goes on with the other roots
(:mod:`.failures`); repair cannot fix it, so it leaves it as it is.

With ``repair``, the roots of every divergence are recomputed in real transactions right away
(extra documents are passed in ``also`` so that the recompute deletes them), which is safe while
triggers run: the recompute is the engine's own, serializable one. Without it nothing is written.

On a database that is being written to, a divergence may be an event still in flight; the counts
are exact once the triggers are idle.

:meth:`Verifier.check_slice` does the same for a bounded part of one of those listings, from a
cursor on (the backstop's rolling verification, :mod:`.sweep`), repairing root by root so that
it can tell a repair that changed something from a divergence an event settled meanwhile.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from boiler_core.engine.cost import Cost
from boiler_core.engine.engine import Engine
from boiler_core.engine.failures import RootFailure
from boiler_core.engine.outputs import WritePlan
from boiler_core.manifest.model import View
from boiler_core.rebuild.dryrun import DryRun, differing_fields
from boiler_core.rebuild.failures import Failure, each_root, failures_of
from boiler_core.rebuild.paging import DEFAULT_PAGE_SIZE, Source, doc_id, pages
from boiler_core.rebuild.strays import (
    Output,
    classify,
    needed_documents,
    output_sources,
    suspects,
)
from boiler_core.store.port import ListingStore

Kind = Literal["missing", "extra", "different", "failed"]
KINDS: tuple[Kind, ...] = ("missing", "extra", "different", "failed")


@dataclass(frozen=True)
class Divergence:
    """One view document that is not what the domain state implies, or (``failed``) a root
    document whose view documents cannot be computed."""

    kind: Kind
    path: str
    """The view document; for ``failed``, the root document."""
    root: str
    """Id of the root document it belongs to."""
    detail: str = ""
    """The differing fields (different), why it should not exist (extra), or the error's
    one-line message (failed)."""


@dataclass
class ViewCheck:
    """What :meth:`Verifier.check` found (and, with repair, did) for one view."""

    view: str
    roots: int = 0
    """Root documents recomputed."""
    expected: int = 0
    """View documents the domain state implies (masters and copies)."""
    listed: int = 0
    """View documents found by listing the collections the view writes."""
    sources: tuple[Source, ...] = ()
    """What was listed: the master collection and the copy collection groups."""
    reads: int = 0
    """Billed reads spent checking."""
    divergences: list[Divergence] = field(default_factory=list)
    repaired: Cost | None = None
    """What the repair wrote, when repair was asked for."""

    def counts(self) -> dict[Kind, int]:
        """Divergences per kind (every kind listed)."""
        counted = Counter(d.kind for d in self.divergences)
        return {kind: counted[kind] for kind in KINDS}

    @property
    def failed(self) -> list[Divergence]:
        """The roots whose documents could not be computed."""
        return [d for d in self.divergences if d.kind == "failed"]


@dataclass(frozen=True)
class Slice:
    """Where :meth:`Verifier.check_slice` got."""

    after: str | None
    """The cursor to go on from: the last path checked (None: the listing ended)."""
    listed: int
    """Documents listed (and checked)."""
    ended: bool
    """Whether the listing reached the end of the collection."""
    changed: frozenset[str] = frozenset()
    """Ids of the roots whose repair wrote or deleted something."""


class Verifier:
    """Checks (and repairs) the views of ``engine.manifest`` in ``store``."""

    def __init__(
        self,
        engine: Engine,
        store: ListingStore,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        chunk_size: int | None = None,
    ) -> None:
        self.engine = engine
        self.store = store
        self.page_size = page_size
        self.chunk_size = chunk_size or engine.chunk_size

    def check(
        self, view: str, *, repair: bool = False, on_roots: Callable[[int], None] | None = None
    ) -> ViewCheck:
        """Verify one view; with ``repair``, fix every divergence found. ``on_roots`` is told how
        many roots each page checked (for a progress bar)."""
        target = self.engine.manifest.views[view]
        result = ViewCheck(view=view, sources=output_sources(target))
        repaired = Cost()
        for page in pages(self.store, Source(target.root), page_size=self.page_size):
            result.reads += len(page)
            for start in range(0, len(page), self.chunk_size):
                roots = [doc_id(path) for path in page[start : start + self.chunk_size]]
                found = self._check_roots(view, roots, result)
                if repair and found:
                    repaired += self._repair(view, sorted(found), {}, result)
            if on_roots is not None:
                on_roots(len(page))
        for source in result.sources:
            for page in pages(self.store, source, page_size=self.page_size):
                result.reads += len(page)
                extras = self._check_stored(view, page, result)
                if repair and extras:
                    repaired += self._repair(view, [], extras, result)
        result.divergences.sort(key=lambda d: (d.path, d.kind))
        if repair:
            result.repaired = repaired
        return result

    def check_slice(
        self,
        view: str,
        source: Source,
        *,
        after: str | None,
        limit: int,
        repair: bool,
        result: ViewCheck,
        stop: Callable[[], bool] = lambda: False,
    ) -> Slice:
        """Check up to ``limit`` documents of ``source`` listed after the cursor ``after`` (None:
        from the start), adding what is found to ``result``; with ``repair``, fix each divergent
        root at once, one recompute each. ``source`` is the view's root collection (its roots are
        checked as :meth:`check` checks them) or one of the collections it writes
        (``result.sources``: documents no root implies any more). ``stop`` is asked before each
        listing; once it says so, the slice ends where it got (the backstop's time limit).
        """
        target = self.engine.manifest.views[view]
        roots = source == Source(target.root)
        step = self.chunk_size if roots else self.page_size
        cursor, listed = after, 0
        changed: set[str] = set()
        while listed < limit and not stop():
            asked = min(step, limit - listed)
            page = self.store.list_paths(
                source.collection, group=source.group, after=cursor, limit=asked
            )
            result.reads += max(len(page), 1)  # a query that returns nothing bills one read
            listed += len(page)
            if roots and page:
                found = self._check_roots(view, [doc_id(path) for path in page], result)
                if repair:
                    changed |= self._repair_each(view, sorted(found), {}, result)
            elif page:
                extras = self._check_stored(view, page, result)
                if repair:
                    changed |= self._repair_each(view, [], extras, result)
            if len(page) < asked:
                return Slice(None, listed, ended=True, changed=frozenset(changed))
            cursor = page[-1]
        return Slice(cursor, listed, ended=False, changed=frozenset(changed))

    def _repair_each(
        self, view: str, roots: list[str], also: Mapping[str, set[str]], result: ViewCheck
    ) -> set[str]:
        """:meth:`_repair`, one root at a time; return the roots whose recompute wrote or
        deleted something (a root an event settled since the check writes nothing)."""
        changed = set()
        for root in sorted(set(roots) | set(also)):
            here = {root: also[root]} if root in also else {}
            cost = self._repair(view, [root] if root in roots else [], here, result)
            if cost.writes or cost.deletes:
                changed.add(root)
        return changed

    def _check_roots(self, view: str, roots: list[str], result: ViewCheck) -> set[str]:
        """Plan ``roots`` without writing; record missing and different documents, and the roots
        that fail; return the roots that diverge."""
        target = self.engine.manifest.views[view]
        divergent: set[str] = set()
        found, failures = each_root(
            target.root, roots, lambda ids: self._check_chunk(target, ids, result)
        )
        result.roots += len(failures)
        self._record_failures(result, failures)
        for chunk in found:
            divergent |= chunk
        return divergent

    def _repair(
        self, view: str, roots: list[str], also: Mapping[str, set[str]], result: ViewCheck
    ) -> Cost:
        """Recompute ``roots`` (and the roots of ``also``) in transactions; a root that fails
        by now is recorded as failed and the others are repaired."""
        ids = sorted(set(roots) | set(also))
        cost = Cost()
        for start in range(0, len(ids), self.engine.chunk_size):
            chunk = ids[start : start + self.engine.chunk_size]
            failed: list[RootFailure] = []
            also_here = {root: also[root] for root in chunk if root in also}
            cost += self.engine.recompute(view, chunk, also=also_here, failed=failed)
            self._record_failures(result, failures_of(failed))
        return cost

    @staticmethod
    def _record_failures(result: ViewCheck, failures: Iterable[Failure]) -> None:
        """Report each failed root once, however many passes met it."""
        known = {d.path for d in result.failed}
        for failure in failures:
            if failure.document not in known:
                known.add(failure.document)
                result.divergences.append(
                    Divergence("failed", failure.document, failure.root, failure.reason)
                )

    def _check_chunk(self, target: View, roots: list[str], result: ViewCheck) -> set[str]:
        """:meth:`_check_roots` for roots that all compute (a ComputeError otherwise)."""
        dry = DryRun(self.store)
        try:
            plan = self.engine.plan(target.name, roots, dry)
        finally:
            result.reads += dry.tally.reads
        result.roots += len(roots)
        result.expected += len(plan.sets) + plan.unchanged
        divergent: set[str] = set()
        for path, want in plan.sets:
            have = dry.seen.get(path)
            output = classify(target, path)
            root = output.root_id if output is not None else ""
            if have is None:
                result.divergences.append(Divergence("missing", path, root))
            else:
                fields = ", ".join(differing_fields(have.data, want))
                result.divergences.append(Divergence("different", path, root, fields))
            divergent.add(root)
        for path in plan.deletes:  # not expected for existing roots; reported if it happens
            output = classify(target, path)
            root = output.root_id if output is not None else ""
            result.divergences.append(Divergence("extra", path, root, "not implied by its root"))
            divergent.add(root)
        return divergent

    def _check_stored(
        self, view: str, page: Iterable[str], result: ViewCheck
    ) -> dict[str, set[str]]:
        """Find listed documents of ``view`` that should not exist; record them as extra and
        return them as copy paths per root (for ``recompute(also=...)``)."""
        target = self.engine.manifest.views[view]
        outputs = [o for path in page if (o := classify(target, path)) is not None]
        result.listed += len(outputs)
        needed = needed_documents(target, outputs)
        result.reads += len(needed)
        found = suspects(target, outputs, self.store.get_all(needed))
        if not found:
            return {}
        also: dict[str, set[str]] = defaultdict(set)
        for output, _ in found:
            also[output.root_id].update(_copy_paths([output]))

        def plan(ids: list[str]) -> WritePlan:
            dry = DryRun(self.store)
            try:
                return self.engine.plan(view, (), dry, also={root: also[root] for root in ids})
            finally:
                result.reads += dry.tally.reads

        plans, failures = each_root(target.root, sorted(also), plan)
        self._record_failures(result, failures)
        confirmed: dict[str, set[str]] = defaultdict(set)
        deleted = {path for done in plans for path in done.deletes}
        for output, reason in found:
            if output.path in deleted:
                result.divergences.append(Divergence("extra", output.path, output.root_id, reason))
                confirmed[output.root_id].update(_copy_paths([output]))
        return dict(confirmed)


def _copy_paths(outputs: Iterable[Output]) -> set[str]:
    """The copies among ``outputs`` (a master is always read for its root anyway)."""
    return {output.path for output in outputs if output.copy is not None}
