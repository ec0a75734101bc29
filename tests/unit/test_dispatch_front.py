"""The functions front: one fixed address forwarding to whichever dispatcher is current."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from boiler_core.dispatch.front import FunctionsFront
from boiler_core.dispatch.records import Ready, TriggerInfo

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
TRIGGER = "/functions/projects/demo-front/triggers/on_books_written"


class Echo(ThreadingHTTPServer):
    """Answers every request with what it received, as JSON; ``gate`` holds answers back."""

    daemon_threads = True

    def __init__(self, name: str) -> None:
        super().__init__(("127.0.0.1", 0), _EchoHandler)
        self.name = name
        self.gate = threading.Event()
        self.gate.set()
        self.arrived = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _EchoHandler(BaseHTTPRequestHandler):
    server: Echo
    protocol_version = "HTTP/1.1"

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self.server.arrived.set()
        self.server.gate.wait(10)
        answer = json.dumps(
            {
                "server": self.server.name,
                "method": self.command,
                "path": self.path,
                "body": body,
                "ce-id": self.headers.get("ce-id"),
            }
        ).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("ETag", '"v1"')
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = do_PATCH = _echo

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def servers() -> Iterator[Callable[[str], Echo]]:
    started: list[Echo] = []

    def start(name: str) -> Echo:
        server = Echo(name)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.gate.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def front() -> Iterator[FunctionsFront]:
    with FunctionsFront(project="demo-front", region="europe-west1") as served:
        yield served


def ready(dispatcher: Echo, api: Echo) -> Ready:
    trigger = TriggerInfo("on_books_written", "books/{book}", "written")
    return Ready(dispatcher.url, (trigger,), (), (("api", api.url),))


def call(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any], dict[str, str]]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with NO_PROXY.open(request, timeout=10) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), dict(exc.headers)


def test_nothing_is_forwarded_before_a_dispatcher_is_loaded(front: FunctionsFront) -> None:
    status, answer, _ = call("POST", front.url + TRIGGER, b"x")
    assert (status, answer) == (503, {"error": "the functions are not loaded yet"})


def test_a_trigger_delivery_reaches_the_dispatcher_unchanged(
    front: FunctionsFront, servers: Callable[[str], Echo]
) -> None:
    front.switch(ready(servers("first"), servers("api")))
    status, answer, _ = call("POST", front.url + TRIGGER, b"event", {"ce-id": "e1"})
    assert status == 201
    assert answer == {
        "server": "first",
        "method": "POST",
        "path": TRIGGER,
        "body": "event",
        "ce-id": "e1",
    }


def test_an_http_function_is_served_under_project_region_and_name(
    front: FunctionsFront, servers: Callable[[str], Echo]
) -> None:
    front.switch(ready(servers("dispatcher"), servers("api")))
    url = front.function_url("api")
    assert url == f"{front.url}/demo-front/europe-west1/api"
    status, answer, headers = call("PATCH", url + "/books/b1?fields=title", b'{"a": 1}')
    assert status == 201
    assert (answer["server"], answer["method"]) == ("api", "PATCH")
    assert answer["path"] == "/books/b1?fields=title"
    assert answer["body"] == '{"a": 1}'
    assert headers["ETag"] == '"v1"'
    assert call("GET", url)[1]["path"] == "/"


@pytest.mark.parametrize(
    "path",
    ["/demo-front/us-central1/api", "/demo-other/europe-west1/api", "/demo-front/europe-west1/x"],
)
def test_other_functions_regions_and_projects_are_not_found(
    front: FunctionsFront, servers: Callable[[str], Echo], path: str
) -> None:
    front.switch(ready(servers("dispatcher"), servers("api")))
    status, answer, _ = call("GET", front.url + path)
    assert status == 404
    assert answer["served"]["http"] == {"api": front.function_url("api")}


def test_the_root_lists_what_is_served_and_deliveries_must_be_posts(
    front: FunctionsFront, servers: Callable[[str], Echo]
) -> None:
    front.switch(ready(servers("dispatcher"), servers("api")))
    status, answer, _ = call("GET", front.url + "/")
    assert status == 200
    assert answer["triggers"] == ["on_books_written"]
    assert call("GET", front.url + TRIGGER)[0] == 405


def test_after_a_switch_requests_go_to_the_new_dispatcher_once_the_old_drained(
    front: FunctionsFront, servers: Callable[[str], Echo]
) -> None:
    old, new, api = servers("old"), servers("new"), servers("api")
    before = ready(old, api)
    front.switch(before)
    old.gate.clear()  # the old dispatcher holds its answer: a delivery in flight
    answers: list[dict[str, Any]] = []
    slow = threading.Thread(target=lambda: answers.append(call("POST", front.url + TRIGGER)[1]))
    slow.start()
    assert old.arrived.wait(10)
    front.switch(ready(new, api))
    assert call("POST", front.url + TRIGGER)[1]["server"] == "new"
    assert front.drain(before, timeout=0.05) is False
    old.gate.set()
    assert front.drain(before, timeout=10) is True
    slow.join(10)
    assert answers[0]["server"] == "old"
