"""A real-time listener on one view document, as a front end would hold it, with arrival times.

:class:`ViewListener` subscribes with google-cloud-firestore's ``on_snapshot`` (the same Watch
protocol the web SDK's ``onSnapshot`` uses) and queues every snapshot it receives with the
``time.perf_counter()`` of its arrival, so the caller can measure write-to-update latency and wait
for the update it expects, event-driven, with a deadline.
"""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class ViewUpdate:
    """One snapshot of the watched document, as the listener received it."""

    data: dict[str, Any] | None
    """The document's fields; None when it does not exist."""

    update_time: datetime | None
    """Server time of the write the snapshot shows (None when the document does not exist)."""

    received: float
    """``time.perf_counter()`` when the listener's callback ran."""


class ViewListener:
    """``on_snapshot`` on ``document`` (a ``DocumentReference``); a context manager that
    unsubscribes. The first update is the document's state when the subscription started."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self._updates: queue.Queue[ViewUpdate] = queue.Queue()
        self._watch: Any = None
        self.last: ViewUpdate | None = None
        """The latest update handed out by :meth:`next`."""

    def start(self, timeout: float = 30.0) -> ViewUpdate:
        """Subscribe and return the initial snapshot (raise TimeoutError without one)."""
        self._watch = self.document.on_snapshot(self._on_snapshot)
        first = self.next(timeout)
        if first is None:
            raise TimeoutError(f"no initial snapshot of {self.document.path} within {timeout:g} s")
        return first

    def next(self, timeout: float) -> ViewUpdate | None:
        """The next update, waiting up to ``timeout`` seconds; None when none came."""
        try:
            update = self._updates.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None
        self.last = update
        return update

    def stop(self) -> None:
        """Unsubscribe (idempotent)."""
        if self._watch is not None:
            self._watch.unsubscribe()
            self._watch = None

    def _on_snapshot(self, snapshots: list[Any], changes: Any, read_time: Any) -> None:
        received = time.perf_counter()
        if not snapshots:  # a document watch reports a missing document as no snapshot at all
            self._updates.put(ViewUpdate(data=None, update_time=None, received=received))
        for snapshot in snapshots:
            exists = bool(snapshot.exists)
            self._updates.put(
                ViewUpdate(
                    data=snapshot.to_dict() if exists else None,
                    update_time=snapshot.update_time if exists else None,
                    received=received,
                )
            )

    def __enter__(self) -> ViewListener:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
