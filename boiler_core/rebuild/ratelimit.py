"""Write-rate limiting that ramps like Firestore's 500/50/5 guidance.

Firestore spreads a collection over more servers as traffic grows; a sudden flood of writes to new
or cold ranges meets errors and latency. The documented ramp (and BulkWriter's default) is: start
at no more than 500 operations per second, then raise the rate by 50% every 5 minutes.
:class:`RampingLimiter` enforces it with virtual scheduling: each call to :meth:`spend` advances a
theoretical finish time by ``ops / rate``, and sleeps when that runs ahead of the clock by more
than ``burst`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

START_RATE = 500.0
"""Operations per second at the start (the "500")."""

GROWTH = 0.5
"""Rate increase per period (the "50%")."""

PERIOD_SECONDS = 300.0
"""Length of a period (the "5 minutes")."""


class RampingLimiter:
    """Keeps the operations spent at or below ``start * (1 + growth) ** periods_elapsed`` per
    second. ``start <= 0`` disables limiting (for the emulator). ``clock`` and ``sleep`` are
    injectable for tests."""

    def __init__(
        self,
        start: float = START_RATE,
        *,
        growth: float = GROWTH,
        period: float = PERIOD_SECONDS,
        burst: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if growth < 0 or period <= 0 or burst < 0:
            raise ValueError("growth and burst must be >= 0 and period > 0")
        self.start = start
        self.growth = growth
        self.period = period
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._started: float | None = None
        self._finish = 0.0
        self.slept = 0.0
        """Seconds spent waiting so far."""

    @property
    def limited(self) -> bool:
        """False when the limiter lets everything through."""
        return self.start > 0

    def rate(self, now: float | None = None) -> float:
        """The allowed operations per second at ``now`` (default: the clock)."""
        if not self.limited:
            return float("inf")
        if self._started is None:
            return self.start
        elapsed = max(0.0, (self._clock() if now is None else now) - self._started)
        return self.start * (1.0 + self.growth) ** int(elapsed // self.period)

    def spend(self, ops: int) -> float:
        """Account for ``ops`` operations just made; sleep as long as the ramp requires, and
        return the seconds slept."""
        if not self.limited or ops <= 0:
            return 0.0
        now = self._clock()
        if self._started is None:
            self._started = now
        self._finish = max(self._finish, now) + ops / self.rate(now)
        wait = self._finish - now - self.burst
        if wait <= 0:
            return 0.0
        self._sleep(wait)
        self.slept += wait
        return wait


def ramp_seconds(
    ops: int, start: float = START_RATE, *, growth: float = GROWTH, period: float = PERIOD_SECONDS
) -> float:
    """Seconds ``ops`` operations take at full speed on the ramp (0 when unlimited)."""
    if start <= 0 or ops <= 0:
        return 0.0
    seconds, left, rate = 0.0, float(ops), start
    while left > rate * period:
        left -= rate * period
        seconds += period
        rate *= 1.0 + growth
    return seconds + left / rate
