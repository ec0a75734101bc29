"""Constants and helpers shared by the HTTP API's in-process tests (fixtures: conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

APP_DIR = Path(__file__).resolve().parents[1] / "data" / "http_app"
HTTP_PROJECT = "demo-http"
MEETING_PROJECT = "demo-boiler"

Headers = Callable[[str], dict[str, str]]
"""``as_user("alice")``: request headers signed in as that user."""


def error(response: Any) -> dict[str, Any]:
    """The ``error`` object of an error response (which has nothing else)."""
    body: dict[str, Any] = response.get_json()
    assert set(body) == {"error"}
    return dict(body["error"])
