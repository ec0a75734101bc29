"""When a retry task runs again, and which attempt is its last (pure).

Cloud Tasks retries a task that failed after a wait that starts at ``min_backoff_seconds``,
doubles ``max_doublings`` times, then grows by that last step, never beyond
``max_backoff_seconds`` (:func:`backoff_seconds`), until ``max_attempts`` attempts were made.
boiler leaves Cloud Tasks' time limit (``max_retry_seconds``) unset: with attempts alone
deciding, the retry function knows its last attempt from the ``X-CloudTasks-TaskRetryCount``
header (:func:`is_last`), and declares the event dead itself, on one ERROR line, instead of
Cloud Tasks dropping it without a word.
"""

from __future__ import annotations

from boiler_core.manifest.model import RetrySettings

RETRY_COUNT_HEADER = "X-CloudTasks-TaskRetryCount"
"""How many times Cloud Tasks (and its emulator) already retried the task: 0 on the first
attempt."""


def backoff_seconds(settings: RetrySettings, failed_attempts: int) -> float:
    """The wait after the ``failed_attempts``-th failed attempt (1 for the first), as Cloud Tasks
    computes it for ``settings``."""
    return backoff(
        settings.min_backoff_seconds,
        settings.max_backoff_seconds,
        settings.max_doublings,
        failed_attempts,
    )


def backoff(
    min_backoff: float, max_backoff: float, max_doublings: int, failed_attempts: int
) -> float:
    """Cloud Tasks' wait after the ``failed_attempts``-th failed attempt: ``min_backoff``
    doubled up to ``max_doublings`` times, then grown by that last step, at most
    ``max_backoff``."""
    if failed_attempts < 1:
        return 0.0
    step = 2 ** min(failed_attempts - 1, max_doublings) + max(
        0, failed_attempts - max_doublings - 1
    ) * (2**max_doublings)
    return float(min(max_backoff, step * min_backoff))


def total_wait_seconds(settings: RetrySettings) -> float:
    """From the trigger's failure to the last attempt's start, at most: the first delay and
    every wait between attempts (handling time not counted)."""
    waits = sum(backoff_seconds(settings, k) for k in range(1, settings.max_attempts))
    return settings.min_backoff_seconds + waits


def attempt_of(retry_count: str | None) -> int:
    """The task attempt (1 for the first) a request of Cloud Tasks is, from the value of its
    :data:`RETRY_COUNT_HEADER`; 1 when that is missing or not a number (a manual call)."""
    try:
        return max(int(retry_count or "0"), 0) + 1
    except ValueError:
        return 1


def is_last(settings: RetrySettings, attempt: int) -> bool:
    """Whether task attempt ``attempt`` (1-based) is the last Cloud Tasks will make."""
    return attempt >= settings.max_attempts
