"""What one engine invocation cost, and its Cloud Logging line (contract 6).

Reads are counted as Firestore bills them: every document requested by ``get_all`` is one read,
found or missing; a query costs the number of documents it returns, at least one. Reads made by
transaction attempts that were retried are billed too, so they are counted; writes and deletes
are counted for the attempt that committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from boiler_core.engine.failures import RootFailure


@dataclass(frozen=True)
class Cost:
    """The bill of one :meth:`~boiler_core.engine.engine.Engine.handle` or ``recompute`` call."""

    reads: int = 0
    """Billed document reads (see the module docstring)."""

    writes: int = 0
    """View documents set (created or changed)."""

    deletes: int = 0
    """View documents deleted (root gone, member left)."""

    queries: int = 0
    """Queries run (their results are also counted in :attr:`reads`)."""

    skipped: int = 0
    """Writes avoided: view documents already up to date, plus views the change cannot affect."""

    retries: int = 0
    """Transaction attempts that conflicted and were run again."""

    refreshed: int = 0
    """Masters written with unchanged content because their ``_deep_sources`` changed (also
    counted in :attr:`writes`)."""

    ms: float = 0.0
    """Wall-clock time of the call, in milliseconds."""

    roots: int = 0
    """Root documents recomputed (each one view document and its copies)."""

    views: tuple[str, ...] = ()
    """Views recomputed, in manifest order."""

    filtered: tuple[str, ...] = ()
    """Views fed by the changed collection that the relevance filter skipped (no field they use
    changed); each also counts once in :attr:`skipped`."""

    waited: int = 0
    """Chunks that waited for roots another invocation in this process was recomputing
    (:mod:`boiler_core.engine.serial`): work serialized instead of racing in the database."""

    failed: tuple[RootFailure, ...] = ()
    """Roots whose view documents could not be computed or stored; the rest was done. Each is
    logged on an ``ERROR`` line of its own."""

    lag_ms: float | None = field(default=None)
    """Time from the domain write to the end of its handling, when the event says when it was."""

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            reads=self.reads + other.reads,
            writes=self.writes + other.writes,
            deletes=self.deletes + other.deletes,
            queries=self.queries + other.queries,
            skipped=self.skipped + other.skipped,
            retries=self.retries + other.retries,
            refreshed=self.refreshed + other.refreshed,
            ms=self.ms + other.ms,
            roots=self.roots + other.roots,
            views=_merge(self.views, other.views),
            filtered=_merge(self.filtered, other.filtered),
            waited=self.waited + other.waited,
            failed=self.failed + other.failed,
            lag_ms=other.lag_ms if other.lag_ms is not None else self.lag_ms,
        )

    @property
    def summary(self) -> str:
        """The counts in words: ``4 reads, 2 writes, 0 deletes, ...``."""
        return (
            f"{self.reads} reads, {self.writes} writes, {self.deletes} deletes, "
            f"{self.queries} queries, {self.skipped} skipped, {self.retries} retries, "
            f"{self.ms:.1f} ms"
        )

    def to_log(
        self,
        *,
        collection: str | None = None,
        doc: str | None = None,
        event_id: str | None = None,
        error: str | None = None,
    ) -> dict[str, Any]:
        """One Cloud Logging structured entry: ``severity``, ``message``, ``boiler`` payload.

        With ``error`` (the invocation failed) the severity is ``ERROR`` and the message says so;
        without, but with :attr:`failed` roots, ``WARNING``.
        """
        where = f"{collection}/{doc}" if collection and doc else (collection or "recompute")
        payload: dict[str, Any] = {
            "collection": collection,
            "doc": doc,
            "event_id": event_id,
            "reads": self.reads,
            "writes": self.writes,
            "deletes": self.deletes,
            "queries": self.queries,
            "skipped": self.skipped,
            "retries": self.retries,
            "refreshed": self.refreshed,
            "ms": round(self.ms, 3),
            "roots": self.roots,
            "views": list(self.views),
            "filtered": list(self.filtered),
            "waited": self.waited,
            "failed": [
                {"view": f.view, "document": f.document, "reason": f.reason} for f in self.failed
            ],
        }
        if self.lag_ms is not None:
            payload["lag_ms"] = round(self.lag_ms, 3)
        if error is not None:
            payload["error"] = error
            message = f"boiler {where} failed after {self.summary}: {error}"
            return {"severity": "ERROR", "message": message, "boiler": payload}
        if self.failed:
            count = len(self.failed)
            message = (
                f"boiler {where}: {self.summary}; {count} root{'s' if count > 1 else ''} "
                "failed (one ERROR line each)"
            )
            return {"severity": "WARNING", "message": message, "boiler": payload}
        return {
            "severity": "INFO",
            "message": f"boiler {where}: {self.summary}",
            "boiler": payload,
        }


def _merge(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return first + tuple(name for name in second if name not in first)
