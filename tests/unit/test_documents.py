"""Store-neutral documents: update times as integers of nanoseconds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.protobuf.timestamp_pb2 import Timestamp

from boiler_core.documents import Doc, update_time_ns


def test_update_times_from_timestamps_and_datetimes_agree_to_the_nanosecond() -> None:
    stamp = Timestamp(seconds=1_790_000_000, nanos=123_456_789)
    precise = DatetimeWithNanoseconds.from_timestamp_pb(stamp)  # type: ignore[no-untyped-call]
    assert update_time_ns(stamp) == 1_790_000_000_123_456_789
    assert update_time_ns(precise) == 1_790_000_000_123_456_789
    micro = datetime(2026, 11, 26, 8, 0, 0, 250_000, tzinfo=UTC)
    assert update_time_ns(micro) == int(micro.timestamp()) * 1_000_000_000 + 250_000_000
    assert update_time_ns(micro.replace(tzinfo=None)) == update_time_ns(micro)  # naive: UTC
    assert update_time_ns(None) is None
    with pytest.raises(TypeError, match="not an update time"):
        update_time_ns("2026-11-26")


def test_documents_equal_by_path_and_data_whatever_their_update_times() -> None:
    assert Doc("a/1", {"x": 1}, 5) == Doc("a/1", {"x": 1}, 9) == Doc("a/1", {"x": 1})
