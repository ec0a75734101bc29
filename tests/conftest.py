"""Fixtures of every tier: the tests' meeting-room app, and the guard that no library test reads
the repository's top-level app (tests/support/root_app_guard.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from meeting_room_app import generated_project
from root_app_guard import GUARD, ROOT

ROOT_APP_TESTS = ROOT / "tests" / "app"
"""Tests of the root app itself, which may read it."""


def pytest_configure(config: pytest.Config) -> None:
    GUARD.install()
    GUARD.activate(True)


@pytest.fixture(autouse=True)
def _root_app_guard(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails a library test that read the root app, also when the error was swallowed."""
    exempt = request.node.path.is_relative_to(ROOT_APP_TESTS) or bool(
        request.node.get_closest_marker("root_app")
    )
    GUARD.activate(not exempt)
    yield
    GUARD.activate(True)
    offences = GUARD.take()
    if offences and not exempt:
        pytest.fail(
            "this library test read the repository's root app:\n  " + "\n  ".join(offences),
            pytrace=False,
        )


@pytest.fixture(scope="session")
def meeting_room_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated project folder of the tests' meeting-room app: views.yaml, firebase.json,
    functions/ with main.py, requirements.txt and openapi.json, firestore.rules and indexes."""
    return generated_project(tmp_path_factory.mktemp("meeting_room") / "app")
