"""Contract 6: every invocation reports what it cost, as one structured JSON log line."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from meeting_room.fixture import MEETING_ID, fixture_documents

from boiler_core.engine import Cost, Engine
from boiler_core.manifest import Manifest
from boiler_core.testing import Harness, update


def test_default_log_prints_one_cloud_logging_json_line_per_change(
    seeded: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = Engine(seeded.manifest, seeded.store)
    change = update(seeded.store, "tickets/tj_t", {"attendance": False}, event_id="ev-1")
    cost = engine.handle(change)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["severity"] == "INFO"
    assert entry["message"].startswith(
        "boiler tickets/tj_t: 12 reads, 4 writes, 0 deletes, 1 queries, 0 skipped, 0 retries, "
    )
    assert entry["boiler"] == {
        "collection": "tickets",
        "doc": "tj_t",
        "event_id": "ev-1",
        "reads": 12,
        "writes": 4,
        "deletes": 0,
        "queries": 1,
        "skipped": 0,
        "retries": 0,
        "refreshed": 0,
        "ms": round(cost.ms, 3),
        "roots": 1,
        "views": ["meeting_sessions"],
        "filtered": [],
        "waited": 0,
        "failed": [],
    }


def test_reads_count_every_requested_document_and_queries_at_least_one(
    manifest: Manifest,
) -> None:
    app = Harness(manifest)
    # user_profiles: 1 root + 1 master + 1 empty meetings query; meeting_sessions: 1 empty query
    cost = app.write("users/tijuana", fixture_documents()["users/tijuana"])
    assert (cost.reads, cost.queries, cost.writes) == (4, 2, 1)
    assert cost.views == ("meeting_sessions", "user_profiles")


def test_one_line_per_change_even_when_several_views_are_recomputed(seeded: Harness) -> None:
    seeded.logs.clear()
    cost = seeded.update("users/thomasina", {"last_name": "Manes-Kennedy"})
    assert len(seeded.logs) == 1
    assert cost.views == ("meeting_sessions", "user_profiles")
    assert (cost.writes, cost.deletes, cost.skipped) == (5, 0, 0)  # profile + master + 3 copies


def test_unchanged_recompute_writes_nothing(seeded: Harness) -> None:
    writes = seeded.store.committed_writes
    cost = seeded.engine.recompute("meeting_sessions", [MEETING_ID, "no_such_meeting"])
    assert (cost.writes, cost.deletes, cost.skipped) == (0, 0, 4)
    assert seeded.store.committed_writes == writes


def test_filtered_views_count_as_skipped_with_no_reads(seeded: Harness) -> None:
    cost = seeded.update("tickets/tj_t", {"role": "Organizer"})
    assert cost == Cost(skipped=1, filtered=("meeting_sessions",), ms=cost.ms)
    assert seeded.logs[-1]["boiler"]["filtered"] == ["meeting_sessions"]


def test_lag_is_reported_when_the_event_carries_its_write_time(seeded: Harness) -> None:
    change = update(seeded.store, "tickets/tj_t", {"attendance": False})
    cost = seeded.engine.handle(replace(change, time=datetime.now(UTC) - timedelta(seconds=2)))
    assert cost.lag_ms is not None
    assert cost.lag_ms >= 2000
    assert seeded.logs[-1]["boiler"]["lag_ms"] >= 2000


def test_costs_add_up_field_by_field() -> None:
    total = Cost(reads=1, writes=2, views=("a",)) + Cost(reads=3, deletes=1, views=("b", "a"))
    assert total == Cost(reads=4, writes=2, deletes=1, views=("a", "b"))
