"""A test-only switch that makes the first attempts of chosen events fail, as a retry would see.

``BOILER_TEST_UNFINISHED=PATTERN:N[,PATTERN:N...]`` in the functions' environment makes every
event on a document whose path matches ``PATTERN`` (``fnmatch``: ``tickets/retry-*``) fail its
first ``N`` attempts, before the engine runs, with :class:`~boiler_core.errors.Unfinished`
naming every view it would handle, as a store that cannot be reached would. The trigger's own
invocation is attempt 1 and each retry-task attempt the next one, so ``N`` = 2 fails the trigger
and the first retry, and the second retry brings the views up to date. ``make e2e`` sets it to
show a failed event retried to exact views in Firebase's own emulators.

It is honored only where Firestore is an emulator (``FIRESTORE_EMULATOR_HOST`` set) and the
environment is not a deployed function's (:func:`~boiler_core.deployment.is_deployed`); anywhere
else it is ignored, with one ERROR line.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from boiler_core.deployment import is_deployed
from boiler_core.engine.change import Change
from boiler_core.errors import StoreError, Unfinished

VARIABLE = "BOILER_TEST_UNFINISHED"
"""The environment variable of the switch."""


@dataclass(frozen=True)
class InjectedUnfinished:
    """The parsed switch: ``(pattern, attempts)`` rules."""

    rules: tuple[tuple[str, int], ...]

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str], log: Callable[[dict[str, Any]], None]
    ) -> InjectedUnfinished | None:
        """The switch of ``environ``; None when unset, malformed or not allowed there (both
        logged at ERROR)."""
        text = environ.get(VARIABLE, "").strip()
        if not text:
            return None
        if is_deployed(environ) or not environ.get("FIRESTORE_EMULATOR_HOST"):
            log(_ignored(f"{VARIABLE} is set outside the emulators; ignored"))
            return None
        rules = []
        for part in text.split(","):
            pattern, _, count = part.strip().rpartition(":")
            if not pattern or not count.isdigit():
                log(_ignored(f"{VARIABLE}={text!r} is not PATTERN:N[,PATTERN:N...]; ignored"))
                return None
            rules.append((pattern, int(count)))
        return cls(tuple(rules))

    def check(self, change: Change, views: Sequence[str], attempt: int) -> None:
        """Raise :class:`~boiler_core.errors.Unfinished` for ``views`` when attempt ``attempt``
        (1: the trigger's invocation) of ``change`` is one the switch fails."""
        for pattern, attempts in self.rules:
            if fnmatch.fnmatchcase(change.path, pattern) and attempt <= attempts and views:
                error = StoreError(
                    f"{VARIABLE} fails attempt {attempt} of {attempts} on {change.path}"
                )
                raise Unfinished(
                    f"{change.path}: views {', '.join(views)} not brought up to date: "
                    f"StoreError: {error}",
                    views=tuple(views),
                    errors=dict.fromkeys(views, error),
                ) from error


def _ignored(message: str) -> dict[str, Any]:
    return {
        "severity": "ERROR",
        "message": f"boiler: {message}",
        "boiler": {"test_switch": VARIABLE},
    }
