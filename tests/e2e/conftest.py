"""The e2e tier: the deploy bundle run by Firebase's own emulators (``make e2e``).

These tests run only as the script of ``firebase emulators:exec`` (tests/e2e/run.py), which sets
``FIREBASE_EMULATOR_HUB``; elsewhere (``make test``) this folder collects nothing. The Firestore
emulator delivers each domain write to the Functions emulator, which runs the bundle's
``functions/main.py`` with its venv in functions-framework workers; the tests only write with a
client, poll for views, and call the HTTP function through the Functions emulator's URL.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

HUB = os.environ.get("FIREBASE_EMULATOR_HUB")
if not HUB:
    collect_ignore_glob = ["test_*.py"]

T = TypeVar("T")
WAIT_SECONDS = 90.0
"""Deadline of each wait: the first event of each function starts its worker (a few seconds)."""

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="session")
def emulators() -> dict[str, Any]:
    """What the emulator hub says is running: ``{name: {"host", "port", ...}}``."""
    with _NO_PROXY.open(f"http://{HUB}/emulators", timeout=10) as response:
        running: dict[str, Any] = json.loads(response.read())
    for name in ("firestore", "functions", "auth"):
        assert name in running, f"emulator {name} is not running: {sorted(running)}"
    return running


@pytest.fixture(scope="session")
def project() -> str:
    return os.environ["GCLOUD_PROJECT"]


@pytest.fixture(scope="session")
def api_url(emulators: dict[str, Any], project: str) -> str:
    """The HTTP function ``api`` as the Functions emulator serves it."""
    from meeting_room_app import VIEWS_YAML

    from boiler_core.codegen.main_py import HTTP_FUNCTION
    from boiler_core.manifest import load_manifest

    region = load_manifest(VIEWS_YAML).project.region
    functions = emulators["functions"]
    return f"http://{functions['host']}:{functions['port']}/{project}/{region}/{HTTP_FUNCTION}"


@pytest.fixture
def db(emulators: dict[str, Any], project: str) -> Iterator[Any]:
    """A client on the app's project (``FIRESTORE_EMULATOR_HOST`` comes from emulators:exec),
    the project wiped first."""
    from google.cloud.firestore import Client

    from boiler_core.emulator import EmulatorAdmin

    firestore = emulators["firestore"]
    EmulatorAdmin(f"{firestore['host']}:{firestore['port']}", project).reset()
    client = Client(project=project)
    yield client
    client.close()  # type: ignore[no-untyped-call]


@pytest.fixture
def wait_for() -> Callable[..., Any]:
    """``wait_for(predicate, what=...)``: poll until truthy, fail at the deadline."""
    from boiler_core.emulator import wait_for as poll_until

    def wait(predicate: Callable[[], T], what: str, timeout: float = WAIT_SECONDS) -> T:
        return poll_until(predicate, timeout, interval=0.1, what=what)

    return wait
