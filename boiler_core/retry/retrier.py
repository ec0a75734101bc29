"""No silent loss: what the generated trigger, retry and backstop functions do around the engine.

* :meth:`Retrier.on_event` (each Firestore trigger): handle the change; when the engine leaves
  views unfinished (:class:`~boiler_core.errors.Unfinished`: contention, the database), hand
  exactly those views, with the change as the event carried it, to the retry function
  (:class:`~boiler_core.retry.queue.RetryQueue`) and return: the invocation has done its part.
  When that hand-over fails, record the event for the backstop if possible, log one ERROR line
  saying which, and raise :class:`~boiler_core.errors.NotQueued`.
* :meth:`Retrier.on_task` (the retry function, one Cloud Tasks attempt): redo the task's views;
  raise while attempts remain, so Cloud Tasks retries after its backoff; on the last attempt,
  declare the event dead: one ERROR line (document, views, reason, repair command), and a
  record for the backstop.
* :meth:`Retrier.backstop` (the scheduled function): replay the oldest recorded events, delete
  each one replayed, move each one that failed again to the back of the line; then verify and
  repair the next slice of every view (:class:`~boiler_core.rebuild.sweep.Sweep`), for the
  events lost where no boiler code ran: one WARNING line per divergence repaired.

A root that cannot be computed or stored fails alone inside the engine and is not retried: it
would fail the same way until its data or its hook changes (docs/internals/consistency.md,
"Isolation"). Every other error of the engine counts as leaving the views it was given
unfinished. The log lines are :mod:`.lines`'.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from boiler_core.engine.change import Change
from boiler_core.engine.failures import reason as one_line
from boiler_core.errors import NotQueued, Unfinished
from boiler_core.manifest.model import Manifest, RetrySettings
from boiler_core.rebuild.sweep import SweepReport
from boiler_core.retry import lines
from boiler_core.retry.injection import InjectedUnfinished
from boiler_core.retry.pending import Pending, PendingEvents
from boiler_core.retry.policy import is_last
from boiler_core.retry.queue import RetryQueue
from boiler_core.retry.task import RetryTask, TooLarge, fit

LogSink = Callable[[dict[str, Any]], None]


class Handler(Protocol):
    """The part of :class:`~boiler_core.engine.engine.Engine` retries use."""

    def handle(self, change: Change, *, views: Collection[str] | None = None) -> object:
        """Bring ``views`` (None: every view) fed by ``change`` up to date; raise
        :class:`~boiler_core.errors.Unfinished` naming those it could not."""
        ...


@dataclass(frozen=True)
class BackstopReport:
    """What one :meth:`Retrier.backstop` run did."""

    listed: int
    replayed: int
    unfinished: int
    unreadable: int
    more: bool
    """Whether more recorded events wait than the run's limit took."""
    swept: SweepReport | None = None
    """What the verification did (None: it is off)."""


class Sweeper(Protocol):
    """The part of :class:`~boiler_core.rebuild.sweep.Sweep` the backstop uses."""

    timer: Callable[[], float]

    def run(self, started: float) -> SweepReport:
        """Verify and repair the next slice of every view; stop starting new work at the time
        limit counted from ``started`` (a :attr:`timer` reading)."""
        ...


def utc_now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


class Retrier:
    """Retries for ``manifest``'s views around ``engine``.

    ``queue`` is None when retries are off (``project.retry: false``), ``pending`` when the
    backstop is (``project.backstop: false``: nothing is recorded), ``sweep`` when the backstop
    verifies nothing (``verify_roots: 0``). ``inject`` is the test-only switch of
    :mod:`.injection`.
    """

    def __init__(
        self,
        manifest: Manifest,
        engine: Handler,
        *,
        queue: RetryQueue | None,
        pending: PendingEvents | None,
        log: LogSink,
        clock: Callable[[], datetime] = utc_now,
        inject: InjectedUnfinished | None = None,
        sweep: Sweeper | None = None,
    ) -> None:
        self.manifest = manifest
        self.engine = engine
        self.queue = queue
        self.pending = pending
        self.settings = manifest.project.retry or RetrySettings()
        self._log = log
        self._clock = clock
        self._inject = inject
        self.sweep = sweep

    # -- the trigger -----------------------------------------------------------------------------

    def on_event(self, change: Change) -> None:
        """Handle a trigger's ``change``; hand what it leaves unfinished to the retry function
        (module docstring). Raises :class:`NotQueued` when that fails, or the engine's error
        when retries are off."""
        fed = tuple(view.name for view in self.manifest.views_fed_by(change.collection))
        try:
            if self._inject is not None:
                self._inject.check(change, fed, 1)
            self.engine.handle(change)
        except Unfinished as exc:
            self._hand_over(change, exc.views, exc)
        except Exception as exc:  # outside any view: count every view the change feeds
            self._hand_over(change, fed, exc)

    def _hand_over(self, change: Change, views: Sequence[str], error: Exception) -> None:
        task = RetryTask(
            change, tuple(views), reason=_cause(error), failed_at=self._clock().astimezone(UTC)
        )
        if self.queue is None:
            recorded, not_recorded = self._record(task)
            cause = NotQueued("retries are off (project.retry: false)")
            self._log(lines.not_queued(task, cause, recorded=recorded, not_recorded=not_recorded))
            raise error
        try:
            task = fit(task, self.manifest)
        except TooLarge as exc:
            refused = NotQueued(str(exc))
            self._log(
                lines.not_queued(task, refused, recorded=None, not_recorded="too large as well")
            )
            raise refused from error
        delay = self.settings.min_backoff_seconds
        try:
            task_id = self.queue.enqueue(task.to_data(), delay_seconds=delay)
        except NotQueued as exc:
            recorded, not_recorded = self._record(task)
            self._log(lines.not_queued(task, exc, recorded=recorded, not_recorded=not_recorded))
            raise
        self._log(lines.queued(task, task_id, delay, self.settings.max_attempts))

    # -- the retry function ----------------------------------------------------------------------

    def on_task(self, data: Any, attempt: int) -> None:
        """Run attempt ``attempt`` (1 for the first) of the retry task ``data``; raise while the
        views stay unfinished and attempts remain (Cloud Tasks then retries it)."""
        try:
            task = RetryTask.from_data(data)
        except ValueError as exc:
            self._log(lines.unreadable("a retry task", exc))
            return
        views = self._known(task.views)
        try:
            if self._inject is not None:
                self._inject.check(task.change, views, attempt + 1)
            if views:
                self.engine.handle(task.change, views=views)
        except Exception as exc:
            left = exc.views if isinstance(exc, Unfinished) else views
            if not is_last(self.settings, attempt):
                attempts = self.settings.max_attempts
                self._log(lines.attempt_failed(task, left, _cause(exc), attempt, attempts))
                raise
            dead = replace(task, views=tuple(left))
            recorded, not_recorded = self._record(dead)
            why = _cause(exc)
            self._log(
                lines.dead(
                    dead, left, why, attempts=attempt, recorded=recorded, not_recorded=not_recorded
                )
            )
            return
        self._log(lines.attempt_done(task, attempt, self.settings.max_attempts))

    # -- the backstop ----------------------------------------------------------------------------

    def backstop(self, limit: int) -> BackstopReport:
        """Replay up to ``limit`` recorded events, the oldest first, then verify the next slice
        of every view (with a sweep); log a line per divergence repaired and per root that
        failed, and one summary line."""
        started = self.sweep.timer() if self.sweep is not None else 0.0
        if self.pending is None:
            return self._summary(BackstopReport(0, 0, 0, 0, more=False), started)
        listed = self.pending.oldest(limit + 1)
        more, listed = len(listed) > limit, listed[:limit]
        replayed = unfinished = unreadable = 0
        for pending in listed:
            if pending.task is None:
                self._log(lines.unreadable(pending.path, pending.error or ValueError("?")))
                self.pending.done(pending.path)
                unreadable += 1
            elif self._replay(pending, pending.task):
                replayed += 1
            else:
                unfinished += 1
        report = BackstopReport(len(listed), replayed, unfinished, unreadable, more)
        return self._summary(report, started)

    def _summary(self, report: BackstopReport, started: float) -> BackstopReport:
        """Run the sweep (when there is one) after the replays of ``report``; log its lines and
        the summary line."""
        swept = self.sweep.run(started) if self.sweep is not None else None
        for view in swept.views if swept is not None else ():
            for divergence in view.repaired:
                self._log(lines.repaired(view.view, divergence))
            for failure in view.failed:
                self._log(lines.failed_root(view.view, failure))
        done = replace(report, swept=swept)
        self._log(
            lines.backstop_run(
                done.listed, done.replayed, done.unfinished, done.unreadable, done.more, swept
            )
        )
        return done

    def _replay(self, pending: Pending, task: RetryTask) -> bool:
        assert self.pending is not None
        views = self._known(task.views)
        try:
            if views:
                self.engine.handle(task.change, views=views)
        except Exception as exc:
            left = exc.views if isinstance(exc, Unfinished) else views
            moved = self.pending.again(pending, left)
            why = _cause(exc)
            replays = pending.replays + 1
            self._log(lines.dead(task, left, why, attempts=replays, recorded=moved, replays=True))
            return False
        self.pending.done(pending.path)
        return True

    # -- helpers ---------------------------------------------------------------------------------

    def _known(self, views: Sequence[str]) -> tuple[str, ...]:
        """The views of ``views`` the manifest still defines (a deploy may have removed one
        since the event failed: nothing is left to bring up to date for it)."""
        return tuple(name for name in views if name in self.manifest.views)

    def _record(self, task: RetryTask) -> tuple[str | None, str | None]:
        """Record ``task`` for the backstop: (its path, None), or (None, why not)."""
        if self.pending is None:
            return None, "the backstop is off (project.backstop: false)"
        try:
            return self.pending.record(task), None
        except Exception as exc:  # the database may be what failed the event in the first place
            return None, one_line(exc)


def _cause(error: BaseException) -> str:
    """What an error left unfinished came from, on one line: the engine's first view error
    (``Unfinished``'s cause), else the error itself."""
    cause = error.__cause__ if isinstance(error, Unfinished) and error.__cause__ else error
    return one_line(cause)
