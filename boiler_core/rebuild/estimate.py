"""``boiler backfill --dry-run``: what a backfill would read, write and cost, without writing.

Per view: the root documents and stored view documents are counted (COUNT aggregations); a sample
of roots (the first ``sample`` by id) is planned on a :class:`~.dryrun.DryRun`, which gives reads,
writes and deletes per root *for the current state* (a view already current needs no writes);
these are scaled to every root. A sampled root whose documents cannot be computed is reported
(:attr:`Estimate.failed`) and left out of the scaling. The sweep of stored documents is estimated
at one listing read per stored document plus one membership read per stored document (an upper
bound).

Prices are Firestore (Standard edition) list prices per 100,000 documents, in USD, as published
when this was written; the free daily quota is not deducted. Check
https://cloud.google.com/firestore/pricing for your location.
"""

from __future__ import annotations

from dataclasses import dataclass

from boiler_core.engine.engine import Engine
from boiler_core.engine.outputs import WritePlan
from boiler_core.engine.reads import Tally
from boiler_core.rebuild.dryrun import DryRun
from boiler_core.rebuild.failures import Failure, each_root
from boiler_core.rebuild.paging import doc_id
from boiler_core.rebuild.strays import output_sources
from boiler_core.store.port import ListingStore


@dataclass(frozen=True)
class Prices:
    """USD per 100,000 documents."""

    name: str
    read: float
    write: float
    delete: float

    def __str__(self) -> str:
        return (
            f"{self.name}: ${self.read:.2f} per 100,000 reads, ${self.write:.2f} per 100,000 "
            f"writes, ${self.delete:.2f} per 100,000 deletes"
        )


PRICES = {
    "multi-region": Prices("multi-region (nam5, eur3)", 0.06, 0.18, 0.02),
    "regional": Prices("regional (e.g. us-central1)", 0.03, 0.09, 0.01),
}
"""The price lists ``--prices`` chooses from (the default is the higher, multi-region one)."""


@dataclass(frozen=True)
class Estimate:
    """Estimated work of rebuilding one view."""

    view: str
    roots: int
    stored: int
    """View documents stored now (masters and copies)."""
    sampled: int
    reads: int
    writes: int
    deletes: int
    spent_reads: int
    """Reads this estimate itself cost (counts and the sample)."""
    failed: tuple[Failure, ...] = ()
    """Sampled roots whose view documents cannot be computed (a backfill would leave them)."""

    def cost(self, prices: Prices) -> float:
        """USD at ``prices``."""
        per = 100_000.0
        return (
            self.reads * prices.read + self.writes * prices.write + self.deletes * prices.delete
        ) / per


def estimate(engine: Engine, store: ListingStore, view: str, *, sample: int = 50) -> Estimate:
    """Estimate the backfill of ``view`` (see the module docstring)."""
    target = engine.manifest.views[view]
    roots = store.count(target.root)
    stored = sum(store.count(s.collection, group=s.group) for s in output_sources(target))
    counts_cost = 1 + len(output_sources(target))  # an aggregation bills at least one read
    ids = [doc_id(path) for path in store.list_paths(target.root, limit=max(1, sample))]
    if not ids:
        return Estimate(view, 0, stored, 0, 2 * stored, 0, 0, counts_cost)
    tally = Tally()

    def plan(chunk: list[str]) -> WritePlan:
        dry = DryRun(store)
        try:
            return engine.plan(view, chunk, dry)
        finally:
            tally.reads += dry.tally.reads

    plans, failed = each_root(target.root, ids, plan)
    computed = len(ids) - len(failed)
    scale = roots / computed if computed else 0.0
    sets = sum(len(p.sets) for p in plans)
    deletes = sum(len(p.deletes) for p in plans)
    return Estimate(
        view=view,
        roots=roots,
        stored=stored,
        sampled=len(ids),
        reads=roots + round(tally.reads * scale) + 2 * stored,
        writes=round(sets * scale),
        deletes=round(deletes * scale),
        spent_reads=counts_cost + len(ids) + tally.reads,
        failed=tuple(failed),
    )
