"""What a retry carries: document values that survive any JSON parser, the change as its event
carried it, cut down to the fields its views use only when it would not fit, and Cloud Tasks'
backoff."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from datetime import UTC, datetime
from typing import Any

import pytest
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud.firestore import GeoPoint
from google.cloud.firestore_v1.vector import Vector
from hypothesis import given, settings
from hypothesis import strategies as st
from meeting_room.fixture import MEETING_ID, fixture_documents

from boiler_core.documents import Ref
from boiler_core.engine.change import Change
from boiler_core.manifest import Manifest, load_manifest_text
from boiler_core.manifest.model import RetrySettings
from boiler_core.retry import values
from boiler_core.retry.policy import attempt_of, backoff_seconds, is_last, total_wait_seconds
from boiler_core.retry.task import RetryTask, TooLarge, fit, used_fields
from boiler_core.testing import Harness, write

WHEN = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)

SAMPLE: dict[str, Any] = {
    "int": 1,
    "float": 1.0,
    "big": 2**63 - 1,
    "tiny": 5e-324,
    "nan": math.nan,
    "inf": -math.inf,
    "bool": True,
    "none": None,
    "text": 'quotes " and \\ and ü',
    "bytes": b"\x00\x01\xff",
    "ref": Ref("users/ada"),
    "time": DatetimeWithNanoseconds.from_rfc3339("2026-12-07T10:00:00.123456789Z"),
    "naive": datetime(2026, 1, 2, 3, 4, 5, 6),
    "geo": GeoPoint(48.8566, 2.3522),
    "vector": Vector([0.5, 1.0]),
    "list": [1, 1.0, [], {}, [None]],
    "map": {"nested": {"1": "one", "": "empty"}},
}


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types, all the way down; NaN equals NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if type(a) is not type(b) and not (isinstance(a, datetime) and isinstance(b, datetime)):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, datetime):
        if a.tzinfo is None:
            a = a.replace(tzinfo=UTC)
        nanos = (getattr(a, "nanosecond", a.microsecond * 1000), b.nanosecond)
        return bool(a == b) and nanos[0] == nanos[1]
    return bool(a == b)


def test_every_value_kind_comes_back_equal_and_of_its_type() -> None:
    decoded = values.decode(json.loads(json.dumps(values.encode(SAMPLE))))
    assert same(SAMPLE, decoded), decoded
    assert type(decoded["float"]) is float
    assert type(decoded["int"]) is int
    assert decoded["time"].nanosecond == 123456789


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
    st.binary(max_size=5),
    st.builds(Ref, st.sampled_from(["users/a", "a/b/c/d"])),
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(documents)
def test_random_values_round_trip(value: Any) -> None:
    assert same(value, values.decode(json.loads(json.dumps(values.encode(value)))))


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_values_survive_javascripts_json_parse_and_stringify() -> None:
    """The Cloud Tasks emulator parses a task's body and serializes it again in Node: without
    the encoding, 1.0 would come back as 1 and 2**63-1 would lose digits."""
    text = json.dumps(values.encode(SAMPLE))
    script = (
        "let d = '';"
        "process.stdin.on('data', c => d += c)"
        ".on('end', () => process.stdout.write(JSON.stringify(JSON.parse(d))))"
    )
    done = subprocess.run(
        ["node", "-e", script], input=text, capture_output=True, text=True, check=True, timeout=60
    )
    assert same(SAMPLE, values.decode(json.loads(done.stdout)))
    plain = subprocess.run(
        ["node", "-e", script],
        input=json.dumps({"f": 1.0, "i": 2**63 - 1}),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(plain.stdout) != {"f": 1.0, "i": 2**63 - 1}  # what the encoding prevents


def test_a_value_of_an_unknown_type_is_refused_by_name() -> None:
    with pytest.raises(values.Unencodable, match="complex"):
        values.encode({"x": 1j})


@pytest.mark.parametrize(
    "data",
    [{"int": "x"}, {"nope": 1}, {"map": [1]}, {"int": "1", "float": "2"}, 3, {"bytes": "%%"}],
)
def test_malformed_encoded_values_are_a_value_error(data: Any) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (each has its own message)
        values.decode(data)


def ticket_change() -> Change:
    before = {"role": "Participant", "user": Ref("users/tijuana"), "attendance": True}
    after = {**before, "attendance": False, "notes": "x" * 2000}
    return Change("tickets", "tj_t", before, after, event_id="e1", time=WHEN)


def task_of(change: Change, views: tuple[str, ...] = ("meeting_sessions",)) -> RetryTask:
    return RetryTask(change, views, reason="ContentionError: gave up", failed_at=WHEN)


def test_a_task_round_trips_through_json_with_the_whole_change() -> None:
    task = task_of(ticket_change())
    back = RetryTask.from_data(json.loads(task.to_json()))
    assert back == task
    assert back.document == "tickets/tj_t"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"data": 1}, "not a boiler retry task"),
        ({"boiler_retry": 99}, "format 99; this boiler reads format 1"),
        ({"boiler_retry": 1, "views": []}, "malformed"),
        ("text", "not a boiler retry task"),
    ],
)
def test_a_task_boiler_did_not_write_is_refused_with_why(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RetryTask.from_data(data)


def test_a_task_that_fits_travels_whole(manifest: Manifest) -> None:
    task = task_of(ticket_change())
    assert fit(task, manifest) is task


def test_a_task_too_large_is_cut_to_the_fields_its_views_use_and_reads_the_document(
    manifest: Manifest,
) -> None:
    task = task_of(ticket_change())
    cut = fit(task, manifest, limit=1500)
    assert cut.trimmed
    assert used_fields(manifest, "tickets", ("meeting_sessions",)) == {"user", "attendance"}
    assert cut.change.after == {"user": Ref("users/tijuana"), "attendance": False}
    assert len(cut.to_json().encode()) <= 1500
    with pytest.raises(TooLarge, match=r"still \d[\d,]* bytes cut down to the fields"):
        fit(task, manifest, limit=300)


def test_a_task_cannot_be_cut_when_a_hook_reads_every_field() -> None:
    text = """
collections:
  notes: {path: "notes/{note}"}
views:
  cards:
    path: "cards/{note}"
    root: notes
    fields: {n: {hook: "json:dumps"}}
"""
    manifest = load_manifest_text(text)
    change = Change("notes", "n1", None, {"text": "x" * 5000})
    with pytest.raises(TooLarge, match="declares no `reads`"):
        fit(task_of(change, ("cards",)), manifest, limit=1000)


def test_a_cut_task_brings_the_views_to_what_the_whole_change_does(manifest: Manifest) -> None:
    """Exactness of cutting: the engine handles the cut change as it handles the whole one."""
    results = []
    for limit in (None, 1200):
        app = Harness(manifest)
        for path, data in fixture_documents().items():
            app.write(path, data)
        meeting = fixture_documents()[f"meetings/{MEETING_ID}"]
        change = write(
            app.store,
            f"meetings/{MEETING_ID}",
            {**meeting, "status": "closed", "minutes": "m" * 3000},
        )
        views = tuple(v.name for v in manifest.views_fed_by("meetings"))
        task = task_of(change, views)
        if limit is not None:
            task = fit(task, manifest, limit=limit)
            assert task.trimmed
        app.engine.handle(task.change, views=task.views)
        results.append(app.views())
    assert results[0] == results[1]
    assert results[0][f"meeting_sessions/{MEETING_ID}"]["inSession"] is False


DEFAULTS = RetrySettings()


def test_backoff_doubles_then_grows_by_its_last_step_up_to_the_maximum() -> None:
    small = RetrySettings(
        max_attempts=8, min_backoff_seconds=10, max_backoff_seconds=300, max_doublings=3
    )
    assert [backoff_seconds(small, k) for k in range(1, 8)] == [10, 20, 40, 80, 160, 240, 300]
    assert [backoff_seconds(DEFAULTS, k) for k in range(1, 10)] == [
        10,
        20,
        40,
        80,
        160,
        320,
        600,
        600,
        600,
    ]
    assert total_wait_seconds(DEFAULTS) == 10 + 2430  # about 41 minutes


def test_the_attempt_comes_from_cloud_tasks_retry_count_and_the_last_is_known() -> None:
    assert [attempt_of(v) for v in (None, "0", "3", "x", "-2")] == [1, 1, 4, 1, 1]
    assert not is_last(DEFAULTS, DEFAULTS.max_attempts - 1)
    assert is_last(DEFAULTS, DEFAULTS.max_attempts)
