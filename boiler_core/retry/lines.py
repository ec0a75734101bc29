"""The Cloud Logging lines of retries, dead events and the backstop (pure).

Every line is structured JSON like the engine's cost lines: ``severity``, a one-line
``message``, and a ``boiler`` payload holding the event's ``collection``, ``doc`` and
``event_id`` plus one key naming what happened, which a log query or a log-based metric filters
on (docs/operations.md, "What to watch"):

=================  ========  ==========================================================
key                severity  what happened
=================  ========  ==========================================================
``retry``          INFO      a trigger handed its unfinished views to the retry function
``retry_attempt``  INFO      a retry attempt brought the views up to date
``retry_attempt``  WARNING   a retry attempt failed; Cloud Tasks runs the next one
``dead_event``     ERROR     the last attempt failed: the views stay stale
``not_queued``     ERROR     the trigger could not hand the event over
``backstop``       INFO      what one run of the backstop replayed and verified
                             (WARNING: some still unfinished, one ERROR ``dead_event``
                             line each, or divergences repaired, or roots failed)
``repaired``       WARNING   the backstop's verification found a view document an event
                             lost had left wrong, and repaired it
``failed_root``    ERROR     a root the verification met cannot be computed or stored
=================  ========  ==========================================================

The verification's lines carry no event (none is known): ``repaired`` and ``failed_root`` name
the view and the document instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from boiler_core.engine.failures import reason as one_line
from boiler_core.rebuild.sweep import SweepReport, ViewSweep
from boiler_core.rebuild.verify import Divergence
from boiler_core.retry.task import RetryTask


def repair_command(views: Sequence[str]) -> str:
    """The command that repairs ``views`` by hand."""
    return "boiler verify --repair " + " ".join(views)


def _where(task: RetryTask) -> dict[str, Any]:
    change = task.change
    return {"collection": change.collection, "doc": change.doc_id, "event_id": change.event_id}


def _views(views: Sequence[str]) -> str:
    return ("view " if len(views) == 1 else "views ") + ", ".join(views)


def queued(task: RetryTask, task_id: str, delay_seconds: int, attempts: int) -> dict[str, Any]:
    """A trigger handed ``task`` to the retry function (as Cloud Tasks task ``task_id``)."""
    message = (
        f"boiler {task.document}: {_views(task.views)} left unfinished ({task.reason}); "
        f"handed to the retry function: up to {attempts} attempts, the first in "
        f"{delay_seconds} s"
        + (" (documents cut to the fields the views use)" if task.trimmed else "")
    )
    record = {
        "document": task.document,
        "views": list(task.views),
        "reason": task.reason,
        "task": task_id,
        "attempts": attempts,
        "trimmed": task.trimmed,
    }
    return {"severity": "INFO", "message": message, "boiler": {**_where(task), "retry": record}}


def attempt_done(task: RetryTask, attempt: int, attempts: int) -> dict[str, Any]:
    """Retry attempt ``attempt`` of ``attempts`` brought the task's views up to date."""
    message = (
        f"boiler {task.document}: retry attempt {attempt} of {attempts} brought "
        f"{_views(task.views)} up to date"
    )
    record = {"document": task.document, "views": list(task.views), "attempt": attempt}
    record |= {"of": attempts, "outcome": "done"}
    return {
        "severity": "INFO",
        "message": message,
        "boiler": {**_where(task), "retry_attempt": record},
    }


def attempt_failed(
    task: RetryTask, views: Sequence[str], why: str, attempt: int, attempts: int
) -> dict[str, Any]:
    """Retry attempt ``attempt`` left ``views`` unfinished (``why``, one line); Cloud Tasks
    makes the next one."""
    message = (
        f"boiler {task.document}: retry attempt {attempt} of {attempts} left "
        f"{_views(views)} unfinished: {why}; Cloud Tasks retries it"
    )
    record = {"document": task.document, "views": list(views), "attempt": attempt}
    record |= {"of": attempts, "outcome": "failed", "reason": why}
    return {
        "severity": "WARNING",
        "message": message,
        "boiler": {**_where(task), "retry_attempt": record},
    }


def dead(
    task: RetryTask,
    views: Sequence[str],
    why: str,
    *,
    attempts: int,
    recorded: str | None,
    not_recorded: str | None = None,
    replays: bool = False,
) -> dict[str, Any]:
    """The event of ``task`` is dead: ``views`` stay stale after ``attempts`` retry attempts
    (with ``replays``: after that many replays by the backstop). ``recorded`` is the path of
    its record for the backstop, ``not_recorded`` why there is none."""
    repair = repair_command(views)
    if recorded is not None:
        then = f"recorded for the backstop ({recorded}); to repair now: {repair}"
    elif not_recorded is not None:
        then = f"NOT recorded for the backstop ({not_recorded}); repair: {repair}"
    else:
        then = f"repair: {repair}"
    plural = "s" if attempts != 1 else ""
    after = (
        f"{attempts} replay{plural} by the backstop" if replays else f"{attempts} attempt{plural}"
    )
    message = (
        f"boiler {task.document}: event dead after {after}: {_views(views)} not brought up to "
        f"date: {why}; {then}"
    )
    record = {
        "document": task.document,
        "views": list(views),
        "reason": why,
        "attempts" if not replays else "replays": attempts,
        "first_failed_at": task.failed_at.isoformat(),
        "repair": repair,
        "recorded": recorded,
    }
    return {
        "severity": "ERROR",
        "message": message,
        "boiler": {**_where(task), "dead_event": record},
    }


def not_queued(
    task: RetryTask, error: BaseException, *, recorded: str | None, not_recorded: str | None
) -> dict[str, Any]:
    """The trigger could not hand ``task`` to the retry function (``error``); the event was
    recorded for the backstop at ``recorded``, or not (``not_recorded`` says why)."""
    repair = repair_command(task.views)
    if recorded is not None:
        then = f"recorded for the backstop ({recorded}); to repair now: {repair}"
    else:
        then = f"NOT recorded for the backstop ({not_recorded}); repair: {repair}"
    why = one_line(error)
    message = (
        f"boiler {task.document}: {_views(task.views)} left unfinished ({task.reason}) and "
        f"not handed to the retry function: {why}; {then}"
    )
    record = {
        "document": task.document,
        "views": list(task.views),
        "reason": task.reason,
        "error": why,
        "repair": repair,
        "recorded": recorded,
    }
    return {
        "severity": "ERROR",
        "message": message,
        "boiler": {**_where(task), "not_queued": record},
    }


def backstop_run(
    listed: int,
    replayed: int,
    unfinished: int,
    unreadable: int,
    more: bool,
    swept: SweepReport | None = None,
) -> dict[str, Any]:
    """One backstop run's summary: the replays, and what the verification did (``swept``;
    None when it is off)."""
    message = (
        f"boiler backstop: {listed} recorded event{'s' if listed != 1 else ''}, {replayed} "
        f"replayed to up-to-date views, {unfinished} still unfinished, {unreadable} unreadable"
        + ("; more are waiting for the next run" if more else "")
    )
    severity = "WARNING" if unfinished or unreadable else "INFO"
    payload: dict[str, Any] = {
        "listed": listed,
        "replayed": replayed,
        "unfinished": unfinished,
        "unreadable": unreadable,
        "more": more,
    }
    if swept is not None:
        message += "; " + _swept(swept)
        if swept.repaired or swept.failed or swept.error or any(v.error for v in swept.views):
            severity = "WARNING"
        payload |= {
            "roots": swept.roots,
            "documents": swept.documents,
            "repaired": swept.repaired,
            "failed": swept.failed,
            "reads": swept.reads,
            "out_of_time": swept.out_of_time,
            "error": swept.error,
            "views": {v.view: v.to_log() for v in swept.views},
        }
    return {"severity": severity, "message": message, "boiler": {"backstop": payload}}


def _swept(swept: SweepReport) -> str:
    """The verification's part of the summary message."""
    if swept.error is not None and not swept.views:
        return f"verification not run: {swept.error}"
    if not swept.views:
        return "verification not run: the replays took the run's time"
    views = "; ".join(_view_position(v) for v in swept.views)
    text = (
        f"verified {swept.roots} root{'s' if swept.roots != 1 else ''} and {swept.documents} "
        f"stored document{'s' if swept.documents != 1 else ''}, {swept.repaired} "
        f"divergence{'s' if swept.repaired != 1 else ''} repaired, {swept.failed} "
        f"root{'s' if swept.failed != 1 else ''} failed ({views})"
    )
    if swept.out_of_time:
        text += "; stopped at its time limit"
    if swept.error is not None:
        text += f"; cursors not saved: {swept.error}"
    return text


def _view_position(view: ViewSweep) -> str:
    """Where the verification of ``view`` got: ``meeting_sessions: roots up to meetings/m7,
    stored documents to the end``."""
    cursor = view.cursor
    if view.roots_wrapped:
        roots = "roots to the end"
    elif cursor.roots_after is not None:
        roots = f"roots up to {cursor.roots_after}"
    else:
        roots = "no root yet"
    if view.stored_wrapped:
        stored = "stored documents to the end"
    elif cursor.stored_after is not None:
        stored = f"stored documents up to {cursor.stored_after}"
    elif cursor.source is not None:
        stored = f"stored documents from the start of {cursor.source}"
    else:
        stored = "no stored document yet"
    error = f", stopped: {view.error}" if view.error else ""
    return f"{view.view}: {roots}, {stored}{error}"


def repaired(view: str, divergence: Divergence) -> dict[str, Any]:
    """The backstop's verification repaired ``divergence`` of ``view``."""
    detail = f" ({divergence.detail})" if divergence.detail else ""
    message = (
        f"boiler backstop: view {view}: {divergence.path} was {divergence.kind}{detail}: an "
        "event was lost and has been repaired"
    )
    record = {
        "view": view,
        "document": divergence.path,
        "kind": divergence.kind,
        "root": divergence.root,
        "detail": divergence.detail,
    }
    return {"severity": "WARNING", "message": message, "boiler": {"repaired": record}}


def failed_root(view: str, divergence: Divergence) -> dict[str, Any]:
    """The backstop's verification met root ``divergence.path`` of ``view``, which cannot be
    computed or stored (``divergence.detail`` says why): the engine's ``failed_root`` line,
    with no event."""
    repair = repair_command([view])
    message = (
        f"boiler backstop: root {divergence.path} of view {view} failed while the backstop "
        f"verified it: {divergence.detail}; once the cause is fixed: {repair}"
    )
    record = {
        "view": view,
        "document": divergence.path,
        "reason": divergence.detail,
        "repair": repair,
    }
    return {"severity": "ERROR", "message": message, "boiler": {"failed_root": record}}


def unreadable(path: str, error: BaseException) -> dict[str, Any]:
    """A recorded event (or a retry task) boiler cannot read; it is dropped."""
    why = one_line(error)
    message = (
        f"boiler: dropped {path}, an unfinished event boiler cannot read ({why}); "
        "run `boiler verify --repair` to repair every view"
    )
    record = {"path": path, "reason": why, "repair": "boiler verify --repair"}
    return {"severity": "ERROR", "message": message, "boiler": {"unreadable_event": record}}
