"""Fixtures of every tier: the tests' meeting-room app (tests/support/meeting_room_app.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from meeting_room_app import generated_project


@pytest.fixture(scope="session")
def meeting_room_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated project folder of the tests' meeting-room app: views.yaml, firebase.json,
    functions/ with main.py, requirements.txt and openapi.json, firestore.rules and indexes."""
    return generated_project(tmp_path_factory.mktemp("meeting_room") / "app")
