"""The fault tier on the in-memory double: thousands of writes, hostile delivery, injected failures.

Each run seeds the meeting-room app and makes ``BOILER_FAULT_OPS`` (default 2,000) random writes,
delivering every event 1-3 times, shuffled, from 4 threads, with failures injected at every I/O
step of the invocations. The seed is printed and in every failure message (see fault_runs.py).

One engine takes its turns on a root (per-root locks), so its invocations seldom race their
transactions; the runs with several engines (as several instances of the functions) make them
race again, which the convergence argument must survive without the locks.
"""

from __future__ import annotations

from fault_runs import (
    diverging_paths,
    env_int,
    fault_seed,
    reported_paths,
    run_faults,
    verify_all,
)
from faults import FAULT_POINTS

from boiler_core.manifest import Manifest
from boiler_core.store.memory import MemoryStore

OPS = env_int("BOILER_FAULT_OPS", 2000)


def test_lost_events_leave_exactly_what_verify_reports_and_repair_converges(
    manifest: Manifest,
) -> None:
    run = run_faults(
        manifest, MemoryStore(), seed=fault_seed(), ops=OPS, rate=0.02, redeliver=False, workers=4
    )
    print(run.figures())
    hint = run.replay_hint()
    assert all(run.faulty.injected()[point] > 0 for point in FAULT_POINTS), hint

    damage = diverging_paths(manifest, run.store)
    checks = verify_all(manifest, run.store, repair=True)
    print(f"seed {run.seed}: verify found {len(reported_paths(checks))} divergent documents")

    assert reported_paths(checks) == set(damage), hint
    assert diverging_paths(manifest, run.store) == {}, hint
    assert reported_paths(verify_all(manifest, run.store, repair=False)) == set(), hint


def test_failed_invocations_redelivered_until_handled_converge_without_repair(
    manifest: Manifest,
) -> None:
    run = run_faults(
        manifest,
        MemoryStore(),
        seed=fault_seed(),
        ops=OPS,
        rate=0.02,
        redeliver=True,
        workers=4,
        instances=4,
    )
    print(run.figures())
    hint = run.replay_hint()
    assert run.report.failed > 0, hint
    assert run.delivery.lost == [], hint

    assert diverging_paths(manifest, run.store) == {}, hint
    assert reported_paths(verify_all(manifest, run.store, repair=False)) == set(), hint


def test_small_chunks_in_parallel_threads_converge_under_faults(manifest: Manifest) -> None:
    """Chunks of 2 roots, up to 3 at a time: paged reverse queries, overlapping chunk
    transactions and failures inside chunk threads (the fault plan follows the invocation
    into them), with lost events redelivered, on two engines."""
    run = run_faults(
        manifest,
        MemoryStore(),
        seed=fault_seed(),
        ops=OPS // 2,
        rate=0.02,
        redeliver=True,
        workers=4,
        chunk_size=2,
        parallel=3,
        instances=2,
    )
    print(run.figures())
    hint = run.replay_hint()
    assert run.report.failed > 0, hint
    assert run.delivery.lost == [], hint
    assert diverging_paths(manifest, run.store) == {}, hint
