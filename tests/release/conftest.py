"""The release tier: the built sdist and wheel as a user gets them (``make dist``).

These tests run only when ``BOILER_DIST`` names the folder ``python -m build`` wrote (``make dist``
sets it); elsewhere (``make test``) this folder collects nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DIST = os.environ.get("BOILER_DIST")
if not DIST:
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def dist() -> Path:
    assert DIST is not None
    return Path(DIST)
