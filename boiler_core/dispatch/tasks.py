"""Task-queue functions of main.py, run by the dispatcher as Cloud Tasks would run them.

The dispatcher names itself as the Cloud Tasks emulator (``CLOUD_TASKS_EMULATOR_HOST``) in its
own process, so when a trigger hands an unfinished event to the retry function, firebase-admin
enqueues it here exactly as it would to Firebase's tasks emulator:
``POST /projects/{project}/locations/{region}/queues/{queue}/tasks`` with
``{"task": {"httpRequest": {"body": <base64 JSON>, ...}, "scheduleTime": ...}}``. The queue is
the task-queue function of that name. :class:`LocalTasks` answers
``{"task": {"name": "/projects/.../tasks/ID"}}`` and, at the task's schedule time, calls the
function as functions-framework serves it (a POST of the body, with Cloud Tasks' headers, among
them ``X-CloudTasks-TaskRetryCount``); while it answers other than 2xx, again after the queue's
backoff, up to its ``maxAttempts`` (the function's retry configuration; Cloud Tasks' defaults
for what it leaves out). Each attempt is one :class:`~boiler_core.dispatch.records.Invocation`.

Tasks live in the dispatcher's memory: a dispatcher replaced by a reload or stopped drops the
retries it was waiting to run (``boiler dev`` is for development; deployed, Cloud Tasks keeps
them).
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from boiler_core.dispatch.records import Invocation
from boiler_core.http.server import function_app
from boiler_core.retry.policy import RETRY_COUNT_HEADER, backoff

TASKS_PATH = "/projects/{project}/locations/{location}/queues/{queue}/tasks"
"""Where firebase-admin enqueues under ``CLOUD_TASKS_EMULATOR_HOST``."""


@dataclass(frozen=True)
class QueueRetry:
    """A queue's retry configuration, as Cloud Tasks applies it."""

    max_attempts: int = 3
    min_backoff: float = 0.1
    max_backoff: float = 3600.0
    max_doublings: int = 16

    @classmethod
    def of(cls, config: Mapping[str, Any] | None) -> QueueRetry:
        """From a ``taskQueueTrigger.retryConfig`` (camelCase keys; None for a default)."""
        given = {k: v for k, v in dict(config or {}).items() if v is not None}
        default = cls()
        return cls(
            max_attempts=int(given.get("maxAttempts", default.max_attempts)),
            min_backoff=float(given.get("minBackoffSeconds", default.min_backoff)),
            max_backoff=float(given.get("maxBackoffSeconds", default.max_backoff)),
            max_doublings=int(given.get("maxDoublings", default.max_doublings)),
        )


@dataclass(frozen=True)
class TaskFunction:
    """A task-queue function of ``main.py``: its name (= its queue), the decorated function
    (it takes a flask request), and its queue's retry configuration."""

    name: str
    function: Callable[[Any], Any]
    retry: QueueRetry


def parse_tasks_path(path: str) -> str | None:
    """The queue a POST to ``path`` enqueues into, or None when ``path`` is no such route."""
    parts = path.split("?")[0].strip("/").split("/")
    shape = ["projects", None, "locations", None, "queues", None, "tasks"]
    if len(parts) != len(shape) or not all(
        s is None or s == p for s, p in zip(shape, parts, strict=True)
    ):
        return None
    return parts[5] or None


class LocalTasks:
    """The dispatcher's stand-in for Cloud Tasks (module docstring); ``emit`` receives one
    :class:`Invocation` per attempt."""

    def __init__(
        self, functions: Mapping[str, TaskFunction], emit: Callable[[Invocation], None]
    ) -> None:
        self.functions = dict(functions)
        self._emit = emit
        self._apps = {name: function_app(f.function, name) for name, f in self.functions.items()}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._timers: set[threading.Timer] = set()
        self._stopped = False

    def enqueue(self, path: str, body: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """Take a task POSTed to ``path``; return the HTTP status and answer."""
        queue = parse_tasks_path(path)
        function = self.functions.get(queue or "")
        if function is None:
            return 404, {"error": f"no task-queue function {queue!r} in main.py"}
        try:
            task = body["task"]
            data = json.loads(base64.b64decode(task["httpRequest"]["body"]))
            headers = dict(task["httpRequest"].get("headers") or {})
        except (KeyError, TypeError, ValueError) as exc:
            return 400, {"error": f"not a Cloud Tasks task: {type(exc).__name__}: {exc}"}
        name = f"{path.strip('/')}/{next(self._ids)}"
        self._schedule(function, name, data, headers, 1, _delay(task.get("scheduleTime")))
        return 200, {"task": {"name": "/" + name}}

    def stop(self) -> None:
        """Cancel every attempt still waiting."""
        with self._lock:
            self._stopped = True
            timers, self._timers = self._timers, set()
        for timer in timers:
            timer.cancel()

    def _schedule(
        self,
        function: TaskFunction,
        name: str,
        data: Any,
        headers: dict[str, str],
        attempt: int,
        delay: float,
    ) -> None:
        def run() -> None:
            with self._lock:
                self._timers.discard(timer)
            self._attempt(function, name, data, headers, attempt)

        timer = threading.Timer(delay, run)
        timer.daemon = True
        with self._lock:
            if self._stopped:
                return
            self._timers.add(timer)
        timer.start()

    def _attempt(
        self, function: TaskFunction, name: str, data: Any, headers: dict[str, str], attempt: int
    ) -> None:
        started = time.perf_counter()
        sent = {
            **headers,
            RETRY_COUNT_HEADER: str(attempt - 1),
            "X-CloudTasks-QueueName": function.name,
            "X-CloudTasks-TaskName": name.rsplit("/", 1)[-1],
            "X-CloudTasks-TaskExecutionCount": str(attempt - 1),
        }
        sent.pop("Content-Type", None)
        error = None
        try:
            response = self._apps[function.name].test_client().post("/", json=data, headers=sent)
            if not 200 <= response.status_code < 300:
                error = f"HTTP {response.status_code}"
                if attempt < function.retry.max_attempts:
                    error += f", retried in {_seconds(function.retry, attempt)}"
        except Exception as exc:  # a function that crashes is a failed attempt, as deployed
            error = f"{type(exc).__name__}: {exc}"
        document, event_id = _label(data, name)
        ms = (time.perf_counter() - started) * 1000
        self._emit(Invocation(function.name, document, event_id, ms, error is None, error))
        retry = function.retry
        if error is not None and attempt < retry.max_attempts:
            wait = backoff(retry.min_backoff, retry.max_backoff, retry.max_doublings, attempt)
            self._schedule(function, name, data, headers, attempt + 1, wait)


def _seconds(retry: QueueRetry, attempt: int) -> str:
    wait = backoff(retry.min_backoff, retry.max_backoff, retry.max_doublings, attempt)
    return f"{wait:g} s"


def _delay(schedule_time: Any) -> float:
    """Seconds until ``schedule_time`` (RFC 3339), 0 when absent, past or unreadable."""
    if not isinstance(schedule_time, str):
        return 0.0
    try:
        when = datetime.fromisoformat(schedule_time.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _label(data: Any, name: str) -> tuple[str, str | None]:
    """The document and event a task is about, when it says (boiler's retry tasks do), for
    the invocation's line; else the task's name."""
    payload = data.get("data") if isinstance(data, Mapping) else None
    if isinstance(payload, Mapping) and isinstance(payload.get("document"), str):
        change = payload.get("change")
        event = change.get("event_id") if isinstance(change, Mapping) else None
        return str(payload["document"]), None if event is None else str(event)
    return name, None
