"""What carrying the changed document costs and saves on a mixed workload (in-memory store).

The cost-per-event part measures one event kind at a time, in order, each changing the views.
Carrying the event's document (docs/internals/consistency.md, "The carried document") also has a
price there: a master whose content is unchanged is rewritten (refreshed) when a document it
records was read at a newer update time. This part measures both sides on the fault suite's random
meeting-room workload (`tests/support/meeting_room_workload.py`: creates, deletes, renames,
membership and attendance changes, no-op and irrelevant writes), run twice per seed with the same
writes: by an engine that carries, and by one that reads the changed document every time
(``Engine(carry=False)``). Two deliveries:

* **in order**: every event once, right after its write (what Firestore mostly does);
* **shuffled**: the fault suite's hostile delivery without injected failures, one worker
  (events shuffled within windows of 16 writes, delivered 1 to 3 times, up to 2 windows late).

Counts are the engine's cost lines added up. The store is the in-memory double: this part counts
operations, it does not time anything.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from dataclasses import dataclass
from types import ModuleType

from faults import DeliveryRun, LogTally, write_change

from bench.harness import ROOT
from boiler_core.engine import Engine
from boiler_core.manifest.model import Manifest
from boiler_core.store.memory import MemoryStore

SEEDS = (11, 22, 33)
COUNTED = ("reads", "writes", "deletes", "carried", "refreshed", "entries")


@dataclass(frozen=True)
class CarriedRun:
    """The summed cost lines of one workload run."""

    delivery: str
    seed: int
    carry: bool
    reads: int
    writes: int
    deletes: int
    carried: int
    refreshed: int
    invocations: int


def _workload_module() -> ModuleType:
    """The fault suite's workload generator (a test-support module, loaded by path)."""
    name = "meeting_room_workload"
    if name in sys.modules:
        return sys.modules[name]
    path = ROOT / "tests" / "support" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run_once(manifest: Manifest, seed: int, ops: int, *, carry: bool, shuffled: bool) -> CarriedRun:
    """Seed the app and make ``ops`` random writes, each event handled by an engine that carries
    (or not); see the module docstring for the two deliveries."""
    store = MemoryStore()
    logs = LogTally()
    engine = Engine(manifest, store, log=logs, parallel=1, carry=carry)
    workload = _workload_module().MeetingRoomWorkload(seed)
    writes = itertools.chain(workload.seed_writes(), workload.writes(ops))
    changes = (write_change(store, path, data) for path, data in writes)
    if shuffled:
        DeliveryRun(engine.handle, seed=seed, workers=1).run(changes)
    else:
        for change in changes:
            engine.handle(change)
    totals = {name: int(logs.totals[name]) for name in COUNTED}
    return CarriedRun(
        delivery="shuffled" if shuffled else "in order",
        seed=seed,
        carry=carry,
        reads=totals["reads"],
        writes=totals["writes"],
        deletes=totals["deletes"],
        carried=totals["carried"],
        refreshed=totals["refreshed"],
        invocations=totals["entries"],
    )


def measure_carried(
    manifest: Manifest, ops: int, seeds: tuple[int, ...] = SEEDS
) -> list[CarriedRun]:
    """Every seed, both deliveries, with and without carrying."""
    runs = []
    for shuffled in (False, True):
        for seed in seeds:
            for carry in (False, True):
                runs.append(run_once(manifest, seed, ops, carry=carry, shuffled=shuffled))
                print(f"   {runs[-1]}", flush=True)
    return runs
