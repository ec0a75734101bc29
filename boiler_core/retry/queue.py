"""Handing a retry task to the generated retry function: Cloud Tasks, through firebase-admin.

:class:`CloudTasksQueue` enqueues with ``firebase_admin.functions.task_queue(...).enqueue``, the
documented way to feed a task-queue function: deployed, to the queue Firebase created for the
function (the function's service account needs ``cloudtasks.tasks.create``, docs/deploy.md),
naming the function's Cloud Run URL as the task's target, as Firebase's documentation requires
for a 2nd-gen function (Cloud Tasks signs its request for that URL); the URL is asked once of the
Cloud Functions API (:func:`cloud_run_uri`). With ``CLOUD_TASKS_EMULATOR_HOST`` set, it enqueues
to that emulator (the Firebase emulator suite's ``tasks`` emulator, or ``boiler dev``'s
dispatcher, which runs the retry function itself), which knows the function's URL itself.

Outside a deployed function, with Firestore on an emulator and no Cloud Tasks emulator named, it
refuses to enqueue: the task would go to a real project's queue. Tests and local runtimes that
want no Cloud Tasks at all give :class:`~boiler_core.retry.retrier.Retrier` a queue of their
own (anything with :meth:`RetryQueue.enqueue`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from boiler_core.deployment import is_deployed
from boiler_core.errors import NotQueued
from boiler_core.retry.names import RETRY_FUNCTION

TASKS_EMULATOR_ENV = "CLOUD_TASKS_EMULATOR_HOST"
"""Where firebase-admin enqueues instead of Cloud Tasks (``host:port``)."""

FIRESTORE_EMULATOR_ENV = "FIRESTORE_EMULATOR_HOST"

FUNCTIONS_API = "https://cloudfunctions.googleapis.com/v2/projects/{project}/locations/{region}/functions/{name}"
"""The Cloud Functions API's resource of a deployed function (its ``serviceConfig.uri``)."""


def cloud_run_uri(project: str | None, region: str, function: str) -> str:
    """The Cloud Run URL of the deployed ``function``, from the Cloud Functions API, with the
    application default credentials (a deployed function's service account; it needs
    ``cloudfunctions.functions.get``)."""
    import google.auth
    from google.auth.transport.requests import AuthorizedSession

    scopes = ["https://www.googleapis.com/auth/cloud-platform"]
    credentials, found = google.auth.default(scopes=scopes)
    url = FUNCTIONS_API.format(project=project or found, region=region, name=function)
    session = AuthorizedSession(credentials)  # type: ignore[no-untyped-call]
    response = session.get(url, timeout=30)
    response.raise_for_status()
    return str(response.json()["serviceConfig"]["uri"])


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
        uri_of: Callable[[str | None, str, str], str] = cloud_run_uri,
    ) -> None:
        self.region = region
        self.project = project
        self.function = function
        self._environ = environ
        self._uri_of = uri_of
        self._lock = threading.Lock()
        self._queue: Any = None
        self._uri: str | None = None

    def enqueue(self, data: Mapping[str, Any], *, delay_seconds: int) -> str:
        """See :meth:`RetryQueue.enqueue`."""
        from firebase_admin import functions

        try:
            queue, uri = self._task_queue()
            options = functions.TaskOptions(
                schedule_delay_seconds=max(int(delay_seconds), 0), uri=uri
            )
            return str(queue.enqueue({"data": dict(data)}, options))
        except NotQueued:
            raise
        except Exception as exc:  # firebase-admin, google-auth, requests: all mean "not queued"
            raise NotQueued(
                f"Cloud Tasks did not take the task for {self.function} in {self.region}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    def _task_queue(self) -> tuple[Any, str | None]:
        """firebase-admin's queue, and the URL to target (None under an emulator)."""
        with self._lock:
            self._refuse_a_real_queue_beside_emulators()
            if self._uri is None and not self._environ.get(TASKS_EMULATOR_ENV):
                self._uri = self._cloud_run_uri()
            if self._queue is None:
                self._queue = self._open()
            return self._queue, self._uri

    def _refuse_a_real_queue_beside_emulators(self) -> None:
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

    def _cloud_run_uri(self) -> str:
        try:
            return self._uri_of(self.project, self.region, self.function)
        except Exception as exc:  # google-auth, requests, a reply without the URL
            raise NotQueued(
                f"cannot find the Cloud Run URL of {self.function} in {self.region} from the "
                f"Cloud Functions API ({type(exc).__name__}: {exc}); the functions' service "
                "account needs cloudfunctions.functions.get"
            ) from exc

    def _open(self) -> Any:
        import firebase_admin
        from firebase_admin import functions

        name = f"boiler-retry-{self.project or 'default-project'}"
        try:
            app = firebase_admin.get_app(name)
        except ValueError:
            options = {"projectId": self.project} if self.project else None
            app = firebase_admin.initialize_app(options=options, name=name)
        return functions.task_queue(f"locations/{self.region}/functions/{self.function}", app=app)
