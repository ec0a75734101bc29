"""Latency: a domain write until every copy of the view shows it, seen by ``on_snapshot``.

The writer flips ``tickets/tj_t.attendance`` (a participant leaving the room, and back) and waits,
with a deadline, until listeners on the master view document and every per-user copy have all
received the matching ``numHearingAidRequested`` (2 when Tijuana attends, 1 when not); the latency
of one event is the last of those callbacks minus the time just before the write. Events are
sequential. A warm-up series (not reported) lets the emulator's JIT settle first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from google.cloud.firestore import Client

WATCHED = (
    "meeting_sessions/meeting_1",
    "users/tijuana/meeting_sessions/meeting_1",
    "users/thomasina/meeting_sessions/meeting_1",
    "users/joshua/meeting_sessions/meeting_1",
)
EVENT_TIMEOUT = 10.0


@dataclass
class LatencyResult:
    """Latencies in milliseconds of the events that completed, and how many timed out."""

    ms: list[float] = field(default_factory=list)
    timeouts: int = 0
    function_ms: list[float] = field(default_factory=list)
    """How long the trigger function ran, per measured event (boiler and the hand-written
    baseline report it; empty for flask-boiler)."""


class Watchers:
    """``on_snapshot`` listeners keeping the latest ``numHearingAidRequested`` of each path and
    when it arrived."""

    def __init__(self, db: Client, paths: Sequence[str], field_name: str) -> None:
        self._changed = threading.Condition()
        self.seen: dict[str, tuple[object, float]] = {}
        self.field_name = field_name
        self._watches = [db.document(p).on_snapshot(self._callback(p)) for p in paths]
        self.paths = tuple(paths)

    def _callback(self, path: str):  # type: ignore[no-untyped-def]
        def on_snapshot(snapshots, changes, read_time):  # type: ignore[no-untyped-def]
            now = time.perf_counter()
            for snapshot in snapshots:
                value = (snapshot.to_dict() or {}).get(self.field_name)
                with self._changed:
                    self.seen[path] = (value, now)
                    self._changed.notify_all()

        return on_snapshot

    def wait_all(self, expected: object, since: float, timeout: float) -> float | None:
        """Seconds from ``since`` until every path showed ``expected`` (None on timeout)."""

        def done() -> bool:
            return all(
                self.seen.get(p, (None, 0.0))[0] == expected and self.seen[p][1] >= since
                for p in self.paths
            )

        with self._changed:
            if not self._changed.wait_for(done, timeout):
                return None
            return max(self.seen[p][1] for p in self.paths) - since

    def close(self) -> None:
        for watch in self._watches:
            watch.unsubscribe()


def flip_attendance(
    db: Client,
    paths: Sequence[str],
    *,
    events: int,
    warmup: int,
    field_name: str = "numHearingAidRequested",
) -> LatencyResult:
    """Flip tj_t's attendance ``warmup + events`` times; the latencies of the last ``events``."""
    watchers = Watchers(db, paths, field_name)
    result = LatencyResult()
    ticket = db.document("tickets/tj_t")
    try:
        attending = True
        watchers.wait_all(2, 0.0, EVENT_TIMEOUT)
        for index in range(warmup + events):
            attending = not attending
            started = time.perf_counter()
            ticket.update({"attendance": attending})
            took = watchers.wait_all(2 if attending else 1, started, EVENT_TIMEOUT)
            if index < warmup:
                continue
            if took is None:
                result.timeouts += 1
            else:
                result.ms.append(took * 1000.0)
        if not attending:
            ticket.update({"attendance": True})
            watchers.wait_all(2, time.perf_counter(), EVENT_TIMEOUT)
    finally:
        watchers.close()
    return result


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) by nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))
    return ordered[rank]
