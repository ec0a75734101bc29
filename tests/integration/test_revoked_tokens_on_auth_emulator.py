"""``project.check_revoked`` against the real Firebase Auth emulator (firebase-tools).

A user signs up with the emulator and gets a real ID token from it; the HTTP API (with the
option) accepts it, then refuses it once the user's tokens are revoked, the user disabled or
deleted, as firebase-admin's ``verify_id_token(check_revoked=True)`` reports them. Without the
option the revoked token still passes.

firebase-tools is what ``make e2e`` installs into ``.e2e/firebase-tools``; without it this test is
skipped (the same behaviour is tested against a stand-in of the Auth endpoint in
tests/unit/http_api/test_http_revoked_tokens.py, which always runs).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import firebase_admin
import pytest
from firebase_admin import auth
from flask.testing import FlaskClient
from process_sweep import stop_marked

from boiler_core.emulator import wait_for
from boiler_core.emulator.process import free_port
from boiler_core.http import FirebaseTokenVerifier, function_app, local_api, memory_backend
from boiler_core.manifest import Manifest, load_manifest_text
from boiler_core.testing import Harness

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
FIREBASE = ROOT / ".e2e" / "firebase-tools" / "node_modules" / ".bin" / "firebase"
APP_DIR = ROOT / "tests" / "unit" / "data" / "http_app"
PROJECT = "demo-http"
MARK = "BOILER_AUTH_EMULATOR_TEST"


def free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port("127.0.0.1")
        if port not in ports:
            ports.append(port)
    return ports


def ready(host: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://{host}/", timeout=2) as answer:
            return bool(json.load(answer).get("authEmulator", {}).get("ready"))
    except OSError:
        return False


@pytest.fixture(scope="module")
def auth_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``127.0.0.1:PORT`` of a Firebase Auth emulator for project demo-http, stopped after."""
    if not FIREBASE.exists():
        pytest.skip(f"firebase-tools is not installed at {FIREBASE} (`make e2e` installs it)")
    folder = tmp_path_factory.mktemp("auth-emulator")
    auth_port, hub_port, logging_port = free_ports(3)
    emulators = {
        "auth": {"host": "127.0.0.1", "port": auth_port},
        "hub": {"host": "127.0.0.1", "port": hub_port},
        "logging": {"host": "127.0.0.1", "port": logging_port},
        "ui": {"enabled": False},
    }
    (folder / "firebase.json").write_text(json.dumps({"emulators": emulators}))
    mark = uuid.uuid4().hex
    env = {**os.environ, MARK: mark}
    argv = [str(FIREBASE), "emulators:start", "--only", "auth", "--project", PROJECT]
    with (folder / "emulator.log").open("wb") as log:
        process = subprocess.Popen(
            argv,
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    host = f"127.0.0.1:{auth_port}"
    try:
        wait_for(lambda: ready(host) or process.poll() is not None, 90, what="the Auth emulator")
        if process.poll() is not None:
            pytest.fail(f"the Auth emulator exited:\n{(folder / 'emulator.log').read_text()}")
        yield host
    finally:
        stop_marked(MARK, mark)
        process.wait(timeout=30)


def call(host: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"http://{host}/identitytoolkit.googleapis.com/v1/{path}?key=fake-api-key",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        data: dict[str, Any] = json.load(answer)
    return data


def sign_in(host: str, email: str) -> str:
    """A fresh ID token the emulator issues for ``email``."""
    return str(call(host, "accounts:signInWithPassword", credentials(email))["idToken"])


def credentials(email: str) -> dict[str, Any]:
    return {"email": email, "password": "correct horse battery", "returnSecureToken": True}


def issued_at(token: str) -> int:
    payload = token.split(".")[1]
    return int(json.loads(base64.urlsafe_b64decode(payload + "=="))["iat"])


def forget_firebase_apps() -> None:
    """firebase-admin reads the emulator's address when an app first calls Auth: new apps."""
    for check_revoked in (False, True):
        name = FirebaseTokenVerifier(PROJECT, check_revoked=check_revoked).app_name
        with contextlib.suppress(ValueError):
            firebase_admin.delete_app(firebase_admin.get_app(name))
    with contextlib.suppress(ValueError):
        firebase_admin.delete_app(firebase_admin.get_app("auth-admin"))


@pytest.fixture
def admin(auth_host: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[firebase_admin.App]:
    """A firebase-admin app managing the emulator's users (revoke, disable, delete)."""
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", auth_host)
    forget_firebase_apps()
    yield firebase_admin.initialize_app(options={"projectId": PROJECT}, name="auth-admin")
    forget_firebase_apps()


def api(check_revoked: bool) -> FlaskClient:
    text = (APP_DIR / "views.yaml").read_text(encoding="utf-8")
    line = f"\n  functions_dir: functions\n  check_revoked: {str(check_revoked).lower()}\n"
    manifest: Manifest = load_manifest_text(
        text.replace("\n  functions_dir: functions\n", line), base_dir=APP_DIR
    )
    harness = Harness(manifest)
    harness.write("notes/n1", {"board": "b1", "text": "public"})
    served = local_api(
        manifest,
        project=PROJECT,
        functions_dir=APP_DIR / "functions",
        backend=memory_backend(manifest, harness.store),
        log=lambda entry: None,
    )
    return function_app(served.handle).test_client()


def status_and_message(client: FlaskClient, token: str) -> tuple[int, str]:
    response = client.get("/note_cards/n1", headers={"Authorization": f"Bearer {token}"})
    body = response.get_json()
    return response.status_code, str(body.get("error", {}).get("message", ""))


def test_revoked_disabled_and_deleted_users_lose_access_at_once(
    auth_host: str, admin: firebase_admin.App
) -> None:
    email = f"{uuid.uuid4().hex[:12]}@example.com"
    uid = str(call(auth_host, "accounts:signUp", credentials(email))["localId"])
    token = sign_in(auth_host, email)
    checking, trusting = api(check_revoked=True), api(check_revoked=False)
    assert status_and_message(checking, token)[0] == 200

    while int(time.time()) <= issued_at(token):  # revocation counts in whole seconds
        time.sleep(0.05)
    auth.revoke_refresh_tokens(uid, app=admin)
    status, message = status_and_message(checking, token)
    assert status == 401
    assert "revoked" in message
    assert status_and_message(trusting, token)[0] == 200  # the option is what refuses it

    fresh = sign_in(auth_host, email)
    assert status_and_message(checking, fresh)[0] == 200

    auth.update_user(uid, disabled=True, app=admin)
    status, message = status_and_message(checking, fresh)
    assert (status, "disabled" in message) == (401, True)

    auth.update_user(uid, disabled=False, app=admin)
    assert status_and_message(checking, fresh)[0] == 200
    auth.delete_user(uid, app=admin)
    status, message = status_and_message(checking, fresh)
    assert (status, "no longer exists" in message) == (401, True)
