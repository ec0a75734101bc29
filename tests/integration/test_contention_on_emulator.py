"""Contention on the emulator: six threads at once handing the same engine shuffled, duplicated
events of writes on a few meetings, as a functions instance serving several events at once would,
with no injected failure. Figures: invocations, contention give-ups (per 1,000 invocations),
transaction retries, chunks that waited for a root, the machine's load average.

``make test`` runs ``BOILER_CONTENTION_OPS`` (default 120) random writes on 10 meetings; the
measurement in docs/internals/consistency.md ("Contention") ran 1,500.
``BOILER_CONTENTION_INSTANCES`` (default 1) engines share the store, as instances of the deployed
functions would, each delivery going to one of them at random. Every invocation that gave up is
delivered again until it succeeds, and the views must then equal a recompute from scratch and
``boiler verify`` must find nothing: give-ups are repaired by a retry of the same event.

The emulator's transactions lock what they read (pessimistic concurrency) and break a deadlock
by a 2-second lock timeout; production Firestore (Standard edition, also pessimistic) wounds the
younger transaction at once instead, so the give-up rate measured here is an upper bound of what
the same load gives there, not a prediction of it.
"""

from __future__ import annotations

import os

import pytest
from fault_runs import diverging_paths, env_int, fault_seed, reported_paths, run_faults, verify_all
from google.cloud.firestore import Client
from meeting_room_app import VIEWS_YAML

from boiler_core.manifest import load_manifest
from boiler_core.store.firestore import FirestoreStore

pytestmark = pytest.mark.integration

OPS = env_int("BOILER_CONTENTION_OPS", 120)
INSTANCES = env_int("BOILER_CONTENTION_INSTANCES", 1)
WORKERS = 6


def test_concurrent_duplicated_invocations_on_the_same_roots_give_up_rarely_and_retry_to_exact(
    firestore_client: Client,
) -> None:
    manifest = load_manifest(VIEWS_YAML)
    store = FirestoreStore(firestore_client)
    load_before = os.getloadavg()
    run = run_faults(
        manifest,
        store,
        seed=fault_seed(),
        ops=OPS,
        rate=0.0,
        redeliver=False,
        workers=WORKERS,
        pause_rate=0.0,
        deliver_seed=False,
        instances=INSTANCES,
    )
    invocations = run.report.deliveries
    gave_up = len(run.logs.gave_up)
    load_after = os.getloadavg()
    print(
        f"seed {run.seed}: {OPS} writes, {invocations} invocations from {WORKERS} threads "
        f"({INSTANCES} engine{'s' if INSTANCES > 1 else ''}) in "
        f"{run.report.seconds:.1f} s: {gave_up} gave up ({1000 * gave_up / invocations:.1f} per "
        f"1,000 invocations), {run.report.failed} failed, transaction retries "
        f"{run.logs.totals['retries']}, chunks that waited for a root "
        f"{run.logs.totals['waited']}; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after"
    )
    hint = run.replay_hint()
    assert run.report.failed == gave_up, f"only contention may fail an invocation here; {hint}"

    report = run.delivery.redeliver_lost()  # each asks for the views its give-up left unfinished
    print(f"seed {run.seed}: after redelivery: {report.summary()}")
    assert run.delivery.lost == [], hint
    assert diverging_paths(manifest, store) == {}, hint
    assert reported_paths(verify_all(manifest, store, repair=False)) == set(), hint
