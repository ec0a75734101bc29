"""The fault tier on the real emulator: real transactions, FirestoreStore, injected failures.

Events are delivered by calling ``Engine.handle`` from threads with the Change of each real write
(the stored document before it, read in the writing transaction, and the data written), not by the
emulator's trigger deliveries: those arrive exactly once and in order, the engine runs in the
dispatcher's process where no fault can be injected into its store, and a dropped delivery could
not be told from a slow one. Duplicates, reordering, concurrency and failures at every I/O step are
therefore produced here, around the same engine and store the deployed functions use.

``make test`` runs ``BOILER_FAULT_EMULATOR_OPS`` (default 300) random writes after a seed whose
views are built by a recompute. The emulator holds a lock wait for 2 s before aborting a
deadlocked transaction, so duplicates go to later windows, deliveries are shuffled within windows
of 32 writes (neighbouring writes often touch the same meeting) and two run at once, which keeps
the run short and the concurrency real.
"""

from __future__ import annotations

import pytest
from fault_runs import diverging_paths, env_int, fault_seed, reported_paths, run_faults, verify_all
from google.cloud.firestore import Client
from meeting_room_app import VIEWS_YAML

from boiler_core.manifest import load_manifest
from boiler_core.store.firestore import FirestoreStore

pytestmark = pytest.mark.integration

OPS = env_int("BOILER_FAULT_EMULATOR_OPS", 300)


def test_faults_on_the_emulator_leave_what_verify_reports_and_repair_converges(
    firestore_client: Client,
) -> None:
    manifest = load_manifest(VIEWS_YAML)
    store = FirestoreStore(firestore_client)
    run = run_faults(
        manifest,
        store,
        seed=fault_seed(),
        ops=OPS,
        rate=0.02,
        redeliver=False,
        workers=2,
        window=32,
        pause_rate=0.0,
        spread_copies=True,
        in_flight=4,
        deliver_seed=False,
        sizes={"users": 40, "meetings": 24, "locations": 12},
    )
    print(run.figures())
    hint = run.replay_hint()
    assert all(count > 0 for count in run.faulty.injected().values()), hint

    damage = diverging_paths(manifest, store)
    checks = verify_all(manifest, store, repair=True)
    print(f"seed {run.seed}: verify found {len(reported_paths(checks))} divergent documents")

    assert reported_paths(checks) == set(damage), hint
    assert diverging_paths(manifest, store) == {}, hint
    assert reported_paths(verify_all(manifest, store, repair=False)) == set(), hint
