"""``project.check_revoked``: the API asks Firebase Auth about the token's user on every request.

firebase-admin's own code path runs (``verify_id_token(check_revoked=True)``, which looks the user
up with ``accounts:lookup``), against a local stand-in for the Auth REST endpoint that
``FIREBASE_AUTH_EMULATOR_HOST`` points it at: the stand-in answers as the Auth backend does for an
active, revoked, disabled and deleted user, and fails like an unreachable or refusing backend.
The same behaviour against the real Firebase Auth emulator is in
tests/integration/test_revoked_tokens_on_auth_emulator.py (where firebase-tools is installed).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import firebase_admin
import pytest
from flask.testing import FlaskClient
from http_support import APP_DIR, HTTP_PROJECT, Headers, error

from boiler_core.emulator.process import free_port
from boiler_core.http import FirebaseTokenVerifier, function_app, local_api, memory_backend
from boiler_core.manifest import Manifest, load_manifest_text
from boiler_core.testing import Harness


@dataclass
class AuthBackend:
    """What the stand-in knows: users by uid (``validSince`` in seconds, ``disabled``)."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    status: int = 200
    lookups: list[str] = field(default_factory=list)


def handler_for(backend: AuthBackend) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length) or b"{}")
            expected = f"/identitytoolkit.googleapis.com/v1/projects/{HTTP_PROJECT}/accounts:lookup"
            assert self.path == expected, self.path
            uid = request["localId"][0]
            backend.lookups.append(uid)
            if backend.status != 200:
                body: dict[str, Any] = {
                    "error": {"code": backend.status, "message": "PERMISSION_DENIED"}
                }
            elif uid in backend.users:
                body = {"users": [{"localId": uid, **backend.users[uid]}]}
            else:
                body = {"kind": "identitytoolkit#GetAccountInfoResponse"}
            raw = json.dumps(body).encode()
            self.send_response(backend.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, format: str, *args: Any) -> None:
            del format, args

    return Handler


def forget_firebase_apps() -> None:
    """Delete the verifiers' Firebase apps of the test project: firebase-admin reads the Auth
    emulator's address when an app first calls Auth, so each test starts with a new one."""
    for check_revoked in (False, True):
        name = FirebaseTokenVerifier(HTTP_PROJECT, check_revoked=check_revoked).app_name
        with contextlib.suppress(ValueError):
            firebase_admin.delete_app(firebase_admin.get_app(name))


@pytest.fixture
def auth_backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[AuthBackend]:
    """The stand-in on a free loopback port, named by ``FIREBASE_AUTH_EMULATOR_HOST``."""
    forget_firebase_apps()
    backend = AuthBackend()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(backend))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", f"127.0.0.1:{server.server_port}")
    yield backend
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
    forget_firebase_apps()


def with_check_revoked(manifest: Manifest, on: bool) -> Manifest:
    text = (APP_DIR / "views.yaml").read_text(encoding="utf-8")
    if on:
        text = text.replace(
            "\n  functions_dir: functions\n",
            "\n  functions_dir: functions\n  check_revoked: true\n",
        )
    loaded = load_manifest_text(text, base_dir=APP_DIR)
    assert loaded.project.check_revoked is on
    return loaded


def api_client(manifest: Manifest, boards: Harness, logs: list[dict[str, Any]]) -> FlaskClient:
    api = local_api(
        manifest,
        project=HTTP_PROJECT,
        functions_dir=APP_DIR / "functions",
        backend=memory_backend(manifest, boards.store),
        log=logs.append,
    )
    return function_app(api.handle).test_client()


@pytest.fixture
def checking(http_manifest: Manifest, boards: Harness, logs: list[dict[str, Any]]) -> FlaskClient:
    """The HTTP test app's API with ``project.check_revoked: true``."""
    return api_client(with_check_revoked(http_manifest, True), boards, logs)


def test_an_active_user_passes_with_one_lookup_per_request(
    checking: FlaskClient, auth_backend: AuthBackend, as_user: Headers
) -> None:
    auth_backend.users["alice"] = {"validSince": "0", "disabled": False}
    for _ in range(2):
        assert checking.get("/board_pages/b1", headers=as_user("alice")).status_code == 200
    assert auth_backend.lookups == ["alice", "alice"]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"validSince": str(int(time.time()) + 60), "disabled": False}, "has been revoked"),
        ({"validSince": "0", "disabled": True}, "is disabled"),
        (None, "no longer exists"),
    ],
    ids=["revoked", "disabled", "deleted"],
)
def test_a_revoked_token_or_a_disabled_or_deleted_user_is_401(
    checking: FlaskClient,
    auth_backend: AuthBackend,
    boards: Harness,
    as_user: Headers,
    record: dict[str, Any] | None,
    message: str,
) -> None:
    if record is not None:
        auth_backend.users["alice"] = record
    before = boards.store.dump()
    response = checking.patch("/board_pages/b1", json={"title": "Mine"}, headers=as_user("alice"))
    assert response.status_code == 401
    assert message in error(response)["message"]
    assert boards.store.dump() == before


def test_an_auth_backend_that_refuses_is_503_with_the_cause_logged(
    checking: FlaskClient,
    auth_backend: AuthBackend,
    as_user: Headers,
    logs: list[dict[str, Any]],
) -> None:
    auth_backend.status = 403
    response = checking.get("/board_pages/b1", headers=as_user("alice"))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "PERMISSION_DENIED" in logs[-1]["message"]


def test_an_unreachable_auth_backend_is_503(
    auth_backend: AuthBackend,
    checking: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    as_user: Headers,
) -> None:
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", f"127.0.0.1:{free_port('127.0.0.1')}")
    response = checking.get("/board_pages/b1", headers=as_user("alice"))
    assert response.status_code == 503


def test_without_the_option_a_revoked_token_passes_and_auth_is_never_asked(
    http_manifest: Manifest,
    boards: Harness,
    logs: list[dict[str, Any]],
    auth_backend: AuthBackend,
    as_user: Headers,
) -> None:
    auth_backend.users["alice"] = {"validSince": str(int(time.time()) + 60), "disabled": True}
    client = api_client(with_check_revoked(http_manifest, False), boards, logs)
    assert client.get("/board_pages/b1", headers=as_user("alice")).status_code == 200
    assert auth_backend.lookups == []
