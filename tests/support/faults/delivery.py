"""Delivering changes the way Firestore triggers may: duplicated, reordered, concurrent, failing.

:class:`DeliveryRun` consumes a stream of domain writes as they are made (:func:`write_change`
applies one and returns its :class:`~boiler_core.engine.change.Change` from the real before and
after) and hands every change to a handler, usually ``Engine.handle``:

* each event is delivered 1 to ``max_copies`` times;
* deliveries are shuffled within windows of ``window`` writes, and each copy may be held back up to
  ``max_lag`` windows, so events also overtake each other across windows;
* ``workers`` threads run them concurrently while later writes are still being made;
* ``spread_copies`` sends the duplicates of an event in later windows than its first copy (on
  the emulator, whose lock waits last 2 s, concurrent duplicates mostly measure that timeout);
  ``in_flight`` bounds the deliveries queued or running at once;
* each delivery runs inside ``invocation(key)`` (e.g. :meth:`FaultyStore.invocation`), so faults
  can be injected into it; a delivery that raises is recorded as failed, as a Python Firestore
  trigger's event would be lost.

The order, copies and lags come from ``random.Random(seed)``: with one worker a run is replayed
exactly. :meth:`DeliveryRun.redeliver_lost` models a platform that retries as boiler's retry
function does: it delivers every event some view of which no delivery finished again, asking for
exactly those views (``handle(change, views=...)``), until each is done. A delivery that raises
:class:`~boiler_core.errors.Unfinished` finished the views it was given but those the error
names; one that raises anything else finished none.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol

from boiler_core.engine.change import Change
from boiler_core.errors import Unfinished

Invocation = Callable[[str], AbstractContextManager[None]]
"""Context for one delivery, given its key (``e12.1``: event 12, copy 1)."""

ALL: frozenset[str] = frozenset({"*"})
"""What is owed of an event no delivery finished any view of: every view it feeds."""


class Handle(Protocol):
    """What :class:`DeliveryRun` delivers to, usually ``Engine.handle``."""

    def __call__(self, change: Change, *, views: Collection[str] | None = None) -> object:
        """Bring the views fed by ``change`` (or only ``views``) up to date; raise
        :class:`~boiler_core.errors.Unfinished` naming those it could not."""
        ...


@dataclass(frozen=True)
class Delivery:
    """One delivery of one event."""

    event: int
    """Index of the write in the stream."""

    change: Change
    copy: str
    """``0``, ``1``, ... for the planned copies; ``r1``, ``r2``, ... for redeliveries."""

    views: frozenset[str] | None = None
    """The views to bring up to date; None: every view the change feeds."""

    @property
    def key(self) -> str:
        """``e{event}.{copy}``: names the invocation (and seeds its faults)."""
        return f"e{self.event}.{self.copy}"


@dataclass
class RunReport:
    """What a :class:`DeliveryRun` did."""

    writes: int = 0
    deliveries: int = 0
    failed: int = 0
    """Deliveries whose handler raised."""
    redelivered: int = 0
    redelivered_views: int = 0
    """Views asked for by redeliveries (each redelivery asks for the views still owed)."""
    errors: Counter[str] = field(default_factory=Counter)
    """Failed deliveries by exception type (the first view's, when the engine raised
    :class:`~boiler_core.errors.Unfinished`)."""
    seconds: float = 0.0

    def summary(self) -> str:
        """One line of figures."""
        errors = ", ".join(f"{n} {name}" for name, n in sorted(self.errors.items())) or "none"
        return (
            f"{self.writes} writes, {self.deliveries} deliveries ({self.redelivered} "
            f"redeliveries of {self.redelivered_views} views), {self.failed} failed ({errors}), "
            f"{self.seconds:.1f} s"
        )


class DeliveryRun:
    """Delivers changes to ``handle`` as described in the module docstring."""

    def __init__(
        self,
        handle: Handle,
        *,
        seed: int,
        workers: int = 4,
        window: int = 16,
        max_copies: int = 3,
        max_lag: int = 2,
        spread_copies: bool = False,
        in_flight: int | None = None,
        invocation: Invocation | None = None,
    ) -> None:
        if workers < 1 or window < 1 or max_copies < 1 or max_lag < 0:
            raise ValueError("workers, window and max_copies must be >= 1 and max_lag >= 0")
        self.handle = handle
        self.rng = random.Random(seed)
        self.workers = workers
        self.window = window
        self.max_copies = max_copies
        self.max_lag = max_lag
        self.spread_copies = spread_copies
        self.in_flight = in_flight or workers * 4
        self.invocation: Invocation = invocation or (lambda key: nullcontext())
        self.report = RunReport()
        self._lock = threading.Lock()
        self._owed: dict[int, frozenset[str]] = {}
        """Per event, the views no delivery finished yet (:data:`ALL`: none was)."""
        self._changes: dict[int, Change] = {}

    @property
    def lost(self) -> list[int]:
        """Events some view of which no delivery finished (those views wait for a retry, or
        verify --repair)."""
        with self._lock:
            return sorted(event for event, views in self._owed.items() if views)

    def owed(self, event: int) -> frozenset[str] | None:
        """The views of ``event`` no delivery finished yet: empty when done, None when no
        delivery finished any (every view it feeds)."""
        with self._lock:
            views = self._owed[event]
        return None if views == ALL else views

    def run(self, changes: Iterable[Change]) -> RunReport:
        """Deliver the changes of ``changes`` (pulled lazily: the writes happen in this thread,
        while workers handle earlier ones); return once every delivery has finished."""
        started = time.perf_counter()
        due: dict[int, list[Delivery]] = defaultdict(list)
        with ThreadPoolExecutor(self.workers, thread_name_prefix="delivery") as pool:
            in_flight = threading.BoundedSemaphore(self.in_flight)
            futures: list[Future[None]] = []
            current = 0
            for event, change in enumerate(changes):
                with self._lock:
                    self._changes[event] = change
                    self._owed[event] = ALL
                    self.report.writes += 1
                for copy in range(self.rng.randint(1, self.max_copies)):
                    later = int(self.spread_copies and copy > 0)
                    lag = self.rng.randint(later, self.max_lag + later)
                    due[current + lag].append(Delivery(event, change, str(copy)))
                if (event + 1) % self.window == 0:
                    futures += self._submit(pool, due.pop(current, []), in_flight)
                    current += 1
            for window in sorted(due):
                futures += self._submit(pool, due[window], in_flight)
            wait(futures)
        self.report.seconds += time.perf_counter() - started
        return self.report

    def redeliver_lost(self, *, rounds: int = 50) -> RunReport:
        """Deliver every lost event again (shuffled, concurrently), asking for the views still
        owed only, until each is done, at most ``rounds`` times; the events still lost are in
        :attr:`lost`."""
        started = time.perf_counter()
        with ThreadPoolExecutor(self.workers, thread_name_prefix="redelivery") as pool:
            in_flight = threading.BoundedSemaphore(self.in_flight)
            for attempt in range(1, rounds + 1):
                lost = self.lost
                if not lost:
                    break
                batch = [Delivery(e, self._changes[e], f"r{attempt}", self.owed(e)) for e in lost]
                with self._lock:
                    self.report.redelivered += len(batch)
                    self.report.redelivered_views += sum(
                        len(d.views) for d in batch if d.views is not None
                    )
                wait(self._submit(pool, batch, in_flight))
        self.report.seconds += time.perf_counter() - started
        return self.report

    def _submit(
        self,
        pool: ThreadPoolExecutor,
        batch: list[Delivery],
        in_flight: threading.BoundedSemaphore,
    ) -> list[Future[None]]:
        self.rng.shuffle(batch)
        futures = []
        for delivery in batch:
            in_flight.acquire()  # back-pressure: writes keep pace with the handling
            future = pool.submit(self._deliver, delivery)
            future.add_done_callback(lambda _: in_flight.release())
            futures.append(future)
        return futures

    def _deliver(self, delivery: Delivery) -> None:
        asked = delivery.views
        try:
            with self.invocation(delivery.key):
                if asked is None:
                    self.handle(delivery.change)
                else:
                    self.handle(delivery.change, views=asked)
        except Exception as exc:
            cause = exc.__cause__ if isinstance(exc, Unfinished) and exc.__cause__ else exc
            with self._lock:
                self.report.deliveries += 1
                self.report.failed += 1
                self.report.errors[type(cause).__name__] += 1
                if isinstance(exc, Unfinished):
                    self._finished(delivery.event, asked, frozenset(exc.views))
            return
        with self._lock:
            self.report.deliveries += 1
            self._finished(delivery.event, asked, frozenset())

    def _finished(self, event: int, asked: frozenset[str] | None, left: frozenset[str]) -> None:
        """Record that a delivery of ``event`` asked for ``asked`` (None: all) and left ``left``
        unfinished; call with the lock held."""
        owed = self._owed[event]
        if asked is None:  # it handled every view but those it left
            self._owed[event] = left if owed == ALL else owed & left
        elif owed != ALL:
            self._owed[event] = owed - (asked - left)


class LogTally:
    """A log sink for :class:`~boiler_core.engine.engine.Engine` that adds up its cost lines
    instead of printing them: entries, errors, reads, writes, deletes, skipped writes, retries,
    refreshes, chunks that waited for a root (per-root locks), and contention
    give-ups."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.totals: Counter[str] = Counter()
        self.gave_up: list[dict[str, Any]] = []
        """The ``gave_up`` records of invocations that gave up on contention."""

    def __call__(self, entry: Mapping[str, Any]) -> None:
        payload = entry.get("boiler", {})
        with self._lock:
            self.totals["entries"] += 1
            self.totals["errors"] += entry.get("severity") == "ERROR"
            for name in (
                "reads",
                "writes",
                "deletes",
                "skipped",
                "retries",
                "refreshed",
                "waited",
            ):
                self.totals[name] += int(payload.get(name, 0))
            if "gave_up" in payload:
                self.gave_up.append(payload["gave_up"])
