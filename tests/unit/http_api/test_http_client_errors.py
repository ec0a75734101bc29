"""Whatever a client sends, a mistake of its own is a 4xx: never a 500, never a trace at ERROR.

Crafted tokens (nested JSON before any signature check), bodies cut short by a disconnect,
malformed bodies and encodings: each is answered with the documented JSON error, nothing is
written, and the API logs the request at WARNING only.
"""

from __future__ import annotations

import base64
import io
import json
import socket
from typing import Any

import pytest
from flask.testing import FlaskClient
from http_support import APP_DIR, HTTP_PROJECT, Headers, error

from boiler_core.http import LocalServer, emulator_id_token, function_app, local_api, memory_backend
from boiler_core.manifest import Manifest
from boiler_core.testing import Harness


def segment(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def forged(header: bytes | None = None, payload: bytes | None = None) -> str:
    """An emulator token of alice with its header or payload replaced by ``raw`` JSON text."""
    good_header, good_payload, _ = emulator_id_token("alice", HTTP_PROJECT).split(".")
    parts = [
        good_header if header is None else segment(header),
        good_payload if payload is None else segment(payload),
    ]
    return ".".join([*parts, "c2ln"])


def claims(**changes: Any) -> bytes:
    _, payload, _ = emulator_id_token("alice", HTTP_PROJECT).split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=="))
    data.update(changes)
    return json.dumps(data).encode()


def no_errors_logged(logs: list[dict[str, Any]]) -> bool:
    return all(entry["severity"] != "ERROR" for entry in logs)


CRAFTED_TOKENS = {
    "payload nested 1100 deep": forged(payload=b"[" * 1100),
    "header nested 1100 deep": forged(header=b"[" * 1100),
    "payload objects nested": forged(payload=b'{"a":' * 1100),
    "signed-looking header, nested payload": forged(
        header=b'{"alg":"RS256","kid":"k1","typ":"JWT"}', payload=b"[" * 1100
    ),
    "payload a list": forged(payload=b"[1,2]"),
    "header a string": forged(header=b'"x"'),
    "payload not UTF-8": forged(payload=b"\xff\xfe"),
    "iat a string": forged(payload=claims(iat="yesterday")),
    "exp null": forged(payload=claims(exp=None)),
    "exp a boolean": forged(payload=claims(exp=True)),
    "not base64url": "eyJ.@@@.c2ln",
    "four parts": "a.b.c.d",
    "no dots": "garbage",
    "longer than 16 KiB": forged(payload=claims(name="x" * 20_000)),
}


@pytest.mark.parametrize("emulated", [True, False], ids=["emulator mode", "production mode"])
@pytest.mark.parametrize("token", CRAFTED_TOKENS.values(), ids=CRAFTED_TOKENS.keys())
def test_a_crafted_token_is_401_before_any_signature_check(
    client: FlaskClient,
    logs: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    token: str,
    emulated: bool,
) -> None:
    if not emulated:  # production mode refuses these before it would fetch Google's keys
        monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST")
    response = client.get("/note_cards/n1", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert error(response)["code"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert no_errors_logged(logs)


def raw_patch(client: FlaskClient, body: bytes, headers: dict[str, str]) -> Any:
    """``PATCH /board_pages/b1`` with ``body`` as the raw input stream and ``headers`` as sent."""
    environ = {}
    if "Content-Length" in headers:
        environ["CONTENT_LENGTH"] = headers.pop("Content-Length")
    return client.open(
        "/board_pages/b1",
        method="PATCH",
        input_stream=io.BytesIO(body),
        headers={"Content-Type": "application/json", **headers},
        environ_overrides=environ,
    )


TITLE = b'{"title": "Renamed"}'

MALFORMED_BODIES: list[tuple[str, bytes, dict[str, str], int, str]] = [
    ("cut short by a disconnect", TITLE[:9], {"Content-Length": "20"}, 400, "bad_request"),
    ("lone surrogate", b'{"title": "\\ud800"}', {}, 400, "invalid_json"),
    ("lone surrogate in a key", b'{"title": "x", "\\udfff": 1}', {}, 400, "invalid_json"),
    ("a key twice", b'{"title": "a", "title": "b"}', {}, 400, "invalid_json"),
    ("byte order mark", b"\xef\xbb\xbf" + TITLE, {}, 400, "invalid_json"),
    ("UTF-16", TITLE.decode().encode("utf-16"), {}, 400, "invalid_json"),
    ("nested too deep", b'{"title": ' + b"[" * 5000 + b"]" * 5000 + b"}", {}, 400, "invalid_json"),
    ("5000-digit number", b'{"title": "x", "size": ' + b"9" * 5000 + b"}", {}, 400, "invalid_json"),
    ("gzip-encoded", TITLE, {"Content-Encoding": "gzip"}, 415, "unsupported_media_type"),
    ("Content-Length not a number", TITLE, {"Content-Length": "abc"}, 400, "bad_request"),
]


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [case[1:] for case in MALFORMED_BODIES],
    ids=[case[0] for case in MALFORMED_BODIES],
)
def test_a_malformed_body_is_a_4xx_and_writes_nothing(
    client: FlaskClient,
    boards: Harness,
    as_user: Headers,
    logs: list[dict[str, Any]],
    body: bytes,
    headers: dict[str, str],
    status: int,
    code: str,
) -> None:
    before = boards.store.dump()
    if "Content-Length" not in headers:
        headers = {**headers, "Content-Length": str(len(body))}
    response = raw_patch(client, body, {**as_user("alice"), **headers})
    assert response.status_code == status
    assert error(response)["code"] == code
    assert boards.store.dump() == before
    assert no_errors_logged(logs)


def test_a_client_closing_its_side_mid_body_gets_400_from_a_real_server(
    http_manifest: Manifest, boards: Harness, as_user: Headers
) -> None:
    """Over a socket: the client sends half its body and shuts its sending side down."""
    logs: list[dict[str, Any]] = []
    api = local_api(
        http_manifest,
        project=HTTP_PROJECT,
        functions_dir=APP_DIR / "functions",
        backend=memory_backend(http_manifest, boards.store),
        log=logs.append,
    )
    before = boards.store.dump()
    head = "".join(
        [
            "PATCH /board_pages/b1 HTTP/1.1\r\nHost: api\r\nConnection: close\r\n",
            f"Authorization: {as_user('alice')['Authorization']}\r\n",
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
        ]
    )
    with (
        LocalServer(function_app(api.handle)) as server,
        socket.create_connection(("127.0.0.1", server.port), timeout=30) as conn,
    ):
        conn.sendall(head.encode() + TITLE[:9])
        conn.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"400"
    assert b'"code":"bad_request"' in rest
    assert boards.store.dump() == before
    assert [entry["severity"] for entry in logs] == ["WARNING"]


def nested(levels: int) -> Any:
    value: Any = "deep"
    for _ in range(levels):
        value = {"a": value}
    return value


UNSTORABLE = {
    "maps 21 deep": {"theme": nested(20)},
    "an array in an array": {"grid": [[1, 2], [3, 4]]},
    "an empty field name": {"": 1},
    "a reserved field name": {"__name__": "x"},
    "a reserved name deep inside": {"a": [{"__x__": 1}]},
    "an integer beyond 64 bits": {"big": 2**64},
}


@pytest.mark.parametrize("settings", UNSTORABLE.values(), ids=UNSTORABLE.keys())
def test_what_firestore_cannot_store_is_422_before_the_commit(
    client: FlaskClient,
    boards: Harness,
    logs: list[dict[str, Any]],
    settings: dict[str, Any],
) -> None:
    before = boards.store.dump()
    response = client.put("/boards/b1/settings", json={"settings": settings})
    assert response.status_code == 422
    assert boards.store.dump() == before
    assert no_errors_logged(logs)


def test_maps_20_deep_and_arrays_of_maps_of_arrays_are_stored(
    client: FlaskClient, boards: Harness
) -> None:
    settings = {"theme": nested(19), "rows": [{"cells": [1, 2]}]}
    response = client.put("/boards/b1/settings", json={"settings": settings})
    assert response.status_code == 200
    assert boards.store.doc("boards/b1")["settings"] == settings  # type: ignore[index]
