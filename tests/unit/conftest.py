"""Shared fixtures of the unit tests: the meeting-room manifest and engines on a MemoryStore."""

from __future__ import annotations

import pytest
from meeting_room.fixture import fixture_documents  # the copy's functions/ is on the pythonpath
from meeting_room_app import VIEWS_YAML

from boiler_core.manifest import Manifest, load_manifest
from boiler_core.testing import Harness


@pytest.fixture(scope="session")
def manifest() -> Manifest:
    """The meeting-room app's views.yaml (the tests' copy), loaded and checked."""
    return load_manifest(VIEWS_YAML)


@pytest.fixture
def app(manifest: Manifest) -> Harness:
    """An empty MemoryStore with an engine handling every write made through the harness."""
    return Harness(manifest)


@pytest.fixture
def seeded(app: Harness) -> Harness:
    """The harness after seeding: one change per fixture document, in fixture order."""
    for path, data in fixture_documents().items():
        app.write(path, data)
    return app
