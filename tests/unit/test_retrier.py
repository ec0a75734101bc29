"""No silent loss, in memory: a trigger hands exactly the views it left unfinished to the retry
function, a retry attempt raises while attempts remain, the last one declares the event dead on
one ERROR line and records it, and the backstop replays what was recorded; every hand-over that
fails is said, recorded when it can be, and raised."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from meeting_room.fixture import MEETING_ID, fixture_documents

from boiler_core.engine import Change, Engine
from boiler_core.errors import NotQueued, StoreError, Unfinished
from boiler_core.manifest import Manifest
from boiler_core.retry import PENDING_COLLECTION, PendingEvents, Retrier, RetryTask
from boiler_core.retry.injection import VARIABLE, InjectedUnfinished
from boiler_core.store.memory import MemoryStore
from boiler_core.testing import update, write
from boiler_core.testing.oracle import expected_views, stored_views

START = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
SESSIONS = "meeting_sessions"
PROFILES = "user_profiles"


class Clock:
    """A clock that moves one second per reading."""

    def __init__(self) -> None:
        self._ticks = itertools.count()

    def __call__(self) -> datetime:
        return START + timedelta(seconds=next(self._ticks))


class Flaky:
    """The engine, but the first ``failures`` calls leave ``views`` unfinished without doing
    anything for them (the other views are handled)."""

    def __init__(self, engine: Engine, views: tuple[str, ...], failures: int) -> None:
        self.engine, self.views, self.failures = engine, views, failures
        self.calls: list[tuple[str, tuple[str, ...] | None]] = []

    def handle(self, change: Change, *, views: Collection[str] | None = None) -> object:
        self.calls.append((change.path, None if views is None else tuple(views)))
        asked = [v.name for v in self.engine.manifest.views_fed_by(change.collection)]
        asked = [v for v in asked if views is None or v in views]
        if self.failures > 0:
            self.failures -= 1
            left = tuple(v for v in asked if v in self.views)
            done = [v for v in asked if v not in left]
            if done:
                self.engine.handle(change, views=done)
            error = StoreError("the database is unreachable")
            raise Unfinished("unfinished", views=left, errors=dict.fromkeys(left, error)) from error
        return self.engine.handle(change, views=asked)


class Queue:
    """A retry queue that keeps what it was given (or refuses, with ``refuse``)."""

    def __init__(self, refuse: str | None = None) -> None:
        self.tasks: list[tuple[dict[str, Any], int]] = []
        self.refuse = refuse

    def enqueue(self, data: Mapping[str, Any], *, delay_seconds: int) -> str:
        if self.refuse is not None:
            raise NotQueued(self.refuse)
        self.tasks.append((json.loads(json.dumps(dict(data))), delay_seconds))
        return f"task-{len(self.tasks)}"


class Refusing(MemoryStore):
    """A store whose transactions fail once ``down`` (the database is what failed)."""

    down = False

    def run_transaction(self, fn: Callable[..., Any], *, max_attempts: int = 5) -> Any:
        if self.down:
            raise StoreError("unavailable")
        return super().run_transaction(fn, max_attempts=max_attempts)


class World:
    """The seeded meeting room in memory, its views built, and a retrier around a flaky engine."""

    def __init__(
        self,
        manifest: Manifest,
        *,
        failures: int = 1,
        views: tuple[str, ...] = (SESSIONS,),
        queue: Queue | None = None,
        store: MemoryStore | None = None,
        records: bool = True,
    ) -> None:
        self.manifest = manifest
        self.store = store if store is not None else MemoryStore()
        self.logs: list[dict[str, Any]] = []
        self.engine = Engine(manifest, self.store, log=lambda entry: None)
        for path, data in fixture_documents().items():
            self.engine.handle(write(self.store, path, data))
        self.flaky = Flaky(self.engine, views, failures)
        self.queue = Queue() if queue is None else queue
        self.pending = PendingEvents(self.store, Clock()) if records else None
        self.retrier = Retrier(
            manifest,
            self.flaky,
            queue=self.queue,
            pending=self.pending,
            log=self.logs.append,
            clock=Clock(),
        )

    def lines(self, key: str) -> list[dict[str, Any]]:
        return [entry for entry in self.logs if key in entry.get("boiler", {})]

    def exact(self) -> bool:
        return stored_views(self.manifest, self.store) == expected_views(self.manifest, self.store)

    def close_meeting(self) -> Change:
        return update(self.store, f"meetings/{MEETING_ID}", {"status": "closed"})

    def records(self) -> dict[str, dict[str, Any]]:
        return self.store.dump(PENDING_COLLECTION + "/")


def test_a_trigger_hands_exactly_its_unfinished_views_to_the_retry_function(
    manifest: Manifest,
) -> None:
    world = World(manifest)
    change = world.close_meeting()
    world.retrier.on_event(change)  # returns: the event is in the retry function's hands
    [(data, delay)] = world.queue.tasks
    task = RetryTask.from_data(data)
    assert task.views == (SESSIONS,)  # user_profiles was brought up to date
    assert task.change == change  # as the event carried it
    assert task.reason == "StoreError: the database is unreachable"
    assert delay == world.retrier.settings.min_backoff_seconds
    [line] = world.lines("retry")
    assert line["severity"] == "INFO"
    assert line["boiler"]["retry"]["views"] == [SESSIONS]
    assert line["boiler"]["doc"] == MEETING_ID
    assert not world.exact()  # the sessions wait for the retry

    world.retrier.on_task(data, attempt=1)
    assert world.flaky.calls[-1] == (f"meetings/{MEETING_ID}", (SESSIONS,))
    assert world.exact()
    assert world.lines("retry_attempt")[-1]["boiler"]["retry_attempt"]["outcome"] == "done"
    assert world.records() == {}


def test_a_retry_attempt_raises_while_attempts_remain_and_the_last_declares_the_event_dead(
    manifest: Manifest,
) -> None:
    settings = manifest.project.retry
    assert settings is not None
    world = World(manifest, failures=1 + settings.max_attempts)  # the trigger and every attempt
    world.retrier.on_event(world.close_meeting())
    [(data, _)] = world.queue.tasks
    for attempt in range(1, settings.max_attempts):
        with pytest.raises(Unfinished):
            world.retrier.on_task(data, attempt)
    world.retrier.on_task(data, settings.max_attempts)  # the last: no raise, Cloud Tasks stops
    warnings = world.lines("retry_attempt")
    assert len(warnings) == settings.max_attempts - 1
    assert {w["severity"] for w in warnings} == {"WARNING"}
    [dead] = world.lines("dead_event")
    record = dead["boiler"]["dead_event"]
    assert dead["severity"] == "ERROR"
    assert record["document"] == f"meetings/{MEETING_ID}"
    assert record["views"] == [SESSIONS]
    assert record["reason"] == "StoreError: the database is unreachable"
    assert record["attempts"] == settings.max_attempts
    assert record["repair"] == f"boiler verify --repair {SESSIONS}"
    assert record["recorded"] in world.records()
    assert f"event dead after {settings.max_attempts} attempts" in dead["message"]
    assert not world.exact()

    report = world.retrier.backstop(limit=50)  # the database is back
    assert (report.listed, report.replayed, report.unfinished) == (1, 1, 0)
    assert world.exact()
    assert world.records() == {}


def test_an_enqueue_that_fails_is_recorded_logged_and_raised(manifest: Manifest) -> None:
    world = World(manifest, queue=Queue(refuse="Cloud Tasks: 403 PERMISSION_DENIED"))
    with pytest.raises(NotQueued, match="PERMISSION_DENIED"):
        world.retrier.on_event(world.close_meeting())
    [line] = world.lines("not_queued")
    record = line["boiler"]["not_queued"]
    assert line["severity"] == "ERROR"
    assert record["views"] == [SESSIONS]
    assert record["recorded"] in world.records()
    assert "recorded for the backstop" in line["message"]
    world.retrier.backstop(limit=50)
    assert world.exact()


def test_an_enqueue_that_fails_while_the_database_fails_says_it_is_not_recorded(
    manifest: Manifest,
) -> None:
    store = Refusing()
    world = World(manifest, queue=Queue(refuse="unreachable"), store=store)
    store.down = True
    change = Change("meetings", MEETING_ID, {"status": "a"}, {"status": "b"})
    with pytest.raises(NotQueued):
        world.retrier.on_event(change)
    [line] = world.lines("not_queued")
    assert line["boiler"]["not_queued"]["recorded"] is None
    assert "NOT recorded for the backstop (StoreError: unavailable)" in line["message"]
    assert f"repair: boiler verify --repair {SESSIONS}" in line["message"]


def test_with_retries_off_the_event_is_recorded_and_the_engines_error_raised(
    manifest: Manifest,
) -> None:
    world = World(manifest)
    world.retrier.queue = None
    with pytest.raises(Unfinished):
        world.retrier.on_event(world.close_meeting())
    [line] = world.lines("not_queued")
    assert "retries are off" in line["message"]
    assert len(world.records()) == 1


def test_a_change_too_large_to_carry_is_not_queued_and_raised(manifest: Manifest) -> None:
    world = World(manifest, views=(SESSIONS, PROFILES))
    text = "x" * 1_100_000  # read by no view, so the task is cut down to what they use
    change = update(world.store, f"meetings/{MEETING_ID}", {"status": "closed", "minutes": text})
    world.retrier.on_event(change)
    [(data, _)] = world.queue.tasks
    assert RetryTask.from_data(data).trimmed
    world.retrier.on_task(data, 1)
    assert world.exact()


def test_the_backstop_replays_the_oldest_first_and_moves_a_failing_one_to_the_back(
    manifest: Manifest,
) -> None:
    world = World(manifest, failures=0)
    assert world.pending is not None
    meeting = fixture_documents()[f"meetings/{MEETING_ID}"]
    closed = world.close_meeting()
    world.engine.handle(closed, views=[PROFILES])  # the trigger did that much
    first = world.pending.record(RetryTask(closed, (SESSIONS,), reason="r", failed_at=START))
    change = write(world.store, f"meetings/{MEETING_ID}", {**meeting, "status": "open"})
    world.engine.handle(change, views=[PROFILES])
    second = world.pending.record(RetryTask(change, (SESSIONS,), reason="r", failed_at=START))
    world.store.run_transaction(lambda tx: tx.set(f"{PENDING_COLLECTION}/0-bad", {"payload": "{"}))
    assert sorted(world.records()) == sorted([first, second, f"{PENDING_COLLECTION}/0-bad"])

    world.flaky.failures = 1  # the oldest readable one fails once more
    report = world.retrier.backstop(limit=2)
    assert (report.listed, report.unreadable, report.unfinished, report.replayed) == (2, 1, 1, 0)
    assert report.more
    [moved] = [p for p in world.records() if p not in (first, second)]
    assert moved > second  # behind the one that waited
    assert world.records()[moved]["replays"] == 1
    assert world.lines("unreadable_event")[0]["boiler"]["unreadable_event"]["path"].endswith(
        "0-bad"
    )
    [still] = world.lines("dead_event")
    assert "event dead after 1 replay by the backstop" in still["message"]
    assert world.lines("backstop")[-1]["severity"] == "WARNING"

    report = world.retrier.backstop(limit=2)
    assert (report.listed, report.replayed, report.more) == (2, 2, False)
    assert world.records() == {}
    assert world.exact()


def test_a_view_removed_from_views_yaml_since_is_not_retried(manifest: Manifest) -> None:
    world = World(manifest, failures=0)
    change = world.close_meeting()
    world.engine.handle(change, views=[PROFILES])  # the trigger did that much
    task = RetryTask(change, ("gone_view", SESSIONS), reason="r", failed_at=START)
    world.retrier.on_task(task.to_data(), 1)
    assert world.flaky.calls[-1][1] == (SESSIONS,)
    assert world.exact()


def test_a_retry_task_boiler_cannot_read_is_dropped_on_an_error_line(manifest: Manifest) -> None:
    world = World(manifest, failures=0)
    world.retrier.on_task({"boiler_retry": 7}, 1)
    [line] = world.lines("unreadable_event")
    assert line["severity"] == "ERROR"
    assert "format 7" in line["message"]


@pytest.mark.parametrize(
    ("environ", "active"),
    [
        ({VARIABLE: "meetings/*:2", "FIRESTORE_EMULATOR_HOST": "127.0.0.1:1"}, True),
        ({VARIABLE: "meetings/*:2"}, False),  # no emulator: production data
        (
            {
                VARIABLE: "meetings/*:2",
                "FIRESTORE_EMULATOR_HOST": "127.0.0.1:1",
                "K_SERVICE": "on_meetings_written",
                "GOOGLE_CLOUD_PROJECT": "acme-prod",
            },
            False,  # a deployed function
        ),
        ({VARIABLE: "meetings/*", "FIRESTORE_EMULATOR_HOST": "127.0.0.1:1"}, False),
    ],
)
def test_the_test_switch_works_only_on_the_emulators(environ: dict[str, str], active: bool) -> None:
    logs: list[dict[str, Any]] = []
    switch = InjectedUnfinished.from_environ(environ, logs.append)
    assert (switch is not None) == active
    assert len(logs) == (0 if active else 1)
    if switch is not None:
        change = Change("meetings", "m1", None, {"a": 1})
        for attempt in (1, 2):
            with pytest.raises(Unfinished, match=f"fails attempt {attempt} of 2") as raised:
                switch.check(change, (SESSIONS,), attempt)
            assert raised.value.views == (SESSIONS,)
        switch.check(change, (SESSIONS,), 3)
        switch.check(Change("tickets", "t1", None, {"a": 1}), (SESSIONS,), 1)


def test_the_test_switch_fails_the_trigger_and_the_first_retries_then_lets_them_pass(
    manifest: Manifest,
) -> None:
    world = World(manifest, failures=0)
    environ = {VARIABLE: f"meetings/{MEETING_ID}:2", "FIRESTORE_EMULATOR_HOST": "127.0.0.1:1"}
    world.retrier = Retrier(
        manifest,
        world.flaky,
        queue=world.queue,
        pending=world.pending,
        log=world.logs.append,
        inject=InjectedUnfinished.from_environ(environ, world.logs.append),
    )
    world.retrier.on_event(world.close_meeting())
    [(data, _)] = world.queue.tasks
    assert RetryTask.from_data(data).views == (SESSIONS, PROFILES)
    with pytest.raises(Unfinished):
        world.retrier.on_task(data, 1)
    world.retrier.on_task(data, 2)
    assert world.exact()
    assert world.flaky.calls == [(f"meetings/{MEETING_ID}", (SESSIONS, PROFILES))]
