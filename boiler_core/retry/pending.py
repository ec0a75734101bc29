"""Events boiler could not finish, recorded in Firestore for the backstop to replay.

A trigger records its event when it cannot hand it to the retry function, and the retry
function records it when its last attempt failed (a dead event). Each record is one document of
:data:`PENDING_COLLECTION`, ``_boiler_pending/{ms}-{digest}``: the millisecond it was recorded
(zero-padded, so document order is time order) and a digest of the task::

    {"document": "tickets/t1", "views": ["meeting_sessions"], "recorded_at": <time>,
     "replays": 0, "payload": "<the retry task's JSON>"}

The backstop lists the oldest first (a listing in document order: no index), replays each, and
deletes it once replayed; a record whose replay fails again is written anew under the current
time (its ``replays`` counted), so it goes to the back of the line instead of blocking the
records behind it. Clients cannot read the collection (the generated rules deny everything they
do not allow), and the payload field is exempt from indexing (firestore.indexes.json).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from boiler_core.documents import Doc
from boiler_core.retry.names import PAYLOAD_FIELD, PENDING_COLLECTION
from boiler_core.retry.task import RetryTask
from boiler_core.store.port import ListingStore, Transaction


@dataclass(frozen=True)
class Pending:
    """A recorded event as listed: its path, its task (None when it cannot be read, ``error``
    says why), and how many replays already failed."""

    path: str
    task: RetryTask | None
    error: Exception | None
    replays: int


class PendingEvents:
    """The recorded events in ``store``; ``clock`` gives the current time (timezone-aware)."""

    def __init__(self, store: ListingStore, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def record(self, task: RetryTask, *, replays: int = 0) -> str:
        """Record ``task``; return the record's path."""
        path, data = self._document(task, replays)

        def write(tx: Transaction) -> None:
            tx.set(path, data)

        self.store.run_transaction(write)
        return path

    def oldest(self, limit: int) -> list[Pending]:
        """Up to ``limit`` records, the oldest first (``limit + 1`` tells whether more wait)."""
        return [_read(doc) for doc in self.store.list_documents(PENDING_COLLECTION, limit=limit)]

    def done(self, path: str) -> None:
        """Delete the record at ``path`` (replayed, or unreadable)."""

        def delete(tx: Transaction) -> None:
            tx.delete(path)

        self.store.run_transaction(delete)

    def again(self, pending: Pending, views: Sequence[str]) -> str:
        """Move a record whose replay left ``views`` unfinished to the back of the line, those
        views only, one more replay counted; return its new path."""
        assert pending.task is not None
        task = replace(pending.task, views=tuple(views))
        path, data = self._document(task, pending.replays + 1)

        def move(tx: Transaction) -> None:
            tx.delete(pending.path)
            tx.set(path, data)

        self.store.run_transaction(move)
        return path

    def _document(self, task: RetryTask, replays: int) -> tuple[str, dict[str, Any]]:
        payload = task.to_json()
        now = self.clock()
        digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
        path = f"{PENDING_COLLECTION}/{int(now.timestamp() * 1000):013d}-{digest}"
        data = {
            "document": task.document,
            "views": list(task.views),
            "recorded_at": now,
            "replays": replays,
            PAYLOAD_FIELD: payload,
        }
        return path, data


def _read(doc: Doc) -> Pending:
    replays = doc.data.get("replays")
    count = replays if isinstance(replays, int) and not isinstance(replays, bool) else 0
    try:
        task = RetryTask.from_data(json.loads(str(doc.data[PAYLOAD_FIELD])))
    except (KeyError, ValueError) as exc:
        return Pending(doc.path, None, exc, count)
    return Pending(doc.path, task, None, count)
