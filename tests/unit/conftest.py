"""Shared fixtures of the unit tests: the meeting-room manifest and engines on a MemoryStore."""

from __future__ import annotations

from pathlib import Path

import pytest
from meeting_room.fixture import fixture_documents  # functions/ is on pytest's pythonpath

from boiler_core.manifest import Manifest, load_manifest
from boiler_core.testing import Harness

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def manifest() -> Manifest:
    """The meeting-room app's views.yaml, loaded and checked."""
    return load_manifest(PROJECT / "views.yaml")


@pytest.fixture
def app(manifest: Manifest) -> Harness:
    """An empty MemoryStore with an engine handling every write made through the harness."""
    return Harness(manifest)


@pytest.fixture
def seeded(app: Harness) -> Harness:
    """The harness after scenario S1: one change per fixture document, in fixture order."""
    for path, data in fixture_documents().items():
        app.write(path, data)
    return app
