"""FaultyStore: a failure at each I/O step, decided by seed and invocation, only inside one."""

from __future__ import annotations

import pytest
from faults import FAULT_POINTS, FaultPlan, FaultPoint, FaultyStore, InjectedFault

from boiler_core.store.memory import MemoryStore
from boiler_core.store.port import Transaction


def copy_a_to_b(tx: Transaction) -> None:
    a = tx.get_all(["docs/a"])["docs/a"]
    tx.set("docs/b", {"copied": a.data["v"] if a else None})


def faulty(point: FaultPoint, rate: float = 1.0) -> tuple[MemoryStore, FaultyStore]:
    inner = MemoryStore({"docs/a": {"v": 1}})
    return inner, FaultyStore(inner, FaultPlan(rate=rate, points=(point,)), seed=7)


@pytest.mark.parametrize(
    ("point", "written"),
    [
        ("before-read", False),
        ("after-read", False),
        ("before-write", False),
        ("commit-aborted", False),
        ("commit-unacknowledged", True),
    ],
)
def test_each_point_fails_the_invocation_at_its_step(point: FaultPoint, written: bool) -> None:
    inner, store = faulty(point)
    with store.invocation("e1.0"), pytest.raises(InjectedFault, match=point) as caught:
        store.run_transaction(copy_a_to_b)
    assert caught.value.point == point
    assert (inner.doc("docs/b") is not None) is written
    assert store.injected()[point] == 1
    assert sum(store.injected().values()) == 1


def test_nothing_is_injected_outside_an_invocation() -> None:
    inner, store = faulty("before-read")
    store.run_transaction(copy_a_to_b)
    assert store.get_all(["docs/a"])["docs/a"] is not None
    assert inner.doc("docs/b") == {"copied": 1}
    assert store.injected() == dict.fromkeys(FAULT_POINTS, 0)


def outcomes(store: FaultyStore, keys: list[str]) -> list[str]:
    results = []
    for key in keys:
        try:
            with store.invocation(key):
                store.run_transaction(copy_a_to_b)
            results.append("ok")
        except InjectedFault as fault:
            results.append(fault.point)
    return results


def test_decisions_depend_only_on_seed_and_invocation_key() -> None:
    plan = FaultPlan(rate=0.3)
    keys = [f"e{i}.0" for i in range(40)]

    def make(seed: int) -> FaultyStore:
        return FaultyStore(MemoryStore({"docs/a": {"v": 1}}), plan, seed=seed)

    first = outcomes(make(11), keys)
    assert outcomes(make(11), keys) == first
    assert outcomes(make(11), list(reversed(keys))) == list(reversed(first))
    assert outcomes(make(12), keys) != first
    assert {"ok", "before-read"} <= set(first)


def test_rates_outside_zero_to_one_are_refused() -> None:
    with pytest.raises(ValueError, match="probabilities"):
        FaultyStore(MemoryStore(), FaultPlan(rate=1.5), seed=1)
