"""The HTTP endpoint the emulator delivers trigger events to, calling the functions of main.py.

``POST /functions/projects/{project}/triggers/{trigger_id}``: decode the binary CloudEvent and call
the function named ``trigger_id`` with it, answering 200 when it returned and 500 when it raised
(the error and traceback go into the invocation record on the dispatcher's output, never into
the HTTP answer). Each request
runs on its own thread, so invocations overlap whenever deliveries do (the emulator itself sends
one at a time; replays and production do not). ``POST /projects/{p}/locations/{l}/queues/{q}/tasks``
enqueues a task for the task-queue function ``q``, as Cloud Tasks' emulator takes it
(:mod:`.tasks`). ``GET /__boiler/health`` answers 200 once loaded. Anything else is refused
before any side effect. Binds 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cloudevents.http import CloudEvent

from boiler_core.dispatch.delivery import Delivery, to_cloud_event
from boiler_core.dispatch.functions import Trigger
from boiler_core.dispatch.records import Barrier, Invocation, encode
from boiler_core.dispatch.tasks import LocalTasks, TaskFunction, parse_tasks_path

BARRIER_TRIGGER = "boiler_barrier"
"""Trigger id of the settle markers the local runtime writes (see :mod:`.runtime`)."""

BARRIER_COLLECTION = "boiler_barrier"
"""Collection of the settle markers."""

HEALTH_PATH = "/__boiler/health"


class DispatchServer(ThreadingHTTPServer):
    """A threading HTTP server on ``127.0.0.1:port`` that invokes ``triggers`` for ``project``.

    ``emit`` receives every output line (records, tracebacks); it must be thread-safe.
    ``record`` is a JSON-lines file receiving every trigger delivery before it is handled.
    """

    daemon_threads = True

    def __init__(
        self,
        port: int,
        *,
        triggers: Mapping[str, Trigger],
        project: str,
        emit: Callable[[str], None],
        record: Path | None = None,
        tasks: Mapping[str, TaskFunction] | None = None,
    ) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.triggers = dict(triggers)
        self.project = project
        self.emit = emit
        self.record = record
        self._record_lock = threading.Lock()
        self.tasks = LocalTasks(tasks or {}, lambda invocation: emit(encode(invocation)))

    def server_close(self) -> None:
        """Stop serving; task attempts still waiting are dropped."""
        self.tasks.stop()
        super().server_close()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def dispatch(self, delivery: Delivery) -> tuple[int, dict[str, Any]]:
        """Handle one delivery; return the HTTP status and JSON answer."""
        project, trigger_id = delivery.target or ("", "")
        if project != self.project:
            self.emit(f"dispatcher: refused a delivery for project '{project}' ({delivery.path})")
            return 404, {"error": f"this dispatcher serves project '{self.project}'"}
        if trigger_id == BARRIER_TRIGGER:
            self.emit(encode(Barrier(delivery.document.rsplit("/", 1)[-1])))
            return 200, {"ok": True}
        trigger = self.triggers.get(trigger_id)
        if trigger is None:
            self.emit(f"dispatcher: no function '{trigger_id}' in main.py ({delivery.path})")
            return 404, {"error": f"no function '{trigger_id}'"}
        try:
            event = to_cloud_event(delivery)
        except Exception as exc:  # a malformed request is refused, never dispatched
            self.emit(f"dispatcher: refused a malformed delivery to {delivery.path}: {exc}")
            return 400, {"error": "not a binary-mode CloudEvent"}
        self._record(delivery)
        return self._invoke(trigger, delivery, event)

    def _invoke(
        self, trigger: Trigger, delivery: Delivery, event: CloudEvent
    ) -> tuple[int, dict[str, Any]]:
        started = time.perf_counter()
        error = trace = None
        try:
            trigger.function(event)
        except Exception as exc:  # a failing function is reported, never crashes the server
            trace = traceback.format_exc().rstrip()
            error = f"{type(exc).__name__}: {exc}"
        ms = (time.perf_counter() - started) * 1000
        ok = error is None
        record = Invocation(
            trigger.name, delivery.document, delivery.event_id, ms, ok, error, trace
        )
        self.emit(encode(record))
        return (200, {"ok": True}) if ok else (500, {"error": "the function failed"})

    def _record(self, delivery: Delivery) -> None:
        if self.record is None:
            return
        line = json.dumps(delivery.to_json(), sort_keys=True)
        with self._record_lock, self.record.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


class _Handler(BaseHTTPRequestHandler):
    server: DispatchServer
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        if parse_tasks_path(self.path) is not None:
            self._enqueue()
            return
        if Delivery.received(self.path, {}, b"").target is None:
            self._refuse(404)
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        delivery = Delivery.received(self.path, dict(self.headers.items()), body)
        status, answer = self.server.dispatch(delivery)
        self._answer(status, answer)

    def _enqueue(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._answer(400, {"error": "the body is not JSON"})
            return
        status, answer = self.server.tasks.enqueue(
            self.path, body if isinstance(body, dict) else {}
        )
        self._answer(status, answer)

    def do_GET(self) -> None:
        if self.path != HEALTH_PATH:
            self._refuse(404)
            return
        self._answer(200, {"ok": True, "triggers": sorted(self.server.triggers)})

    def do_PUT(self) -> None:
        self._refuse(405)

    def do_PATCH(self) -> None:
        self._refuse(405)

    def do_DELETE(self) -> None:
        self._refuse(405)

    def _refuse(self, status: int) -> None:
        self.close_connection = True
        self._answer(status, {"error": "not found" if status == 404 else "method not allowed"})

    def _answer(self, status: int, answer: Mapping[str, Any]) -> None:
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log: each invocation prints its own record."""
