"""Handing a retry task to the generated retry function: Cloud Tasks, through firebase-admin.

:class:`CloudTasksQueue` enqueues with ``firebase_admin.functions.task_queue(...).enqueue``, the
documented way to feed a task-queue function: deployed, to the queue Firebase created for the
function (the function's service account needs ``cloudtasks.tasks.create``, docs/deploy.md);
with ``CLOUD_TASKS_EMULATOR_HOST`` set, to that emulator (the Firebase emulator suite's
``tasks`` emulator, or ``boiler dev``'s dispatcher, which runs the retry function itself).

Outside a deployed function, with Firestore on an emulator and no Cloud Tasks emulator named, it
refuses to enqueue: the task would go to a real project's queue. Tests and local runtimes that
want no Cloud Tasks at all give :class:`~boiler_core.retry.retrier.Retrier` a queue of their
own (anything with :meth:`RetryQueue.enqueue`).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Protocol

from boiler_core.deployment import is_deployed
from boiler_core.errors import NotQueued

RETRY_FUNCTION = "boilerRetry"
"""Name (and Cloud Functions id) of the generated retry function. Cloud Tasks names the
function's queue after it, and a queue id allows letters, digits and hyphens only: no ``_``."""

BACKSTOP_FUNCTION = "boilerBackstop"
"""Name (and Cloud Functions id) of the generated scheduled backstop."""

TASKS_EMULATOR_ENV = "CLOUD_TASKS_EMULATOR_HOST"
"""Where firebase-admin enqueues instead of Cloud Tasks (``host:port``)."""

FIRESTORE_EMULATOR_ENV = "FIRESTORE_EMULATOR_HOST"


class RetryQueue(Protocol):
    """Where a trigger hands the events it left unfinished."""

    def enqueue(self, data: Mapping[str, Any], *, delay_seconds: int) -> str:
        """Queue ``data`` for the retry function, to run in ``delay_seconds`` at the earliest;
        return the task's id. Raises :class:`~boiler_core.errors.NotQueued` when it cannot."""
        ...


class CloudTasksQueue:
    """The retry function's Cloud Tasks queue in ``region`` of ``project`` (None: the project
    of the environment), reached with firebase-admin; ``environ`` decides emulator or not."""

    def __init__(
        self,
        *,
        region: str,
        project: str | None,
        environ: Mapping[str, str],
        function: str = RETRY_FUNCTION,
    ) -> None:
        self.region = region
        self.project = project
        self.function = function
        self._environ = environ
        self._lock = threading.Lock()
        self._queue: Any = None

    def enqueue(self, data: Mapping[str, Any], *, delay_seconds: int) -> str:
        """See :meth:`RetryQueue.enqueue`."""
        from firebase_admin import functions

        try:
            queue = self._task_queue()
            options = functions.TaskOptions(schedule_delay_seconds=max(int(delay_seconds), 0))
            return str(queue.enqueue({"data": dict(data)}, options))
        except NotQueued:
            raise
        except Exception as exc:  # firebase-admin, google-auth, requests: all mean "not queued"
            raise NotQueued(
                f"Cloud Tasks did not take the task for {self.function} in {self.region}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    def _task_queue(self) -> Any:
        with self._lock:
            if self._queue is None:
                self._queue = self._open()
            return self._queue

    def _open(self) -> Any:
        import firebase_admin
        from firebase_admin import functions

        emulator = self._environ.get(TASKS_EMULATOR_ENV)
        if (
            not emulator
            and self._environ.get(FIRESTORE_EMULATOR_ENV)
            and not is_deployed(self._environ)
        ):
            raise NotQueued(
                f"Firestore is an emulator ({FIRESTORE_EMULATOR_ENV} is set) but no Cloud Tasks "
                f"emulator is named ({TASKS_EMULATOR_ENV}): the retry would go to a real "
                "project's queue. Run the Firebase emulators with `--only ...,tasks`, or boiler dev"
            )
        name = f"boiler-retry-{self.project or 'default-project'}"
        try:
            app = firebase_admin.get_app(name)
        except ValueError:
            options = {"projectId": self.project} if self.project else None
            app = firebase_admin.initialize_app(options=options, name=name)
        return functions.task_queue(f"locations/{self.region}/functions/{self.function}", app=app)
