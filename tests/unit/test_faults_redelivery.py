"""The fault tier's retrying platform redoes only the views a failed delivery left unfinished,
as boiler's retry function does, and keeps an event owed until each of its views is done."""

from __future__ import annotations

from collections.abc import Collection

from faults import DeliveryRun

from boiler_core.engine import Change
from boiler_core.errors import StoreError, Unfinished

VIEWS = ("sessions", "profiles", "cards")


class Platform:
    """A handler that leaves ``fail[event]`` unfinished on each of its first deliveries."""

    def __init__(self, fail: dict[str, list[tuple[str, ...]]]) -> None:
        self.fail = fail
        self.asked: list[tuple[str, tuple[str, ...] | None]] = []

    def __call__(self, change: Change, *, views: Collection[str] | None = None) -> object:
        asked = None if views is None else tuple(sorted(views))
        self.asked.append((change.doc_id, asked))
        plan = self.fail.get(change.doc_id, [])
        if plan:
            left = tuple(v for v in plan.pop(0) if views is None or v in views)
            if left:
                error = StoreError("down")
                raise Unfinished("x", views=left, errors=dict.fromkeys(left, error)) from error
        return None


def test_redeliveries_ask_for_exactly_the_views_still_owed() -> None:
    platform = Platform(
        {
            "a": [("sessions",)],  # one view left: redone alone
            "b": [("sessions", "cards"), ("cards",)],  # two, then one of them again
            "c": [],
        }
    )
    run = DeliveryRun(platform, seed=1, workers=1, window=1, max_copies=1, max_lag=0)
    run.run(Change("notes", doc, None, {"x": 1}) for doc in "abc")
    assert run.lost == [0, 1]
    assert (run.owed(0), run.owed(1), run.owed(2)) == (
        {"sessions"},
        {"sessions", "cards"},
        frozenset(),
    )
    report = run.redeliver_lost()
    assert run.lost == []
    redone = [entry for entry in platform.asked[3:]]
    assert sorted(redone) == [
        ("a", ("sessions",)),
        ("b", ("cards",)),
        ("b", ("cards", "sessions")),
    ]
    assert (report.redelivered, report.redelivered_views) == (3, 4)


def test_an_error_that_is_not_unfinished_leaves_every_view_owed() -> None:
    calls: list[Collection[str] | None] = []

    def crash_once(change: Change, *, views: Collection[str] | None = None) -> object:
        calls.append(views)
        if len(calls) == 1:
            raise RuntimeError("the instance died")
        return None

    run = DeliveryRun(crash_once, seed=1, workers=1, max_copies=1)
    run.run([Change("notes", "a", None, {"x": 1})])
    assert run.owed(0) is None
    run.redeliver_lost()
    assert calls == [None, None]
    assert run.lost == []
