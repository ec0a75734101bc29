"""The dispatcher stands in for Cloud Tasks: firebase-admin enqueues to it as to Firebase's tasks
emulator, and it runs the queue's function with Cloud Tasks' headers, again after the queue's
backoff while the function fails, up to its attempts."""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from firebase_functions import tasks_fn
from firebase_functions.https_fn import FunctionsErrorCode, HttpsError
from firebase_functions.options import RetryConfig

from boiler_core.dispatch.functions import collect_functions
from boiler_core.dispatch.records import Invocation, parse_line
from boiler_core.dispatch.server import DispatchServer
from boiler_core.dispatch.tasks import QueueRetry, parse_tasks_path
from boiler_core.retry import CloudTasksQueue
from boiler_core.retry.policy import RETRY_COUNT_HEADER

PROJECT = "demo-tasks"


class Attempts:
    """What the task function saw; it fails until ``succeed_at`` (1-based)."""

    def __init__(self, succeed_at: int) -> None:
        self.succeed_at = succeed_at
        self.seen: list[tuple[Any, str | None]] = []
        self.done = threading.Event()


ATTEMPTS = Attempts(succeed_at=3)


@tasks_fn.on_task_dispatched(
    retry_config=RetryConfig(max_attempts=4, min_backoff_seconds=0, max_backoff_seconds=0)
)
def workQueue(request: tasks_fn.CallableRequest[Any]) -> None:
    """Fails (503) until its attempt number reaches ``ATTEMPTS.succeed_at``."""
    count = request.raw_request.headers.get(RETRY_COUNT_HEADER)
    ATTEMPTS.seen.append((request.data, count))
    if len(ATTEMPTS.seen) < ATTEMPTS.succeed_at:
        raise HttpsError(FunctionsErrorCode.UNAVAILABLE, "not yet")
    ATTEMPTS.done.set()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[DispatchServer, list[str]]]:
    global ATTEMPTS
    ATTEMPTS = Attempts(succeed_at=3)
    lines: list[str] = []
    server = DispatchServer(
        0,
        triggers={},
        project=PROJECT,
        emit=lines.append,
        tasks=collect_functions({"workQueue": workQueue}).tasks,
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    monkeypatch.setenv("CLOUD_TASKS_EMULATOR_HOST", server.url.removeprefix("http://"))
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")
    yield server, lines
    server.shutdown()
    server.server_close()
    thread.join()


def test_firebase_admin_enqueues_to_the_dispatcher_which_retries_until_the_function_succeeds(
    server: tuple[DispatchServer, list[str]],
) -> None:
    _, lines = server
    queue = CloudTasksQueue(
        region="us-central1", project=PROJECT, environ=os.environ, function="workQueue"
    )
    task_id = queue.enqueue({"document": "tickets/t1", "n": 1}, delay_seconds=0)
    assert task_id == "1"
    assert ATTEMPTS.done.wait(30)
    assert ATTEMPTS.seen == [
        ({"document": "tickets/t1", "n": 1}, "0"),
        ({"document": "tickets/t1", "n": 1}, "1"),
        ({"document": "tickets/t1", "n": 1}, "2"),
    ]
    invocations = [r for r in map(parse_line, lines) if isinstance(r, Invocation)]
    assert [(i.function, i.ok) for i in invocations] == [
        ("workQueue", False),
        ("workQueue", False),
        ("workQueue", True),
    ]
    assert invocations[0].error == "HTTP 503, retried in 0 s"


def test_a_queue_without_function_or_a_body_that_is_no_task_is_refused(
    server: tuple[DispatchServer, list[str]],
) -> None:
    tasks = server[0].tasks
    path = f"/projects/{PROJECT}/locations/us-central1/queues/"
    assert tasks.enqueue(path + "nope/tasks", {"task": {}})[0] == 404
    status, answer = tasks.enqueue(path + "workQueue/tasks", {"task": {"httpRequest": {}}})
    assert status == 400
    assert "not a Cloud Tasks task" in answer["error"]


def test_the_queue_stops_after_its_attempts(server: tuple[DispatchServer, list[str]]) -> None:
    ATTEMPTS.succeed_at = 99
    tasks, lines = server[0].tasks, server[1]
    done = threading.Event()
    original = tasks._emit

    def emit(invocation: Invocation) -> None:
        original(invocation)
        if sum(1 for line in lines if '"invocation"' in line) == 4:
            done.set()

    tasks._emit = emit
    body = {"httpRequest": {"body": _b64({"data": {"x": 1}})}}
    tasks.enqueue(
        f"/projects/{PROJECT}/locations/us-central1/queues/workQueue/tasks", {"task": body}
    )
    assert done.wait(30)
    assert len(ATTEMPTS.seen) == 4
    last = parse_line(lines[-1])
    assert isinstance(last, Invocation)
    assert last.error == "HTTP 503"  # the last attempt: nothing is retried


def _b64(data: Any) -> str:
    return base64.b64encode(json.dumps(data).encode()).decode()


@pytest.mark.parametrize(
    ("path", "queue"),
    [
        ("/projects/p/locations/us-central1/queues/boilerRetry/tasks", "boilerRetry"),
        ("/projects/p/locations/l/queues/q/tasks?alt=json", "q"),
        ("/projects/p/locations/l/queues/q", None),
        ("/functions/projects/p/triggers/t", None),
    ],
)
def test_the_tasks_route(path: str, queue: str | None) -> None:
    assert parse_tasks_path(path) == queue


def test_a_queue_retry_takes_cloud_tasks_defaults_for_what_it_leaves_out() -> None:
    assert QueueRetry.of({"maxAttempts": 5, "maxDoublings": None}) == QueueRetry(max_attempts=5)
    assert QueueRetry.of(None) == QueueRetry(3, 0.1, 3600.0, 16)
