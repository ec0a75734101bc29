"""Bodies Firestore cannot store, through the HTTP API on the emulator: 422, never a 500.

The HTTP test app's ``PUT /boards/{board}/settings`` stores any JSON the client sends. Firestore
refuses maps nested deeper than 20 levels, arrays directly in arrays and reserved field names;
the API refuses them first (422, nothing written), and the limit it applies is the emulator's:
20 levels are stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from google.cloud.firestore import Client

from boiler_core.http import function_app, local_api
from boiler_core.manifest import load_manifest

pytestmark = pytest.mark.integration

APP_DIR = Path(__file__).resolve().parents[1] / "unit" / "data" / "http_app"


@pytest.fixture
def api(firestore_client: Client) -> FlaskClient:
    """The HTTP test app's API on the emulator project of ``firestore_client``."""
    manifest = load_manifest(APP_DIR / "views.yaml")
    firestore_client.document("boards/b1").set({"title": "Plans", "size": 1, "editors": []})
    served = local_api(
        manifest,
        project=str(firestore_client.project),
        functions_dir=APP_DIR / "functions",
        log=lambda entry: None,
    )
    return function_app(served.handle).test_client()


def nested(levels: int) -> Any:
    value: Any = "deep"
    for _ in range(levels):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    "settings",
    [{"theme": nested(20)}, {"grid": [[1, 2]]}, {"x": {"__name__": 1}}, {"": 1}],
    ids=["21 levels", "array in array", "reserved name", "empty name"],
)
def test_an_unstorable_body_is_422_and_writes_nothing(
    api: FlaskClient, firestore_client: Client, settings: dict[str, Any]
) -> None:
    before = firestore_client.document("boards/b1").get()
    response = api.put("/boards/b1/settings", json={"settings": settings})
    assert response.status_code == 422
    after = firestore_client.document("boards/b1").get()
    assert after.update_time == before.update_time


def test_twenty_levels_are_stored(api: FlaskClient, firestore_client: Client) -> None:
    settings = {"theme": nested(19)}
    response = api.put("/boards/b1/settings", json={"settings": settings})
    assert response.status_code == 200
    stored = firestore_client.document("boards/b1").get().to_dict() or {}
    assert stored["settings"] == settings
