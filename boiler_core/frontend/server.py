""":class:`PageServer`: a page folder, ``/config.json`` and the HTTP functions, on one origin.

Per request:

* ``/config.json``: the :class:`~boiler_core.frontend.config.PageConfig` (GET, HEAD);
* ``/NAME/REST`` for each HTTP function ``NAME`` it was given: forwarded to that function as
  ``/REST`` (method, query, body and the headers an API call needs), its answer passed back
  unchanged: the page calls ``/api/meeting_sessions/meeting_1`` on its own origin;
* anything else: a file of the folder (GET, HEAD; ``/`` is ``index.html``), else 404.

Binds 127.0.0.1 only; runs in a background thread of the process that starts it (no child
process, so nothing can outlive it). Files are sent with ``Cache-Control: no-cache``, so a
rebuilt page is picked up on reload.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from boiler_core.frontend.config import PageConfig
from boiler_core.frontend.files import content_type, resolve

LOOPBACK = "127.0.0.1"
CONFIG_PATH = "/config.json"
MAX_FORWARDED_BODY = 1024 * 1024
"""Bodies above this are refused here (413); the API's own limit is lower."""

FORWARDED_REQUEST_HEADERS = (
    "Accept",
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
)
FORWARDED_RESPONSE_HEADERS = (
    "Allow",
    "Cache-Control",
    "Content-Type",
    "ETag",
    "Retry-After",
    "WWW-Authenticate",
)
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class PageServer(ThreadingHTTPServer):
    """Serves ``folder`` with ``config`` and forwards to ``functions`` (name -> base URL).

    ``config.functions`` should name each function at ``/NAME`` (see :meth:`for_runtime`).
    Use as a context manager, or :meth:`start` and :meth:`stop`.
    """

    daemon_threads = True

    def __init__(
        self,
        folder: Path,
        config: PageConfig,
        *,
        functions: Mapping[str, str],
        port: int = 0,
        timeout: float = 60.0,
    ) -> None:
        super().__init__((LOOPBACK, port), _Handler)
        self.folder = folder
        self.config_text = config.to_json().encode()
        self.functions = dict(functions)
        self.forward_timeout = timeout
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.2}, name="boiler-page"
        )
        self._thread.daemon = True

    @classmethod
    def for_runtime(
        cls,
        folder: Path,
        *,
        project: str,
        emulator_host: str,
        functions: Mapping[str, str],
        port: int = 0,
    ) -> PageServer:
        """A server for a local runtime: each HTTP function at ``/NAME`` on the page's origin."""
        config = PageConfig(project, emulator_host, {name: f"/{name}" for name in functions})
        return cls(folder, config, functions=functions, port=port)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/``."""
        return f"http://{LOOPBACK}:{self.server_address[1]}/"

    def start(self) -> PageServer:
        """Serve in a background thread; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; idempotent."""
        if self._thread.is_alive():
            self.shutdown()
            self._thread.join(timeout=10)
        self.server_close()

    def forward(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> tuple[int, dict[str, str], bytes]:
        """Send one request to a function; its status, forwarded headers and body."""
        request = urllib.request.Request(url, data=body, method=method)
        for name, value in headers.items():
            request.add_header(name, value)
        try:
            with _NO_PROXY.open(request, timeout=self.forward_timeout) as response:
                return response.status, _kept(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, _kept(exc.headers), exc.read()

    def __enter__(self) -> PageServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    server: PageServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._route(send_body=True)

    def do_HEAD(self) -> None:
        self._route(send_body=False)

    def do_POST(self) -> None:
        self._route(send_body=True)

    def do_PUT(self) -> None:
        self._route(send_body=True)

    def do_PATCH(self) -> None:
        self._route(send_body=True)

    def do_DELETE(self) -> None:
        self._route(send_body=True)

    def do_OPTIONS(self) -> None:
        self._route(send_body=True)

    def _route(self, *, send_body: bool) -> None:
        path = self.path.split("?", 1)[0]
        name = path.lstrip("/").split("/", 1)[0]
        if name in self.server.functions:
            tail = self.path[len(name) + 1 :]  # "/api/x?y" -> "/x?y"
            self._forward(name, tail if tail.startswith("/") else "/" + tail)
            return
        if self.command not in ("GET", "HEAD"):
            self._error(405, "method_not_allowed", f"{self.command} is not allowed here", "GET")
            return
        if path == CONFIG_PATH:
            self._send(200, "application/json", self.server.config_text, send_body)
            return
        file = resolve(self.server.folder, path)
        if file is None:
            self._error(404, "not_found", f"no file at {path}")
            return
        self._send(200, content_type(file), file.read_bytes(), send_body)

    def _forward(self, name: str, rest: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_FORWARDED_BODY:
            self.close_connection = True
            self._error(413, "body_too_large", "the request body is too large")
            return
        body = self.rfile.read(length) if length else None
        headers = {
            key: value
            for key in FORWARDED_REQUEST_HEADERS
            if (value := self.headers.get(key)) is not None
        }
        url = self.server.functions[name].rstrip("/") + rest
        try:
            status, answer_headers, answer = self.server.forward(self.command, url, headers, body)
        except (urllib.error.URLError, OSError) as exc:
            self._error(502, "bad_gateway", f"the function '{name}' did not answer: {exc}")
            return
        self.send_response(status)
        for key, value in answer_headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer)

    def _send(self, status: int, kind: str, body: bytes, send_body: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _error(self, status: int, code: str, message: str, allow: str | None = None) -> None:
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        self.send_response(status)
        if allow is not None:
            self.send_header("Allow", allow)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the API logs its own requests (``boiler dev`` prints them)."""


def _kept(headers: Any) -> dict[str, str]:
    return {key: headers[key] for key in FORWARDED_RESPONSE_HEADERS if headers.get(key)}
