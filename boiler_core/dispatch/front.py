""":class:`FunctionsFront`: the functions' fixed address, before whichever dispatcher is current.

``boiler dev`` reloads the functions by starting a new dispatcher process; the emulator's
``--functions_emulator`` address and the HTTP functions' URLs must not change meanwhile. The
front listens where the Functions emulator would (firebase.json's ``emulators.functions.port``)
and forwards, per request, to the dispatcher it was last :meth:`switched <FunctionsFront.switch>`
to:

* ``POST /functions/projects/{project}/triggers/{trigger}``: a trigger delivery from the Firestore
  emulator, forwarded unchanged (the dispatcher answers it);
* ``/{project}/{region}/{name}/REST``: the HTTP function ``name`` with the path ``/REST``, any
  method, the URL the Firebase Functions emulator gives it, so front-end code works against both;
* ``GET /``: what is served, as JSON; anything else: 404.

A request is forwarded whole to the dispatcher current when it arrived; :meth:`drain` waits
until none is left in flight to an earlier one, so it can be stopped without losing a delivery
(the emulator does not send a delivery again). Binds 127.0.0.1 only; runs in a background thread
of the process that starts it.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from boiler_core.dispatch.delivery import parse_trigger_path
from boiler_core.dispatch.records import Ready

LOOPBACK = "127.0.0.1"
MAX_BODY = 32 * 1024 * 1024
"""Requests with a larger body are refused (413); a trigger event is at most about 10 MiB."""

_HOP_BY_HOP = frozenset(
    {
        "connection",
        "content-length",
        "host",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "accept-encoding",
    }
)
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class FunctionsFront(ThreadingHTTPServer):
    """Serves ``project``'s functions of ``region`` on ``127.0.0.1:port`` (0: any free port)."""

    daemon_threads = True

    def __init__(self, *, project: str, region: str, port: int = 0, timeout: float = 600.0) -> None:
        super().__init__((LOOPBACK, port), _Handler)
        self.project = project
        self.region = region
        self.forward_timeout = timeout
        self._current: Ready | None = None
        self._in_flight: dict[str, int] = {}
        self._changed = threading.Condition()
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.2}, name="boiler-functions"
        )
        self._thread.daemon = True

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``: the value of the emulator's ``--functions_emulator``."""
        return f"{LOOPBACK}:{self.server_address[1]}"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}"

    def function_url(self, name: str) -> str:
        """Where the HTTP function ``name`` is served: ``http://127.0.0.1:PORT/{project}/{region}/
        {name}``, the same for every dispatcher."""
        return f"{self.url}/{self.project}/{self.region}/{name}"

    @property
    def current(self) -> Ready | None:
        """The dispatcher requests go to now (None before the first :meth:`switch`)."""
        with self._changed:
            return self._current

    def switch(self, ready: Ready) -> None:
        """Send every request from now on to the dispatcher that reported ``ready``."""
        with self._changed:
            self._current = ready

    def drain(self, ready: Ready, timeout: float) -> bool:
        """Wait until no request forwarded to ``ready``'s dispatcher is still in flight; False
        when some still are after ``timeout`` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._in_flight.get(ready.url), timeout)

    def start(self) -> FunctionsFront:
        """Serve in a background thread; returns self."""
        self._thread.start()
        return self

    def running(self) -> bool:
        """True while it serves."""
        return self._thread.is_alive()

    def stop(self) -> None:
        """Stop serving and close the socket; idempotent."""
        if self._thread.is_alive():
            self.shutdown()
            self._thread.join(timeout=10)
        self.server_close()

    def forward(
        self, method: str, base: str, path: str, headers: Mapping[str, str], body: bytes | None
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Send one request to ``base + path``; its status, headers and body."""
        request = urllib.request.Request(base + path, data=body, method=method)
        for name, value in headers.items():
            request.add_header(name, value)
        try:
            with _NO_PROXY.open(request, timeout=self.forward_timeout) as response:
                return response.status, _kept(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, _kept(exc.headers), exc.read()

    def _begin(self) -> Ready | None:
        with self._changed:
            ready = self._current
            if ready is not None:
                self._in_flight[ready.url] = self._in_flight.get(ready.url, 0) + 1
            return ready

    def _end(self, ready: Ready) -> None:
        with self._changed:
            left = self._in_flight[ready.url] - 1
            if left:
                self._in_flight[ready.url] = left
            else:
                del self._in_flight[ready.url]
            self._changed.notify_all()

    def __enter__(self) -> FunctionsFront:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    server: FunctionsFront
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._route()

    def do_HEAD(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def do_PUT(self) -> None:
        self._route()

    def do_PATCH(self) -> None:
        self._route()

    def do_DELETE(self) -> None:
        self._route()

    def do_OPTIONS(self) -> None:
        self._route()

    def _route(self) -> None:
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            self._json(413, {"error": "the request body is too large"})
            return
        body = self.rfile.read(length) if length else None
        if parse_trigger_path(path) is not None:
            if self.command != "POST":
                self._json(405, {"error": "trigger deliveries are POST requests"})
                return
            self._forward(lambda ready: (ready.url, self.path), body)
            return
        if path == "/" and self.command == "GET":
            self._json(200, self._served())
            return
        parts = path.split("/", 4)  # "", project, region, name, rest
        if len(parts) >= 4 and parts[1:3] == [self.server.project, self.server.region]:
            name = parts[3]
            rest = self.path[len("/".join(parts[:4])) :]
            self._forward(lambda ready: _http_target(ready, name, rest), body)
            return
        self._json(404, {"error": f"nothing is served at {path}", "served": self._served()})

    def _forward(self, target: Any, body: bytes | None) -> None:
        ready = self.server._begin()
        if ready is None:
            self._json(503, {"error": "the functions are not loaded yet"})
            return
        try:
            where = target(ready)
            if where is None:
                self._json(404, {"error": "no such function", "served": self._served()})
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            try:
                status, answer_headers, answer = self.server.forward(
                    self.command, where[0], where[1], headers, body
                )
            except (urllib.error.URLError, OSError) as exc:
                self._json(502, {"error": f"the dispatcher did not answer: {exc}"})
                return
        finally:
            self.server._end(ready)
        self.send_response(status)
        for key, value in answer_headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer)

    def _served(self) -> dict[str, Any]:
        ready = self.server.current
        return {
            "project": self.server.project,
            "triggers": [t.name for t in ready.triggers] if ready else [],
            "http": {name: self.server.function_url(name) for name, _ in ready.http}
            if ready
            else {},
        }

    def _json(self, status: int, answer: Mapping[str, Any]) -> None:
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: invocations and HTTP requests are logged by the dispatcher."""


def _http_target(ready: Ready, name: str, rest: str) -> tuple[str, str] | None:
    """``(base URL, path)`` of the HTTP function ``name`` of ``ready``, or None."""
    base = dict(ready.http).get(name)
    if base is None:
        return None
    return base.rstrip("/"), rest if rest.startswith("/") else "/" + rest


def _kept(headers: Any) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers.items() if k.lower() not in _HOP_BY_HOP]
