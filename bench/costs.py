"""Cost per event: each event kind of the meeting-room app, next to its lower bound.

The meeting-room fixture is seeded once; each kind's write is then repeated ``reps`` times (undone,
unmeasured, between repetitions). After each measured write the runtime settles, and the costs of
the invocations about the written document are added up: reads, writes, deletes and queries as
the function's cost line reports them (boiler's engine, or the baseline's counting client). The
views are compared with a from-scratch recompute after each kind.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any

from meeting_room.fixture import fixture_documents

from bench.domain import Domain
from bench.events import KINDS, prepare, remember_meeting
from bench.harness import App, cost_of
from bench.lower_bound import Bound, bound, view_documents
from boiler_core.manifest.model import Manifest
from boiler_core.testing import visible


@dataclass
class KindCost:
    """The measured cost of every repetition of one event kind, and its lower bound."""

    name: str
    costs: list[dict[str, Any]] = field(default_factory=list)
    bounds: list[Bound] = field(default_factory=list)
    views_ok: bool = True

    def median(self, key: str) -> float:
        return statistics.median(c[key] for c in self.costs)

    def bound_median(self, key: str) -> float:
        return statistics.median(getattr(b, key) for b in self.bounds)

    def spread(self, key: str) -> tuple[int, int]:
        values = [int(c[key]) for c in self.costs]
        return min(values), max(values)


def seed_fixture(app: App, domain: Domain) -> None:
    """Write the meeting-room fixture and wait for its events to be handled."""
    for path, data in fixture_documents().items():
        domain.apply(path, data)
    app.settle()
    remember_meeting(domain)


def measure_costs(app: App, manifest: Manifest, reps: int) -> list[KindCost]:
    """Run every event kind ``reps`` times on the seeded fixture; see the module docstring."""
    domain = Domain(app.db)
    seed_fixture(app, domain)
    seeded = domain.snapshot()
    results = []
    for kind in KINDS:
        for path, data in prepare(kind, domain):
            domain.apply(path, data)
        app.settle()
        result = KindCost(kind.name)
        for i in range(reps):
            path, data = kind.measured(domain, i)
            before = domain.snapshot()
            start = len(app.invocations)
            domain.apply(path, data)
            app.settle()
            invocations = [x for x in app.invocations.since(start) if x.document == path]
            result.costs.append(cost_of(invocations))
            result.bounds.append(bound(manifest, path, before, domain.state))
            undo = kind.undo(domain, i)
            if undo is not None:
                domain.apply(*undo)
                app.settle()
        result.views_ok = views_match(app, manifest, domain)
        for path, data in seeded.items():
            if domain.state.get(path) != data:
                domain.apply(path, data)
        app.settle()
        results.append(result)
    return results


def views_match(app: App, manifest: Manifest, domain: Domain) -> bool:
    """True when the stored view documents equal a from-scratch recompute (visible fields)."""
    expected = {p: visible(d) for p, d in view_documents(manifest, domain.state).items()}
    snapshots = [*app.db.collection_group("meeting_sessions").stream()]
    snapshots += [*app.db.collection("user_profiles").stream()]
    stored = {s.reference.path: visible(s.to_dict() or {}) for s in snapshots}
    return stored == expected
