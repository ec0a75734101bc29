"""Running the meeting-room fault suite on any store, for the unit (in-memory) and integration
(emulator) tiers alike.

The seed comes from ``BOILER_FAULT_SEED`` (else a random one); every message and the printed
figures name it, so a failure is replayed with ``BOILER_FAULT_SEED=<seed>`` (add
``BOILER_FAULT_WORKERS=1`` for the same thread-free order, which replays exactly). The number of
writes comes from ``BOILER_FAULT_OPS`` when set (``make soak`` sets it).
"""

from __future__ import annotations

import itertools
import os
import random
import threading
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from faults import (
    DeliveryRun,
    FaultPlan,
    FaultyStore,
    LogTally,
    RunReport,
    expected_views,
    stored_views,
    write_change,
)
from meeting_room_workload import MeetingRoomWorkload

from boiler_core.engine import Change, Engine
from boiler_core.manifest import Manifest
from boiler_core.rebuild import Verifier, ViewCheck
from boiler_core.rebuild.paging import Source, all_paths, doc_id
from boiler_core.store.port import ListingStore


def fault_seed() -> int:
    """``BOILER_FAULT_SEED``, or a fresh random seed."""
    text = os.environ.get("BOILER_FAULT_SEED")
    return int(text) if text else random.randrange(2**31)


def env_int(name: str, default: int) -> int:
    """An integer setting from the environment."""
    text = os.environ.get(name)
    return int(text) if text else default


@dataclass
class FaultRun:
    """One seeded run: the store it left, and what happened on the way."""

    seed: int
    ops: int
    store: ListingStore
    faulty: FaultyStore
    logs: LogTally
    delivery: DeliveryRun
    report: RunReport

    def figures(self) -> str:
        """Everything measured, on one line, with the seed."""
        injected = ", ".join(f"{p} {n}" for p, n in self.faulty.injected().items())
        totals = self.logs.totals
        return (
            f"seed {self.seed}: {self.ops} random writes; {self.report.summary()}; "
            f"lost events {len(self.delivery.lost)}; injected: {injected}; "
            f"transaction retries {totals['retries']}; chunks that waited for a root "
            f"{totals['waited']}; contention give-ups {len(self.logs.gave_up)}; view writes "
            f"{totals['writes']} (refreshes {totals['refreshed']}), deletes {totals['deletes']}"
        )

    def replay_hint(self) -> str:
        """How to run this again."""
        return (
            f"replay with BOILER_FAULT_SEED={self.seed} "
            "(and BOILER_FAULT_WORKERS=1 BOILER_FAULT_PARALLEL=1 for the same fault decisions)"
        )


def run_faults(
    manifest: Manifest,
    store: ListingStore,
    *,
    seed: int,
    ops: int,
    rate: float,
    redeliver: bool,
    workers: int,
    window: int = 16,
    pause_rate: float = 0.05,
    sizes: dict[str, int] | None = None,
    chunk_size: int = 50,
    parallel: int | None = None,
    spread_copies: bool = False,
    in_flight: int | None = None,
    deliver_seed: bool = True,
    instances: int = 1,
) -> FaultRun:
    """Seed the app and make ``ops`` random writes in ``store``, delivering every change to an
    engine on a :class:`FaultyStore` (failure ``rate`` per I/O step) with a
    :class:`DeliveryRun`; with ``redeliver``, lost events are delivered again until handled.

    Without ``deliver_seed`` the seed is written first and its views built by a recompute of
    every root (no faults), and only the random writes are delivered.

    ``instances`` engines share the store, as instances of the deployed functions would; each
    delivery goes to one of them at random."""
    faulty = FaultyStore(store, FaultPlan(rate=rate, pause_rate=pause_rate), seed=seed)
    logs = LogTally()
    parallel = env_int("BOILER_FAULT_PARALLEL", parallel or 4)
    engines = [
        Engine(manifest, faulty, log=logs, chunk_size=chunk_size, parallel=parallel)
        for _ in range(instances)
    ]
    workload = MeetingRoomWorkload(seed, **(sizes or {}))
    workers = env_int("BOILER_FAULT_WORKERS", workers)
    pick = random.Random(seed)
    picking = threading.Lock()

    def handle(change: Change, *, views: Collection[str] | None = None) -> object:
        with picking:
            engine = engines[pick.randrange(instances)]
        return engine.handle(change, views=views)

    delivery = DeliveryRun(
        handle,
        seed=seed,
        workers=workers,
        window=window,
        spread_copies=spread_copies,
        in_flight=in_flight,
        invocation=faulty.invocation,
    )

    seeding = workload.seed_writes()
    if not deliver_seed:
        for path, data in seeding:
            write_change(store, path, data)
        builder = Engine(manifest, store, log=lambda entry: None, chunk_size=chunk_size)
        for name, view in manifest.views.items():
            builder.recompute(name, [doc_id(p) for p in all_paths(store, Source(view.root))])
        seeding = iter(())

    def changes() -> Iterator[Change]:
        for path, data in itertools.chain(seeding, workload.writes(ops)):
            yield write_change(store, path, data)

    report = delivery.run(changes())
    if redeliver:
        report = delivery.redeliver_lost()
    return FaultRun(seed, ops, store, faulty, logs, delivery, report)


def diverging_paths(manifest: Manifest, store: ListingStore) -> dict[str, Any]:
    """View paths whose stored document differs from the from-scratch recompute (or exists on
    one side only), with (stored, expected)."""
    expected = expected_views(manifest, store)
    stored = stored_views(manifest, store)
    return {
        path: (stored.get(path), expected.get(path))
        for path in sorted(set(expected) | set(stored))
        if expected.get(path) != stored.get(path)
    }


def verify_all(manifest: Manifest, store: ListingStore, *, repair: bool) -> list[ViewCheck]:
    """``boiler verify [--repair]`` of every view, through the library."""
    engine = Engine(manifest, store, log=lambda entry: None)
    verifier = Verifier(engine, store)
    return [verifier.check(view, repair=repair) for view in manifest.views]


def reported_paths(checks: list[ViewCheck]) -> set[str]:
    """Every path verify reported as missing, extra or different."""
    return {d.path for check in checks for d in check.divergences}
