"""Routing before anything else: 404, 405, OPTIONS and CORS, the API's own pages."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from http_support import APP_DIR, error
from werkzeug.test import Client

from boiler_core.http import local_api
from boiler_core.manifest import Manifest

ORIGIN = "https://app.example.com"


@pytest.mark.parametrize(
    "path",
    [
        "/__/health",
        "/",
        "/board_pages",
        "/board_pages/b1/extra",
        "/board_pages/__x__",
        "/board_pages/..",
        "/board_pages/" + "x" * 1501,
        "/nothing/here",
    ],
)
def test_unknown_paths_are_404_without_touching_data(untouchable: FlaskClient, path: str) -> None:
    response = untouchable.get(path, headers={"Authorization": "Bearer whatever"})
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/board_pages/b1", "GET, HEAD, OPTIONS, PATCH"),
        ("PUT", "/note_cards", "GET, HEAD, OPTIONS"),
        ("TRACE", "/boards/b1", "DELETE, OPTIONS"),
        ("DELETE", "/openapi.json", "GET, HEAD, OPTIONS"),
    ],
)
def test_unknown_methods_are_405_with_allow_before_the_token_is_read(
    untouchable: FlaskClient, method: str, path: str, allow: str
) -> None:
    response = untouchable.open(path, method=method, headers={"Authorization": "Bearer bad"})
    assert response.status_code == 405
    assert response.headers["Allow"] == allow
    assert error(response)["code"] == "method_not_allowed"


def test_options_answers_allow_without_touching_data(untouchable: FlaskClient) -> None:
    response = untouchable.options("/board_pages/b1")
    assert response.status_code == 204
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS, PATCH"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_preflight_from_an_allowed_origin_gets_cors_headers(untouchable: FlaskClient) -> None:
    response = untouchable.options(
        "/board_pages/b1",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PATCH"},
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]
    assert "If-Match" in response.headers["Access-Control-Allow-Headers"]
    assert response.headers["Vary"] == "Origin"


def test_other_origins_get_no_cors_headers(client: FlaskClient) -> None:
    preflight = client.options(
        "/board_pages/b1",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PATCH"},
    )
    assert "Access-Control-Allow-Origin" not in preflight.headers
    assert "Access-Control-Allow-Methods" not in preflight.headers
    read = client.get("/note_cards/n1", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in read.headers


def test_responses_to_an_allowed_origin_expose_the_etag(client: FlaskClient) -> None:
    response = client.get("/note_cards/n1", headers={"Origin": ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Expose-Headers"] == "ETag"


def test_no_cors_headers_when_the_manifest_allows_no_origin(meeting_client: FlaskClient) -> None:
    response = meeting_client.get("/openapi.json", headers={"Origin": ORIGIN})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_openapi_document_is_served_without_touching_data(untouchable: FlaskClient) -> None:
    response = untouchable.get("/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"] == "3.1.0"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_docs_page_loads_swagger_ui_from_the_package_not_a_cdn(untouchable: FlaskClient) -> None:
    page = untouchable.get("/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "http" not in html.replace('lang="en"', "")  # no absolute URL: assets are ours
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "boiler-docs.js"):
        assert f"docs/assets/{asset}" in html
        served = untouchable.get(f"/docs/assets/{asset}")
        assert served.status_code == 200
        assert served.data
    assert b"openapi.json" in untouchable.get("/docs/assets/boiler-docs.js").data
    assert untouchable.get("/docs/assets/secret.py").status_code == 404


def test_every_response_is_json_with_nosniff(untouchable: FlaskClient) -> None:
    response = untouchable.get("/nowhere")
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_api_is_also_a_plain_wsgi_application(http_manifest: Manifest) -> None:
    api = local_api(http_manifest, project="demo-http", functions_dir=APP_DIR / "functions")
    response = Client(api.wsgi).get("/nowhere")
    assert response.status_code == 404
    assert response.json == {"error": {"code": "not_found", "message": "no resource at /nowhere"}}
