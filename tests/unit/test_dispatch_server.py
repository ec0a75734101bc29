"""The dispatcher's HTTP server, in-process, with stand-in trigger functions."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cloudevents.http import CloudEvent

from boiler_core.dispatch.delivery import Delivery
from boiler_core.dispatch.functions import Trigger
from boiler_core.dispatch.records import Barrier, Invocation, Record, parse_line
from boiler_core.dispatch.server import BARRIER_TRIGGER, DispatchServer

PROJECT = "demo-x"
TRIGGER_PATH = f"/functions/projects/{PROJECT}/triggers/on_users_written"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Served:
    """A running server, the events its functions received and the lines it printed."""

    def __init__(self, server: DispatchServer) -> None:
        self.server = server
        self.events: list[CloudEvent] = []
        self.lines: list[str] = []

    def records(self) -> list[Record]:
        return [parse_line(line) for line in self.lines]

    @staticmethod
    def headers(document: str = "users/u1", event_id: str = "e1") -> dict[str, str]:
        return {
            "ce-id": event_id,
            "ce-document": document,
            "ce-project": PROJECT,
            "ce-type": "google.cloud.firestore.document.v1.written",
            "ce-source": "//firestore.googleapis.com/projects/demo-x/databases/(default)",
            "ce-specversion": "1.0",
        }

    def post(self, trigger: str, document: str = "users/u1", event_id: str = "e1") -> int:
        path = f"/functions/projects/{PROJECT}/triggers/{trigger}"
        return Delivery.received(path, self.headers(document, event_id), b"").post(self.server.url)

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        data = None if method == "GET" else b""
        request = urllib.request.Request(
            self.server.url + path, data=data, method=method, headers=headers or {}
        )
        try:
            with NO_PROXY.open(request, timeout=10) as response:
                return int(response.status), json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[Callable[[CloudEvent], Any]], Served]]:
    servers: list[DispatchServer] = []

    def start(function: Callable[[CloudEvent], Any]) -> Served:
        lock = threading.Lock()
        served: Served

        def emit(line: str) -> None:
            with lock:
                served.lines.append(line)

        def trigger_function(event: CloudEvent) -> Any:
            served.events.append(event)
            return function(event)

        trigger = Trigger("on_users_written", "", "users/{u}", "(default)", trigger_function)
        server = DispatchServer(
            0,
            triggers={trigger.name: trigger},
            project=PROJECT,
            emit=emit,
            record=tmp_path / "deliveries.jsonl",
        )
        served = Served(server)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
        servers.append(server)
        return served

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_delivery_calls_the_function_and_reports_the_invocation(serve: Any) -> None:
    served = serve(lambda event: None)
    assert served.post("on_users_written", "users/u1", "e1") == 200
    assert [event["id"] for event in served.events] == ["e1"]
    [record] = served.records()
    assert isinstance(record, Invocation)
    assert (record.function, record.document, record.event_id, record.ok) == (
        "on_users_written",
        "users/u1",
        "e1",
        True,
    )


def test_failing_function_answers_500_without_details_and_reports_the_traceback(
    serve: Any,
) -> None:
    def fail(event: CloudEvent) -> None:
        raise ValueError("secret internal detail")

    served = serve(fail)
    status, body = served.request("POST", TRIGGER_PATH, served.headers("users/u9", "e9"))
    assert (status, body) == (500, {"error": "the function failed"})
    [record] = served.records()  # one line: the traceback travels inside the record
    assert isinstance(record, Invocation)
    assert not record.ok
    assert record.error == "ValueError: secret internal detail"
    assert record.traceback is not None
    assert record.traceback.startswith("Traceback (most recent call last):")
    assert record.traceback.endswith("ValueError: secret internal detail")


def test_delivery_that_is_no_cloud_event_is_refused_with_400(serve: Any) -> None:
    served = serve(lambda event: None)
    status, body = served.request("POST", TRIGGER_PATH, {"ce-id": "e1"})
    assert (status, body) == (400, {"error": "not a binary-mode CloudEvent"})
    assert served.events == []


@pytest.mark.parametrize("trigger", ["unknown_function", "on_users_written/extra"])
def test_unknown_trigger_is_refused_without_calling_anything(serve: Any, trigger: str) -> None:
    served = serve(lambda event: None)
    assert served.post(trigger) == 404
    assert served.events == []


def test_delivery_for_another_project_is_refused(serve: Any) -> None:
    served = serve(lambda event: None)
    path = "/functions/projects/demo-other/triggers/on_users_written"
    assert Delivery.received(path, {}, b"").post(served.server.url) == 404
    assert served.events == []


def test_settle_marker_is_reported_not_dispatched(serve: Any) -> None:
    served = serve(lambda event: None)
    assert served.post(BARRIER_TRIGGER, "boiler_barrier/m7") == 200
    assert served.records() == [Barrier("m7")]
    assert served.events == []


def test_overlapping_deliveries_run_concurrently(serve: Any) -> None:
    both_inside = threading.Barrier(2, timeout=10)
    served = serve(lambda event: both_inside.wait())
    results: list[int] = []
    posts = [
        threading.Thread(
            target=lambda n=n: results.append(served.post("on_users_written", event_id=f"e{n}"))
        )
        for n in range(2)
    ]
    for post in posts:
        post.start()
    for post in posts:
        post.join(timeout=15)
    assert results == [200, 200]


def test_deliveries_are_recorded_before_they_run(serve: Any, tmp_path: Path) -> None:
    served = serve(lambda event: None)
    served.post("on_users_written", "users/a", "e1")
    served.post("on_users_written", "users/b", "e2")
    lines = (tmp_path / "deliveries.jsonl").read_text().splitlines()
    recorded = [Delivery.from_json(json.loads(line)) for line in lines]
    assert [(d.document, d.event_id) for d in recorded] == [("users/a", "e1"), ("users/b", "e2")]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/__boiler/health", 200),
        ("GET", "/", 404),
        ("POST", "/anything", 404),
        ("DELETE", "/functions/projects/demo-x/triggers/on_users_written", 405),
    ],
)
def test_only_deliveries_and_the_health_check_are_answered(
    serve: Any, method: str, path: str, status: int
) -> None:
    served = serve(lambda event: None)
    assert served.request(method, path)[0] == status
    assert served.events == []
