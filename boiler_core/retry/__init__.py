"""No silent loss: unfinished events retried with Firebase's own parts, dead ones reported.

* :mod:`.names`: the names of the generated functions and of the records' collection;
* :mod:`.task`: what a retry carries (the change as its event carried it, the views to redo);
* :mod:`.values`: document values as JSON any parser keeps as they are;
* :mod:`.policy`: Cloud Tasks' backoff and the last attempt;
* :mod:`.queue`: handing a task to the generated retry function (firebase-admin);
* :mod:`.pending`: events recorded for the scheduled backstop (``_boiler_pending``);
* :mod:`.retrier`: what the generated trigger, retry and backstop functions do;
* :mod:`.lines`: their Cloud Logging lines;
* :mod:`.injection`: the test-only switch that fails chosen attempts (emulators only).

docs/operations.md says what to watch; docs/internals/consistency.md ("Retries") why a retry
of the unfinished views is exact.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from boiler_core.retry.names import BACKSTOP_FUNCTION, PENDING_COLLECTION, RETRY_FUNCTION
    from boiler_core.retry.pending import PendingEvents
    from boiler_core.retry.queue import CloudTasksQueue, RetryQueue
    from boiler_core.retry.retrier import BackstopReport, Retrier
    from boiler_core.retry.task import RetryTask

_WHERE = {
    "BACKSTOP_FUNCTION": "names",
    "PENDING_COLLECTION": "names",
    "RETRY_FUNCTION": "names",
    "BackstopReport": "retrier",
    "CloudTasksQueue": "queue",
    "PendingEvents": "pending",
    "Retrier": "retrier",
    "RetryQueue": "queue",
    "RetryTask": "task",
}

__all__ = [
    "BACKSTOP_FUNCTION",
    "PENDING_COLLECTION",
    "RETRY_FUNCTION",
    "BackstopReport",
    "CloudTasksQueue",
    "PendingEvents",
    "Retrier",
    "RetryQueue",
    "RetryTask",
]


def __getattr__(name: str) -> Any:
    """Each name imported on first use: ``boiler generate`` needs only :mod:`.names`, and
    loads no Firestore or firebase-admin client."""
    if name in _WHERE:
        return getattr(import_module(f"boiler_core.retry.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'boiler_core.retry' has no attribute {name!r}")
