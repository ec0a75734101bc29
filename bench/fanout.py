"""Fan-out: one user in M meetings renamed; time until every view is current; view docs/s.

Seeding (not measured): one location, 1,000 meetings ``m0000``.. with user ``u1000`` in all of
them, ``u100`` in the first 100 and ``u10`` in the first 10, one attending ticket per member, then
the three users last, once every meeting's event has been handled (else each meeting's event would
rebuild the profile of a user in up to 1,000 meetings). The views are built by
the triggers as the documents arrive. Then, for M = 10, 100 and 1,000, ``uM``'s first name
changes, ``renames`` times in a row: each time runs from just before the write until the
dispatcher reports that the invocation handling it returned (every view write of the invocation
is committed by then), and after each the views are compared with a from-scratch recompute.

A size's figures are those of its median rename (by time); every rename's time is kept too. One
rename alone is a poor sample on a shared machine: the emulator's JVM is still compiling the paths
a large transaction takes the first few times, and other work on the machine comes and goes.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any

from bench.domain import Domain, Write
from bench.harness import App
from bench.lower_bound import bound, view_documents
from bench.machine import group_cpu_seconds
from boiler_core.documents import Ref
from boiler_core.manifest.model import Manifest
from boiler_core.testing import visible

SIZES = (10, 100, 1000)
RENAMES = 5
"""Renames per size; the figures are the median one's."""


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
    renames: tuple[float | None, ...] = ()
    """Seconds of every rename of this size, in the order they ran (None: timed out); the other
    figures are those of the median one."""
    rename_cpu: tuple[tuple[float | None, float | None], ...] = ()
    """The emulator's and the function's CPU seconds of every rename, in the order they ran."""

    @property
    def cpu_seconds(self) -> float | None:
        """Emulator and function CPU seconds together (None when either is unknown)."""
        if self.cpu_emulator is None or self.cpu_functions is None:
            return None
        return self.cpu_emulator + self.cpu_functions

    @property
    def docs_per_second(self) -> float | None:
        return None if not self.seconds else self.changed_docs / self.seconds

    @property
    def first_seconds(self) -> float | None:
        """The first rename's seconds (the emulator least warmed up)."""
        return self.renames[0] if self.renames else self.seconds


def median_run(runs: list[FanOut]) -> FanOut:
    """The median of ``runs`` by time (a timed-out run counts as the slowest; with an even
    count, the slower of the two middle ones), with every run's time in ``renames`` and
    ``views_ok`` only when every run left the views exact."""
    ordered = sorted(runs, key=lambda f: math.inf if f.seconds is None else f.seconds)
    middle = ordered[len(ordered) // 2]
    return replace(
        middle,
        renames=tuple(f.seconds for f in runs),
        rename_cpu=tuple((f.cpu_emulator, f.cpu_functions) for f in runs),
        views_ok=all(f.views_ok for f in runs),
    )


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


def measure_fanout(
    app: App, manifest: Manifest, *, deadline: float, renames: int = RENAMES
) -> tuple[list[FanOut], float]:
    """Seed, then rename each user ``renames`` times; per size the median rename (see the module
    doc), and the seconds seeding took."""
    if renames < 1:
        raise ValueError(f"renames must be at least 1, not {renames}")
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
        runs = [
            _rename(app, manifest, domain, size, f"Renamed{size}_{k}", deadline)
            for k in range(renames)
        ]
        results.append(median_run(runs))
    return results, seeded


def _rename(
    app: App, manifest: Manifest, domain: Domain, size: int, name: str, deadline: float
) -> FanOut:
    """Rename ``u{size}`` to ``name`` once and measure it."""
    path = f"users/u{size}"
    before = view_documents(manifest, domain.state)
    state = domain.snapshot()
    start = len(app.invocations)
    cpu = _cpu(app)
    began = time.perf_counter()
    domain.update(path, {"first_name": name})
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
    return FanOut(size, changed, seconds, cost, _current(app, after), least, used[0], used[1])


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
