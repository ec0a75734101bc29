"""No silent loss: unfinished events retried with Firebase's own parts, dead ones reported.

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

from boiler_core.retry.pending import PENDING_COLLECTION, PendingEvents
from boiler_core.retry.queue import BACKSTOP_FUNCTION, RETRY_FUNCTION, CloudTasksQueue, RetryQueue
from boiler_core.retry.retrier import BackstopReport, Retrier
from boiler_core.retry.task import RetryTask

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
