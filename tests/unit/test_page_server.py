"""The live page's server: built files, /config.json, and the HTTP functions on the same origin."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Response
from werkzeug.wrappers import Request

from boiler_core.frontend import PageConfig, PageServer
from boiler_core.frontend.files import resolve
from boiler_core.http import LocalServer, function_app

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _echo(request: Request) -> Response:
    """A stand-in HTTP function answering what it received."""
    answer = {
        "method": request.method,
        "path": request.path,
        "query": request.query_string.decode(),
        "authorization": request.headers.get("Authorization"),
        "body": request.get_data(as_text=True),
    }
    status = 409 if request.path == "/conflict" else 200
    return Response(
        json.dumps(answer), status, {"Content-Type": "application/json", "ETag": '"v1"'}
    )


@pytest.fixture(scope="module")
def page_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("page")
    folder = tmp_path / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html><title>page</title>", encoding="utf-8")
    (folder / "app.js").write_text("console.log(1);", encoding="utf-8")
    (folder / "assets" / "style.css").write_text("body{}", encoding="utf-8")
    (folder / ".secret").write_text("no", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("no", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def served(page_dir: Path) -> Iterator[str]:
    with LocalServer(function_app(_echo)) as api:
        server = PageServer.for_runtime(
            page_dir,
            project="demo-test",
            emulator_host="127.0.0.1:8123",
            functions={"api": api.url},
        )
        with server:
            yield server.url.rstrip("/")


def _get(url: str, method: str = "GET", body: bytes | None = None, **headers: str) -> Any:
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with _DIRECT.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_root_serves_index_html(served: str) -> None:
    status, headers, body = _get(served + "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-cache"
    assert b"<title>page</title>" in body


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/assets/style.css", "text/css; charset=utf-8"),
    ],
)
def test_built_files_are_served_with_their_content_type(served: str, path: str, kind: str) -> None:
    status, headers, _ = _get(served + path)
    assert status == 200
    assert headers["Content-Type"] == kind


def test_config_names_the_project_the_emulator_and_the_functions(served: str) -> None:
    status, _, body = _get(served + "/config.json")
    assert status == 200
    assert json.loads(body) == {
        "projectId": "demo-test",
        "firestoreEmulator": {"host": "127.0.0.1", "port": 8123},
        "functions": {"api": "/api"},
    }


def test_production_config_has_no_emulator() -> None:
    config = PageConfig("my-project", None, {"api": "https://example.test/api"})
    assert "firestoreEmulator" not in json.loads(config.to_json())


@pytest.mark.parametrize(
    "path",
    [
        "/missing.js",
        "/../outside.txt",
        "/%2e%2e/outside.txt",
        "/.secret",
        "/assets/../../outside.txt",
    ],
)
def test_nothing_outside_the_folder_or_hidden_is_served(served: str, path: str) -> None:
    status, _, body = _get(served + path)
    assert status == 404
    assert json.loads(body)["error"]["code"] == "not_found"  # not the file's "no"


def test_files_cannot_be_changed(served: str) -> None:
    status, headers, _ = _get(served + "/app.js", method="PUT", body=b"x")
    assert status == 405
    assert headers["Allow"] == "GET"


def test_function_calls_are_forwarded_without_their_prefix(served: str) -> None:
    status, headers, body = _get(
        served + "/api/meeting_sessions/m1?x=1",
        method="PATCH",
        body=b'{"inSession": false}',
        Authorization="Bearer t0ken",
        **{"Content-Type": "application/json", "Cookie": "not-forwarded"},
    )
    assert status == 200
    assert headers["ETag"] == '"v1"'
    assert json.loads(body) == {
        "method": "PATCH",
        "path": "/meeting_sessions/m1",
        "query": "x=1",
        "authorization": "Bearer t0ken",
        "body": '{"inSession": false}',
    }


def test_function_errors_pass_through_unchanged(served: str) -> None:
    status, _, body = _get(served + "/api/conflict", method="POST", body=b"{}")
    assert status == 409
    assert json.loads(body)["path"] == "/conflict"


def test_the_function_root_is_reachable(served: str) -> None:
    status, _, body = _get(served + "/api")
    assert status == 200
    assert json.loads(body)["path"] == "/"


def test_a_function_that_does_not_answer_is_502(page_dir: Path) -> None:
    with LocalServer(function_app(_echo)) as api:
        gone = api.url
    config = PageConfig("demo-test", None, {"api": "/api"})
    with PageServer(page_dir, config, functions={"api": gone}) as server:
        status, _, body = _get(server.url + "api/x")
    assert status == 502
    assert json.loads(body)["error"]["code"] == "bad_gateway"


def test_resolve_maps_directories_to_their_index(page_dir: Path) -> None:
    assert resolve(page_dir, "/") == (page_dir / "index.html").resolve()
    assert resolve(page_dir, "/assets") is None  # no index.html there
    assert resolve(page_dir, "/index.html?user=x") == (page_dir / "index.html").resolve()
