"""Fan-out: one user in M meetings renamed; time until every view is current; view docs/s.

Seeding (not measured): one location, 1,000 meetings ``m0000``.. with user ``u1000`` in all of
them, ``u100`` in the first 100 and ``u10`` in the first 10, one attending ticket per member, then
the three users last, once every meeting's event has been handled (else each meeting's event would
rebuild the profile of a user in up to 1,000 meetings). The views are built by
the triggers as the documents arrive. Then, for M = 10, 100 and 1,000, ``uM``'s first name
changes: the time runs from just before the write until the dispatcher reports that the
invocation handling it returned (every view write of the invocation is committed by then). The
views are then compared with a from-scratch recompute.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bench.domain import Domain, Write
from bench.harness import App
from bench.lower_bound import bound, view_documents
from bench.machine import group_cpu_seconds
from boiler_core.documents import Ref
from boiler_core.manifest.model import Manifest
from boiler_core.testing import visible

SIZES = (10, 100, 1000)


@dataclass
class FanOut:
    """One rename: M, the view documents it changed, seconds until current, its cost."""

    meetings: int
    changed_docs: int
    seconds: float | None
    cost: dict[str, Any]
    views_ok: bool
    bound_reads: int | None = None
    """The lower bound of reads for the rename (see :mod:`bench.lower_bound`)."""
    cpu_emulator: float | None = None
    """CPU seconds the emulator's processes used from the write until the invocation returned."""
    cpu_functions: float | None = None
    """CPU seconds the dispatcher (running the trigger function) used in that time."""

    @property
    def cpu_seconds(self) -> float | None:
        """Emulator and function CPU seconds together (None when either is unknown)."""
        if self.cpu_emulator is None or self.cpu_functions is None:
            return None
        return self.cpu_emulator + self.cpu_functions

    @property
    def docs_per_second(self) -> float | None:
        return None if not self.seconds else self.changed_docs / self.seconds


def seed_writes(sizes: tuple[int, ...] = SIZES) -> tuple[list[Write], list[Write]]:
    """The domain writes: (location, tickets and meetings), then (users)."""
    largest = max(sizes)
    first: list[Write] = [
        ("locations/hall", {"latitude": 1.0, "longitude": 2.0, "address": "1 Hall Rd"})
    ]
    for i in range(largest):
        members = [f"u{m}" for m in sizes if i < m]
        tickets = []
        for user in members:
            ticket = f"t{i:04d}_{user}"
            first.append(
                (
                    f"tickets/{ticket}",
                    {"role": "P", "user": Ref(f"users/{user}"), "attendance": True},
                )
            )
            tickets.append(Ref(f"tickets/{ticket}"))
        meeting = {
            "location": Ref("locations/hall"),
            "users": [Ref(f"users/{user}") for user in members],
            "tickets": tickets,
            "status": "in-session",
        }
        first.append((f"meetings/m{i:04d}", meeting))
    users: list[Write] = [
        (
            f"users/u{m}",
            {
                "first_name": f"User{m}",
                "last_name": "Fan",
                "organization": "O",
                "hearing_aid_requested": False,
            },
        )
        for m in sizes
    ]
    return first, users


def measure_fanout(app: App, manifest: Manifest, *, deadline: float) -> tuple[list[FanOut], float]:
    """Seed, then rename each user once; the results and the seconds seeding took."""
    domain = Domain(app.db)
    started = time.perf_counter()
    first, users = seed_writes()
    domain.bulk(first)
    app.settle(timeout=deadline)  # deliveries lag behind writes: users only once meetings are in
    domain.bulk(users)
    app.settle(timeout=deadline)
    seeded = time.perf_counter() - started
    results = []
    for size in SIZES:
        path = f"users/u{size}"
        before = view_documents(manifest, domain.state)
        state = domain.snapshot()
        start = len(app.invocations)
        cpu = _cpu(app)
        began = time.perf_counter()
        domain.update(path, {"first_name": f"Renamed{size}"})
        try:
            arrived, invocation = app.invocations.wait_for(path, start, deadline)
            seconds: float | None = arrived - began
            cost = dict(invocation.cost or {})
        except TimeoutError:
            seconds, cost = None, {}
        used = [_less(after, before) for after, before in zip(_cpu(app), cpu, strict=True)]
        app.settle(timeout=deadline)
        after = view_documents(manifest, domain.state)
        changed = sum(1 for p in set(before) | set(after) if before.get(p) != after.get(p))
        least = bound(manifest, path, state, domain.state).reads
        results.append(
            FanOut(size, changed, seconds, cost, _current(app, after), least, used[0], used[1])
        )
    return results, seeded


def _cpu(app: App) -> tuple[float | None, float | None]:
    """CPU seconds used so far by the emulator's and the dispatcher's process groups."""
    return (
        group_cpu_seconds(app.runtime.emulator.pid),
        group_cpu_seconds(app.runtime.dispatcher.pid),
    )


def _less(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else after - before


def _current(app: App, expected: dict[str, dict[str, Any]]) -> bool:
    snapshots = [*app.db.collection_group("meeting_sessions").stream()]
    snapshots += [*app.db.collection("user_profiles").stream()]
    stored = {s.reference.path: visible(s.to_dict() or {}) for s in snapshots}
    return stored == {p: visible(d) for p, d in expected.items()}
