"""Duplicated, reordered and interleaved deliveries converge, and no stale write lands.

After any delivery order of the same writes, every view equals the from-scratch recompute of the
final domain state (no stale document, no leftover copy, no missing one).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import pytest
from delegating import Delegating
from faults import DeliveryRun, expected_views, stored_views, write_change
from meeting_room.fixture import (
    EXPECTED_MEETING_SESSION,
    LOCATION_ID,
    MEETING_ID,
    fixture_documents,
)

from boiler_core.documents import Ref
from boiler_core.engine import Change, Engine
from boiler_core.manifest import Manifest
from boiler_core.store.memory import MemoryStore
from boiler_core.store.port import Transaction
from boiler_core.testing import Harness, update, visible, write

T = TypeVar("T")
Step = Callable[[MemoryStore], Change]
MEETING = f"meetings/{MEETING_ID}"


def without(user: str) -> Step:
    def step(store: MemoryStore) -> Change:
        meeting = store.doc(MEETING) or {}
        return update(store, MEETING, {"users": [u for u in meeting["users"] if u.id != user]})

    return step


def with_user(user: str) -> Step:
    def step(store: MemoryStore) -> Change:
        meeting = store.doc(MEETING) or {}
        return update(store, MEETING, {"users": [*meeting["users"], Ref(f"users/{user}")]})

    return step


def setting(path: str, **fields: Any) -> Step:
    return lambda store: update(store, path, fields)


def deleting(path: str) -> Step:
    return lambda store: write(store, path, None)


def creating(path: str, data: Mapping[str, Any]) -> Step:
    return lambda store: write(store, path, data)


NEW_USER = {"first_name": "Lorenzo", "last_name": "Ruiz", "organization": "UCLA"}
STEPS: dict[str, Step] = {
    "attendance off": setting("tickets/tj_t", attendance=False),
    "attendance on": setting("tickets/tj_t", attendance=True),
    "other attendance off": setting("tickets/ts_t", attendance=False),
    "remove joshua": without("joshua"),
    "re-add joshua": with_user("joshua"),
    "rename thomasina": setting("users/thomasina", last_name="Manes-Kennedy"),
    "move location": setting(f"locations/{LOCATION_ID}", address="1 Market St"),
    "not started": setting(MEETING, status="not-started"),
    "delete meeting": deleting(MEETING),
    "recreate meeting": creating(MEETING, fixture_documents()[MEETING]),
    "create lorenzo": creating("users/lorenzo", {**NEW_USER, "hearing_aid_requested": True}),
    "add lorenzo": with_user("lorenzo"),
    "delete joshua": deleting("users/joshua"),
}


def seeded_harness(manifest: Manifest) -> Harness:
    app = Harness(manifest)
    for path, data in fixture_documents().items():
        app.write(path, data)
    return app


def from_scratch(manifest: Manifest, store: MemoryStore) -> dict[str, dict[str, Any]]:
    """The views of the store's domain state, recomputed into an empty store."""
    fresh = Harness(manifest)
    for path, data in store.dump().items():
        if path.count("/") == 1 and path.split("/")[0] in manifest.collections:
            fresh.store.put(path, data)
    for name, view in manifest.views.items():
        ids = [p.split("/")[1] for p in fresh.store.paths(f"{view.root}/")]
        fresh.engine.recompute(name, ids)
    return fresh.views()


def deliver(manifest: Manifest, names: Sequence[str], order: Sequence[int]) -> Harness:
    """Seed, apply the named steps to the store, then deliver their changes in ``order``."""
    app = seeded_harness(manifest)
    changes = [STEPS[name](app.store) for name in names]
    for index in order:
        app.engine.handle(changes[index])
    return app


def test_s13_every_event_delivered_twice_gives_the_seeded_views(manifest: Manifest) -> None:
    app = Harness(manifest)
    for path, data in fixture_documents().items():
        change = write(app.store, path, data)
        app.engine.handle(change)
        again = app.engine.handle(change)
        assert (again.writes, again.deletes) == (0, 0)
    assert app.views() == seeded_harness(manifest).views()
    assert visible(app.views()[f"meeting_sessions/{MEETING_ID}"]) == EXPECTED_MEETING_SESSION


@pytest.mark.parametrize(
    "pair",
    [
        ("attendance off", "attendance on"),
        ("attendance off", "other attendance off"),
        ("remove joshua", "re-add joshua"),
        ("rename thomasina", "move location"),
        ("delete meeting", "recreate meeting"),
        ("create lorenzo", "add lorenzo"),
        ("add lorenzo", "create lorenzo"),
        ("remove joshua", "delete meeting"),
        ("not started", "attendance off"),
        ("delete joshua", "remove joshua"),
    ],
)
def test_s13_two_events_in_reverse_order_end_as_in_order_delivery(
    manifest: Manifest, pair: tuple[str, str]
) -> None:
    in_order = seeded_harness(manifest)
    for name in pair:
        in_order.engine.handle(STEPS[name](in_order.store))
    reversed_ = deliver(manifest, pair, [1, 0])
    assert reversed_.views() == in_order.views()
    assert reversed_.views() == from_scratch(manifest, reversed_.store)


@pytest.mark.parametrize(
    "names",
    [
        ("remove joshua", "attendance off", "re-add joshua", "move location"),
        ("create lorenzo", "add lorenzo", "remove joshua", "rename thomasina"),
        ("delete meeting", "rename thomasina", "recreate meeting", "not started"),
    ],
)
def test_s13_every_delivery_order_of_applied_changes_ends_identical(
    manifest: Manifest, names: tuple[str, ...]
) -> None:
    expected = from_scratch(manifest, deliver(manifest, names, range(len(names))).store)
    for order in itertools.permutations(range(len(names))):
        assert deliver(manifest, names, order).views() == expected, order


def test_duplicate_delivery_after_later_changes_does_not_regress(manifest: Manifest) -> None:
    app = seeded_harness(manifest)
    stale = STEPS["remove joshua"](app.store)
    app.engine.handle(stale)
    app.engine.handle(STEPS["re-add joshua"](app.store))
    app.engine.handle(stale)
    assert app.views() == seeded_harness(manifest).views()


class InterleavingStore(Delegating[MemoryStore]):
    """Wraps a MemoryStore; runs ``interlude`` once, between a transaction's reads and its commit.

    This replays the ABA trap (docs/internals/consistency.md): invocation A has read state s1 and
    is about to write when change c2 lands and invocation B handles it completely.
    """

    def __init__(self, inner: MemoryStore, interlude: Callable[[], None]) -> None:
        super().__init__(inner)
        self.interlude: Callable[[], None] | None = interlude

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        def stalled(tx: Transaction) -> T:
            result = fn(tx)
            if self.interlude is not None:
                interlude, self.interlude = self.interlude, None
                interlude()
            return result

        return self.inner.run_transaction(stalled, max_attempts=max_attempts)


def test_aba_stalled_invocation_cannot_overwrite_a_newer_skip(manifest: Manifest) -> None:
    app = seeded_harness(manifest)
    c1 = update(app.store, "tickets/tj_t", {"attendance": False})

    def c2_lands_and_b_handles_it() -> None:
        b_cost = app.engine.handle(update(app.store, "tickets/tj_t", {"attendance": True}))
        # f(s2) equals the stored view (A has not committed): B writes nothing
        assert b_cost.writes == 0

    stalled = InterleavingStore(app.store, c2_lands_and_b_handles_it)
    a_cost = Engine(manifest, stalled, log=app.logs.append).handle(c1)
    # A read the ticket in its transaction and c2 changed it since: A's commit conflicts, and its
    # retry reads the ticket again, sees s2, and has nothing to write.
    assert a_cost.retries == 1
    assert a_cost.writes == 0
    assert visible(app.views()[f"meeting_sessions/{MEETING_ID}"]) == EXPECTED_MEETING_SESSION
    assert app.views() == from_scratch(manifest, app.store)


def test_concurrent_membership_change_during_recompute_is_retried(manifest: Manifest) -> None:
    app = seeded_harness(manifest)
    c1 = STEPS["rename thomasina"](app.store)

    def joshua_removed_meanwhile() -> None:
        app.engine.handle(STEPS["remove joshua"](app.store))

    stalled = InterleavingStore(app.store, joshua_removed_meanwhile)
    cost = Engine(manifest, stalled, log=app.logs.append).handle(c1)
    assert cost.retries >= 1
    assert "users/joshua/meeting_sessions/meeting_1" not in app.views()
    assert app.views() == from_scratch(manifest, app.store)


STORM_SEEDS = 200
"""When the engine took the changed document from the event (boiler 0.2) without refreshing the
masters that recorded its update time, 4 of these 200 seeds ended with a stale view; the fault
suite's mixed workload did not notice."""


def test_attendance_flips_delivered_reordered_once_each_end_as_a_recompute(
    manifest: Manifest,
) -> None:
    """Tickets flip attendance back and forth (and change a field no view reads); every event is
    delivered once, shuffled within windows of 4 writes and up to one window late. Reordered
    flips are where a late event could overwrite what a newer, unchanged recompute skipped."""
    diverged = []
    for seed in range(STORM_SEEDS):
        store = MemoryStore()
        engine = Engine(manifest, store, log=lambda entry: None, parallel=1)
        for path, data in fixture_documents().items():
            engine.handle(write_change(store, path, data))
        rng = random.Random(seed)

        def flips(rng: random.Random = rng, store: MemoryStore = store) -> Iterator[Change]:
            for _ in range(60):
                path = rng.choice(["tickets/tj_t", "tickets/ts_t", "tickets/js_t"])
                data = dict(store.doc(path) or {})
                if rng.random() < 0.8:
                    data["attendance"] = not data["attendance"]
                else:
                    data["role"] = rng.choice(["speaker", "listener"])
                yield write_change(store, path, data)

        DeliveryRun(engine.handle, seed=seed, workers=1, window=4, max_copies=1, max_lag=1).run(
            flips()
        )
        if stored_views(manifest, store) != expected_views(manifest, store):
            diverged.append(seed)
    assert diverged == []
