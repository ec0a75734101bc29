"""Serving an :class:`~boiler_core.http.api.HttpApi` locally, the way Cloud Functions does.

:func:`function_app` wraps a request handler in a Flask app routed like functions-framework's
HTTP functions (every method on ``/`` and ``/<path:path>``), so the Flask test client and the
local server exercise the handler as the deployed function receives requests. Two differences,
both so that every answer is the API's own JSON: paths Werkzeug's router does not match (with a
newline) reach the handler, and ``//`` is not redirected.
:class:`LocalServer` runs that app on ``127.0.0.1`` in a background thread, on a free port unless
one is given, until :meth:`LocalServer.stop` (or the end of its ``with`` block).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

import flask
from flask import Response
from werkzeug.routing import Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request

LOOPBACK = "127.0.0.1"


def function_app(handler: Callable[[Request], Response], name: str = "boiler_api") -> flask.Flask:
    """A Flask app calling ``handler`` for every method and path (as functions-framework does)."""
    app = flask.Flask(name)
    app.url_map.merge_slashes = False  # the handler answers "//" itself, not with a redirect
    app.url_map.add(Rule("/", defaults={"path": ""}, endpoint="run"))
    app.url_map.add(Rule("/<path:path>", endpoint="run"))

    def run(path: str = "") -> Response:
        del path  # the handler routes on request.path
        return handler(flask.request._get_current_object())  # type: ignore[attr-defined]

    def unrouted(error: Exception) -> Response:
        del error  # Werkzeug's path converter skips some paths (a newline): answer them too
        return run()

    app.view_functions["run"] = run
    app.register_error_handler(404, unrouted)
    return app


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without its access log: the API logs one JSON line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        del code, size


class LocalServer:
    """A threaded HTTP server for ``app`` on the loopback interface."""

    def __init__(self, app: Any, *, port: int = 0) -> None:
        self._server: BaseWSGIServer = make_server(
            LOOPBACK, port, app, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="boiler-api", daemon=True
        )

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> LocalServer:
        """Start serving in the background; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
