"""NaN and the infinities in domain data: the engine writes them once, ``boiler verify`` agrees.

Firestore stores NaN as one value, but Python's ``nan != nan``: every NaN read back from
Firestore is a new float, so comparing with ``==`` took each stored NaN for a change. The engine
rewrote the view on every event and ``verify`` reported a divergence forever. Here each NaN is a
fresh object, as a read from Firestore gives it (tests/integration/test_non_finite_on_emulator.py
does the same on the emulator itself).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from meeting_room.fixture import LOCATION_ID, MEETING_ID

from boiler_core.documents import Doc
from boiler_core.engine import Engine
from boiler_core.engine.outputs import plan_writes
from boiler_core.engine.relevance import changed_fields, same_value
from boiler_core.rebuild import Verifier
from boiler_core.rebuild.dryrun import differing_fields
from boiler_core.testing import Harness
from boiler_core.versions import version_of

LOCATION = f"locations/{LOCATION_ID}"
MASTER = f"meeting_sessions/{MEETING_ID}"


def nan() -> float:
    """A NaN that is a new object (``float("nan")`` may be cached by the interpreter)."""
    return math.inf - math.inf


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (nan(), nan(), True),
        ({"x": [nan(), 1.5]}, {"x": [nan(), 1.5]}, True),
        (math.inf, math.inf, True),
        (-math.inf, -math.inf, True),
        (nan(), None, False),
        (nan(), math.inf, False),
        (math.inf, -math.inf, False),
        (nan(), "NaN", False),
        (1, 1.0, False),
        (0, False, False),
        (-0.0, 0.0, False),
        ({"x": [1.5, -0.0]}, {"x": [1.5, 0.0]}, False),
        (-0.0, float("-0.0"), True),
        (0.0, 0.0, True),
        (0, 0, True),
    ],
)
def test_firestore_values_compare_as_firestore_stores_them(a: Any, b: Any, same: bool) -> None:
    assert same_value(a, b) is same


def test_a_zero_whose_sign_changed_is_a_changed_field() -> None:
    assert changed_fields({"x": 0.0}, {"x": -0.0}) == frozenset({"x"})
    assert changed_fields({"x": -0.0}, {"x": 0.0}) == frozenset({"x"})


def test_versions_tell_nan_infinities_and_null_apart_and_keep_a_nan_stable() -> None:
    versions = {
        version_of({"x": value}) for value in (nan(), math.inf, -math.inf, None, "NaN", 0.0)
    }
    assert len(versions) == 6
    assert version_of({"x": nan()}) == version_of({"x": nan()})


def test_a_stored_nan_is_not_a_write_or_a_difference() -> None:
    desired = {MASTER: {"latitude": nan(), "longitude": math.inf, "_version": "v"}}
    stored = {MASTER: Doc(MASTER, {"latitude": nan(), "longitude": math.inf, "_version": "v"})}
    plan = plan_writes(desired, stored)
    assert (plan.sets, plan.unchanged) == ((), 1)
    assert differing_fields(stored[MASTER].data, desired[MASTER]) == ()
    assert changed_fields({"latitude": nan()}, {"latitude": nan()}) == frozenset()


def fresh_copy(value: Any) -> Any:
    """``value`` with every float a new object, as a read back from Firestore gives it."""
    if isinstance(value, float):
        return value + 0.0 if not math.isnan(value) else nan()
    if isinstance(value, dict):
        return {key: fresh_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [fresh_copy(item) for item in value]
    return value


def test_nan_and_infinities_go_through_the_engine_once_and_verify_clean(seeded: Harness) -> None:
    seeded.update(LOCATION, {"latitude": nan(), "longitude": -math.inf})
    master = seeded.store.doc(MASTER)
    assert master is not None
    assert math.isnan(master["latitude"])
    assert master["longitude"] == -math.inf

    for path in seeded.views():  # the views' floats read back as new objects
        seeded.store.put(path, fresh_copy(seeded.store.doc(path)))
    engine = Engine(seeded.manifest, seeded.store, log=lambda entry: None)
    for view in seeded.manifest.views:
        check = Verifier(engine, seeded.store).check(view)
        assert check.divergences == [], view

    assert engine.recompute("meeting_sessions", [MEETING_ID]).writes == 0
    assert seeded.update(LOCATION, {"latitude": nan()}).writes == 0  # NaN saved again
