"""The dispatcher's output lines: its own records round-trip, cost lines and text are recognised."""

from __future__ import annotations

import json

import pytest

from boiler_core.dispatch.records import (
    Barrier,
    CostLine,
    Failed,
    HttpLine,
    Invocation,
    Ready,
    Text,
    TriggerInfo,
    encode,
    parse_line,
)
from boiler_core.engine.cost import Cost


@pytest.mark.parametrize(
    "record",
    [
        Ready(
            "http://127.0.0.1:1",
            (TriggerInfo("on_users_written", "users/{u}", "t"),),
            ("scheduled",),
            (("api", "http://127.0.0.1:2"),),
        ),
        Invocation("on_users_written", "users/u1", "e1", 12.5, True),
        Invocation("on_users_written", "users/u1", None, 3.0, False, "ValueError: bad"),
        Barrier("m1-2"),
        Failed("SyntaxError: main.py line 3"),
        Failed("ImportError: no x", ("/app/functions/shop/hooks.py", 3, 1), "Traceback ..."),
    ],
    ids=["ready", "invocation", "failed-invocation", "barrier", "failed", "failed-located"],
)
def test_dispatcher_records_round_trip_through_one_json_line(
    record: Ready | Invocation | Barrier | Failed,
) -> None:
    line = encode(record)
    assert "\n" not in line
    assert parse_line(line + "\n") == record


def test_engine_cost_line_is_recognised_with_its_event_id() -> None:
    entry = Cost(reads=4, writes=1).to_log(collection="users", doc="u1", event_id="e1")
    record = parse_line(json.dumps(entry))
    assert isinstance(record, CostLine)
    assert record.event_id == "e1"
    assert record.payload["reads"] == 4
    assert record.message == entry["message"]


def test_http_function_request_log_is_recognised() -> None:
    line = json.dumps(
        {
            "severity": "INFO",
            "message": "PATCH /meeting_sessions/m1 200",
            "httpRequest": {
                "requestMethod": "PATCH",
                "requestUrl": "/meeting_sessions/m1",
                "status": 200,
                "latency": "0.012000s",
            },
        }
    )
    assert parse_line(line) == HttpLine("PATCH", "/meeting_sessions/m1", 200, "0.012000s")


@pytest.mark.parametrize(
    "line",
    [
        "Traceback (most recent call last):",
        "{not json",
        '{"severity": "INFO", "message": "a log line without boiler payload"}',
        '{"dispatch": "invocation"}',
        "[1, 2]",
    ],
)
def test_anything_else_is_text(line: str) -> None:
    assert parse_line(line) == Text(line)


def test_invocation_carries_the_cost_attached_to_it() -> None:
    invocation = Invocation("f", "users/u1", "e1", 1.0, True)
    assert invocation.with_cost({"reads": 2}).cost == {"reads": 2}
    assert invocation.with_cost({"reads": 2}) == invocation  # cost is not part of equality


def test_tracebacks_round_trip_inside_their_records() -> None:
    trace = "Traceback (most recent call last):\n  File \"hooks.py\", line 3\nKeyError: 'x'"
    invocation = Invocation("f", "users/u1", "e1", 1.0, False, "KeyError: 'x'", trace)
    failed = Failed("KeyError: 'x'", ("hooks.py", 3, 1), trace)
    for record in (invocation, failed):
        line = encode(record)
        assert "\n" not in line
        parsed = parse_line(line)
        assert isinstance(parsed, Invocation | Failed)
        assert parsed.traceback == trace
