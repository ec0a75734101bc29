"""Waiting for a condition with a deadline, never for a fixed time.

Deliveries from the emulator are asynchronous, so the local runtime and its tests wait for the
state they expect (a view document, a port that answers) by polling it until a deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class WaitTimeout(TimeoutError):
    """Raised by :func:`wait_for` when the condition is still false at the deadline; the message
    names what was awaited and the last value seen."""


def wait_for(
    predicate: Callable[[], T],
    timeout: float,
    *,
    interval: float = 0.02,
    what: str | None = None,
) -> T:
    """Call ``predicate`` until it returns a truthy value, and return that value.

    Polls every ``interval`` seconds (growing to at most 0.2 s) for up to ``timeout`` seconds,
    then raises :class:`WaitTimeout` with ``what`` (or the predicate's name) and its last result.
    """
    deadline = time.monotonic() + timeout
    pause = interval
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            name = what or getattr(predicate, "__name__", "condition")
            raise WaitTimeout(
                f"timed out after {timeout:g} s waiting for {name}; last value: {value!r}"
            )
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 1.5, 0.2)
