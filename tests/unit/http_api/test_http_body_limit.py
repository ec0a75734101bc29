"""The 64 KiB body limit holds however the body is sent: with Content-Length, chunked, or with no
length at all; a body at the limit passes, one byte more is 413 and writes nothing.

Chunked bodies are parsed by the servers that run the API: gunicorn's own request parser and
WSGI environ (what functions-framework serves deployed functions with) in-process, and Werkzeug's
server (``boiler dev``) over a socket.
"""

from __future__ import annotations

import io
import json
import socket
import sys
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from gunicorn.config import Config
from gunicorn.http import wsgi as gunicorn_wsgi
from gunicorn.http.parser import RequestParser
from http_support import Headers

from boiler_core.http import LocalServer
from boiler_core.http.bodies import MAX_BODY_BYTES
from boiler_core.testing import Harness

TITLE = json.dumps({"title": "Padded"}).encode()


def padded(size: int) -> bytes:
    """A JSON body of exactly ``size`` bytes whose first 64 KiB are valid JSON on their own."""
    return TITLE + b" " * (size - len(TITLE))


def chunked(body: bytes) -> bytes:
    pieces = [body[i : i + 8192] for i in range(0, len(body), 8192)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


def request_head(headers: dict[str, str], framing: str) -> bytes:
    lines = ["PATCH /board_pages/b1 HTTP/1.1", "Host: api", "Connection: close", framing]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


Status = tuple[int, bytes]
Send = Callable[[Flask, bytes, dict[str, str]], Status]


def call(app: Flask, environ: dict[str, Any]) -> Status:
    answer: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
        answer.append(status)

    body = b"".join(app(environ, start_response))
    return int(answer[0].split()[0]), body


def through_gunicorn(app: Flask, body: bytes, headers: dict[str, str]) -> Status:
    """Chunked, parsed by gunicorn into the WSGI environ it hands the function."""
    raw = request_head(headers, "Transfer-Encoding: chunked") + chunked(body)
    config = Config()
    request = next(iter(RequestParser(config, iter([raw]), ("127.0.0.1", 50000))))
    ours, theirs = socket.socketpair()
    with ours, theirs:
        _, environ = gunicorn_wsgi.create(
            request, ours, ("127.0.0.1", 50000), ("127.0.0.1", 8080), config
        )
        assert "CONTENT_LENGTH" not in environ
        return call(app, environ)


def through_werkzeug(app: Flask, body: bytes, headers: dict[str, str]) -> Status:
    """Chunked, over a socket to Werkzeug's server (the one ``boiler dev`` runs)."""
    with (
        LocalServer(app) as server,
        socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn,
    ):
        conn.sendall(request_head(headers, "Transfer-Encoding: chunked") + chunked(body))
        answer = b""
        while piece := conn.recv(65536):
            answer += piece
    head, _, rest = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), rest


def without_length(app: Flask, body: bytes, headers: dict[str, str]) -> Status:
    """A stream the server ends itself, with no Content-Length (``wsgi.input_terminated``)."""
    environ = {
        "REQUEST_METHOD": "PATCH",
        "PATH_INFO": "/board_pages/b1",
        "SERVER_NAME": "api",
        "SERVER_PORT": "8080",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "CONTENT_TYPE": headers["Content-Type"],
        "HTTP_AUTHORIZATION": headers["Authorization"],
    }
    return call(app, environ)


def with_length(app: Flask, body: bytes, headers: dict[str, str]) -> Status:
    response = app.test_client().patch("/board_pages/b1", data=body, headers=headers)
    return response.status_code, response.get_data()


SENDERS: dict[str, Send] = {
    "Content-Length": with_length,
    "chunked through gunicorn": through_gunicorn,
    "chunked through Werkzeug's server": through_werkzeug,
    "no length": without_length,
}


@pytest.fixture
def app(client: Any) -> Flask:
    """The Flask app behind the ``client`` fixture (the HTTP test app on the boards store)."""
    flask_app: Flask = client.application
    return flask_app


@pytest.mark.parametrize("send", SENDERS.values(), ids=SENDERS.keys())
def test_a_body_one_byte_over_the_limit_is_413_and_writes_nothing(
    app: Flask, boards: Harness, as_user: Headers, send: Send
) -> None:
    before = boards.store.dump()
    headers = {"Content-Type": "application/json", **as_user("alice")}
    status, body = send(app, padded(MAX_BODY_BYTES + 1), headers)
    assert status == 413
    assert json.loads(body)["error"]["code"] == "body_too_large"
    assert boards.store.dump() == before


@pytest.mark.parametrize("send", SENDERS.values(), ids=SENDERS.keys())
def test_a_body_at_the_limit_is_taken(
    app: Flask, boards: Harness, as_user: Headers, send: Send
) -> None:
    headers = {"Content-Type": "application/json", **as_user("alice")}
    status, body = send(app, padded(MAX_BODY_BYTES), headers)
    assert (status, json.loads(body)) == (200, {"result": {"title": "Padded"}})
    assert boards.store.doc("boards/b1")["title"] == "Padded"  # type: ignore[index]
