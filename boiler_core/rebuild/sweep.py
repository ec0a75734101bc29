"""The backstop's rolling verification: a bounded slice of every view verified and repaired per run.

An event lost where no boiler code runs any more (an instance killed by its timeout, out of
memory, a deploy mid-flight) is never recorded, and Firestore cannot list what changed recently.
So each run of the backstop walks on through every view as ``boiler verify --repair`` does
(:meth:`~boiler_core.rebuild.verify.Verifier.check_slice`), from where the previous run stopped:

1. up to ``roots`` root documents of the view, after the roots cursor, each recomputed without
   writing and, where it diverges, recomputed in a transaction (missing and different
   documents);
2. up to ``roots`` documents the view stored (its master collection, then each copy collection
   group), after the stored cursor, each checked against its root and member (extra documents:
   a master whose root is gone, a copy of a former member).

A listing that reaches the end of its collection starts over at the next run (or at once, when
the previous run stopped exactly on its last document), so every view is checked end to end
every ``ceil(documents / roots)`` runs, for its roots and for its stored documents alike. The
cursors are kept in one bookkeeping document, :data:`SWEEP_DOCUMENT` (one read and one write per
run), which clients cannot read (the generated rules deny what they do not allow). A run stops
starting new work once ``seconds`` have passed since the backstop started, and saves the cursors
where it got.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from boiler_core.engine.engine import Engine
from boiler_core.engine.failures import reason as one_line
from boiler_core.rebuild.order import build_order
from boiler_core.rebuild.paging import Source
from boiler_core.rebuild.strays import output_sources
from boiler_core.rebuild.verify import Divergence, Verifier, ViewCheck
from boiler_core.store.port import ListingStore, Transaction

SWEEP_DOCUMENT = "_boiler_backstop/sweep"
"""Where the cursors of the rolling verification are kept (``{"views": {VIEW: cursor}}``)."""

SWEEP_SECONDS = 40.0
"""Seconds after the start of a backstop run past which the verification starts no new work:
a scheduled function times out after 60 s unless told otherwise, and one chunk of roots takes
well under the 20 s left."""


@dataclass(frozen=True)
class Cursor:
    """Where the verification of one view goes on at the next run."""

    roots_after: str | None = None
    """The last root document checked (None: from the first)."""
    source: str | None = None
    """The collection of stored documents being walked, as :class:`Source` prints it (None:
    the first of the view's)."""
    stored_after: str | None = None
    """The last stored document checked in ``source`` (None: from its first)."""

    def to_data(self) -> dict[str, Any]:
        """The cursor as the bookkeeping document holds it (:meth:`from_data`)."""
        return {
            "roots_after": self.roots_after,
            "source": self.source,
            "stored_after": self.stored_after,
        }

    @classmethod
    def from_data(cls, data: Any) -> Cursor:
        """The cursor ``data`` holds; from the start for anything else."""
        if not isinstance(data, Mapping):
            return cls()
        return cls(*(_text(data.get(key)) for key in ("roots_after", "source", "stored_after")))


@dataclass(frozen=True)
class ViewSweep:
    """What one run verified of one view."""

    view: str
    roots: int
    """Root documents checked."""
    documents: int
    """Stored view documents listed and checked for strays."""
    reads: int
    """Billed reads spent checking (the repairs' own reads not counted)."""
    repaired: tuple[Divergence, ...]
    """Divergences found and repaired (their root's recompute wrote or deleted something)."""
    settled: int
    """Divergences found whose root's recompute changed nothing: an event settled them
    meanwhile (in flight when checked)."""
    failed: tuple[Divergence, ...]
    """Roots whose documents cannot be computed or stored (``failed``)."""
    cursor: Cursor
    """Where the next run goes on."""
    roots_wrapped: bool
    """Whether this run reached the end of the roots (and started over)."""
    stored_wrapped: bool
    """Whether this run reached the end of the last collection of stored documents."""
    error: str | None = None
    """Why the slice stopped early, when the database failed (one line)."""

    def to_log(self) -> dict[str, Any]:
        """The view's entry in the backstop's summary line."""
        return {
            "roots": self.roots,
            "documents": self.documents,
            "reads": self.reads,
            "repaired": len(self.repaired),
            "settled": self.settled,
            "failed": len(self.failed),
            "roots_after": self.cursor.roots_after,
            "source": self.cursor.source,
            "stored_after": self.cursor.stored_after,
            "roots_wrapped": self.roots_wrapped,
            "stored_wrapped": self.stored_wrapped,
            "error": self.error,
        }


@dataclass(frozen=True)
class SweepReport:
    """What one run verified."""

    views: tuple[ViewSweep, ...] = ()
    out_of_time: bool = False
    """Whether the run stopped early, at its time limit."""
    error: str | None = None
    """Why the cursors could not be read or saved (one line), when the database failed."""

    @property
    def roots(self) -> int:
        """Root documents checked, in every view."""
        return sum(v.roots for v in self.views)

    @property
    def documents(self) -> int:
        """Stored view documents checked for strays, in every view."""
        return sum(v.documents for v in self.views)

    @property
    def repaired(self) -> int:
        """Divergences repaired, in every view."""
        return sum(len(v.repaired) for v in self.views)

    @property
    def failed(self) -> int:
        """Roots that failed, in every view."""
        return sum(len(v.failed) for v in self.views)

    @property
    def reads(self) -> int:
        """Billed reads spent checking, in every view."""
        return sum(v.reads for v in self.views)


class Sweep:
    """Verifies and repairs ``roots`` roots (and as many stored documents) of each view of
    ``engine.manifest`` per :meth:`run`, in ``store``; ``timer`` reads seconds (monotonic)."""

    def __init__(
        self,
        engine: Engine,
        store: ListingStore,
        *,
        roots: int,
        seconds: float = SWEEP_SECONDS,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        if roots < 1:
            raise ValueError("a sweep verifies at least one root per view and run")
        self.engine = engine
        self.store = store
        self.roots = roots
        self.seconds = seconds
        self.timer = timer
        self.verifier = Verifier(engine, store)

    def run(self, started: float) -> SweepReport:
        """One run: each view in the order ``boiler verify --repair`` follows (a view that reads
        another view's documents after it), from its cursor; stop starting new work once
        :attr:`seconds` have passed since ``started`` (a :attr:`timer` reading); save the
        cursors. A database that fails ends that view's slice (its ``error``) and the run goes
        on with the next."""

        def stop() -> bool:
            return self.timer() - started >= self.seconds

        try:
            cursors = self._read()
        except Exception as exc:  # the database: nothing verified, nothing to save
            return SweepReport(error=one_line(exc))
        done = []
        manifest = self.engine.manifest
        for name in build_order(manifest, list(manifest.views)):
            if stop():
                break
            done.append(self._view(name, cursors.get(name, Cursor()), stop))
        if not done:  # out of time before the first view: the cursors stay as they are
            return SweepReport(out_of_time=stop())
        cursors = {**cursors, **{v.view: v.cursor for v in done}}
        try:
            self._save(cursors)
        except Exception as exc:
            return SweepReport(tuple(done), stop(), error=one_line(exc))
        return SweepReport(tuple(done), out_of_time=stop())

    def _view(self, name: str, cursor: Cursor, stop: Callable[[], bool]) -> ViewSweep:
        target = self.engine.manifest.views[name]
        result = ViewCheck(view=name, sources=output_sources(target))
        changed: set[str] = set()
        roots_wrapped = stored_wrapped = False
        error = None
        try:
            after = cursor.roots_after
            while True:
                got = self.verifier.check_slice(
                    name,
                    Source(target.root),
                    after=after,
                    limit=self.roots,
                    repair=True,
                    result=result,
                    stop=stop,
                )
                changed |= got.changed
                roots_wrapped = roots_wrapped or got.ended
                if not (got.ended and got.listed == 0 and after is not None):
                    break
                after = None  # the last run stopped on the very last root: start over now
            cursor = replace(cursor, roots_after=got.after)
            cursor, stored_wrapped = self._stored(name, cursor, result, changed, stop)
        except Exception as exc:  # the database failed: keep the cursor of what was done
            error = one_line(exc)
        failed = tuple(result.failed)
        bad = {d.root for d in failed}
        found = [d for d in result.divergences if d.kind != "failed" and d.root not in bad]
        repaired = tuple(d for d in found if d.root in changed)
        return ViewSweep(
            view=name,
            roots=result.roots,
            documents=result.listed,
            reads=result.reads,
            repaired=repaired,
            settled=len(found) - len(repaired),
            failed=failed,
            cursor=cursor,
            roots_wrapped=roots_wrapped,
            stored_wrapped=stored_wrapped,
            error=error,
        )

    def _stored(
        self,
        name: str,
        cursor: Cursor,
        result: ViewCheck,
        changed: set[str],
        stop: Callable[[], bool],
    ) -> tuple[Cursor, bool]:
        """Walk the stored documents from ``cursor``, up to :attr:`roots` of them, across the
        view's collections in order; return the cursor and whether the last one ended."""
        sources = list(result.sources)
        names = [str(source) for source in sources]
        index = names.index(cursor.source) if cursor.source in names else 0
        after = cursor.stored_after if cursor.source in names else None
        left, wrapped = self.roots, False
        while left > 0 and not stop():
            got = self.verifier.check_slice(
                name, sources[index], after=after, limit=left, repair=True, result=result, stop=stop
            )
            changed |= got.changed
            left -= got.listed
            if not got.ended:
                after = got.after
                continue
            index, after = index + 1, None
            if index == len(sources):
                index = 0
                if wrapped or left < self.roots:
                    return Cursor(cursor.roots_after, names[0], None), True
                wrapped = True  # the last run stopped on the very last document: start over now
        return Cursor(cursor.roots_after, names[index], after), wrapped

    def _read(self) -> dict[str, Cursor]:
        doc = self.store.get_all([SWEEP_DOCUMENT]).get(SWEEP_DOCUMENT)
        views = doc.data.get("views") if doc is not None else None
        if not isinstance(views, Mapping):
            return {}
        return {str(name): Cursor.from_data(data) for name, data in views.items()}

    def _save(self, cursors: Mapping[str, Cursor]) -> None:
        views = {
            name: cursor.to_data()
            for name, cursor in sorted(cursors.items())
            if name in self.engine.manifest.views  # a view removed since: forgotten
        }

        def write(tx: Transaction) -> None:
            tx.set(SWEEP_DOCUMENT, {"views": views})

        self.store.run_transaction(write)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
