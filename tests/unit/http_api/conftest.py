"""Fixtures of the HTTP API's in-process tests: Flask test clients on in-memory stores.

Two apps: the meeting-room app of views.yaml (``meeting_client``, seeded) and the
HTTP test app of tests/unit/data/http_app (``client``), which has a mutation for every branch.
Tokens are unsigned emulator tokens, accepted because each test runs with
``FIREBASE_AUTH_EMULATOR_HOST`` set (firebase-admin's emulator mode, nothing patched).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from http_support import APP_DIR, HTTP_PROJECT, MEETING_PROJECT, Headers

from boiler_core.http import emulator_id_token, function_app, local_api, memory_backend
from boiler_core.http.backends import Backend
from boiler_core.manifest import Manifest, load_manifest
from boiler_core.testing import Harness


@pytest.fixture(autouse=True)
def auth_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    """firebase-admin's emulator mode: unsigned ID tokens are accepted (never contacted)."""
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")


@pytest.fixture(scope="session")
def http_manifest() -> Manifest:
    return load_manifest(APP_DIR / "views.yaml")


@pytest.fixture
def boards(http_manifest: Manifest) -> Harness:
    """Board b1 (editor alice) with notes n1..n3, board b2 (editor bob); people alice, bob."""
    harness = Harness(http_manifest)
    for person in ("alice", "bob", "admin"):
        harness.write(f"people/{person}", {"name": person.title()})
    harness.write("boards/b1", {"title": "Plans", "size": 1, "editors": ["alice"]})
    harness.write("boards/b2", {"title": "Other", "size": 2, "editors": ["bob"]})
    for number in (1, 2, 3):
        harness.write(f"notes/n{number}", {"board": "b1", "text": f"note {number}"})
    return harness


@pytest.fixture
def logs() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def client(http_manifest: Manifest, boards: Harness, logs: list[dict[str, Any]]) -> FlaskClient:
    """The HTTP test app's API over the ``boards`` store, as the deployed function serves it."""
    api = local_api(
        http_manifest,
        project=HTTP_PROJECT,
        functions_dir=APP_DIR / "functions",
        backend=memory_backend(http_manifest, boards.store),
        log=logs.append,
    )
    return function_app(api.handle).test_client()


@pytest.fixture
def meeting_client(manifest: Manifest, seeded: Harness) -> FlaskClient:
    """The meeting-room API over the seeded store."""
    api = local_api(
        manifest,
        project=MEETING_PROJECT,
        backend=memory_backend(manifest, seeded.store),
        log=lambda entry: None,
    )
    return function_app(api.handle).test_client()


@pytest.fixture
def as_user() -> Headers:
    """``as_user("alice")``: headers carrying an emulator ID token of the HTTP test app."""
    return lambda uid: {"Authorization": f"Bearer {emulator_id_token(uid, HTTP_PROJECT)}"}


@pytest.fixture
def as_member() -> Headers:
    """``as_member("thomasina")``: headers carrying an emulator ID token of the meeting app."""
    return lambda uid: {"Authorization": f"Bearer {emulator_id_token(uid, MEETING_PROJECT)}"}


@pytest.fixture
def untouchable(http_manifest: Manifest) -> FlaskClient:
    """A client whose API fails the test if it ever builds its data backend."""

    def forbidden() -> Backend:
        raise AssertionError("the API touched its data backend")

    api = local_api(
        http_manifest,
        project=HTTP_PROJECT,
        functions_dir=APP_DIR / "functions",
        backend=forbidden,
        log=lambda entry: None,
    )
    return function_app(api.handle).test_client()
