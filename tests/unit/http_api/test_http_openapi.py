"""The OpenAPI document: valid 3.1, derived from views.yaml and the schemas, written by the CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, Required, TypedDict

import pytest
from click.testing import CliRunner
from http_support import APP_DIR
from meeting_room_app import VIEWS_YAML
from openapi_spec_validator import validate

from boiler_core.cli import main
from boiler_core.errors import GenerateError
from boiler_core.http.openapi import openapi_spec, render_openapi
from boiler_core.http.routes import RouteTable
from boiler_core.http.view_schemas import annotation_schema
from boiler_core.manifest import Manifest, load_manifest
from boiler_core.manifest.model import Mutation, PathTemplate, Policy

REPO = Path(__file__).resolve().parents[3]
LIBRARY = REPO / "tests" / "unit" / "data" / "library" / "views.yaml"


@pytest.mark.parametrize("views", [VIEWS_YAML, LIBRARY, APP_DIR / "views.yaml"])
def test_the_document_is_valid_openapi_3_1(views: Path) -> None:
    spec = openapi_spec(load_manifest(views))
    assert spec["openapi"] == "3.1.0"
    validate(spec)


def test_every_route_is_documented_once(manifest: Manifest) -> None:
    spec = openapi_spec(manifest)
    assert {path: sorted(item) for path, item in spec["paths"].items() if path} == {
        "/meeting_sessions/{meeting}": ["get", "parameters", "patch"],
        "/meeting_sessions/{meeting}/attendance": ["parameters", "patch"],
        "/users/{user}/meeting_sessions/{meeting}": ["get", "parameters"],
        "/users/{user}/meeting_sessions": ["get", "parameters"],
        "/user_profiles/{user}": ["get", "parameters"],
    }


def test_views_read_under_a_rules_expression_are_not_served() -> None:
    paths = openapi_spec(load_manifest(LIBRARY))["paths"]
    assert not any(path.startswith("/shelf_pages") for path in paths)
    assert "/members/{member}/book_cards" in paths  # copies are, to their member


def test_view_fields_take_the_types_of_their_sources(manifest: Manifest) -> None:
    schemas = openapi_spec(manifest)["components"]["schemas"]
    session = schemas["view.meeting_sessions"]["properties"]
    assert session["latitude"]["type"] == ["number", "null"]
    assert session["inSession"] == {"type": "boolean"}
    assert session["numHearingAidRequested"]["type"] == "integer"
    assert session["attending"]["type"] == "array"
    meetings = schemas["view.user_profiles"]["properties"]["meetings"]["items"]["properties"]
    assert meetings["status"]["enum"] == ["not-started", "in-session", "closed", None]


def test_the_mutation_takes_its_schema_refuses_unknown_fields_and_offers_if_match(
    manifest: Manifest,
) -> None:
    spec = openapi_spec(manifest)
    patch = spec["paths"]["/meeting_sessions/{meeting}"]["patch"]
    body = patch["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/InSessionBody"}
    assert spec["components"]["schemas"]["InSessionBody"]["additionalProperties"] is False
    assert [p["name"] for p in patch["parameters"]] == ["If-Match"]
    assert {"401", "403", "404", "409", "412", "413", "415", "422"} <= set(patch["responses"])
    assert patch["security"] == [{"firebase": []}]


def test_the_document_is_deterministic_and_versioned_by_its_content(manifest: Manifest) -> None:
    text = render_openapi(manifest)
    assert text == render_openapi(load_manifest(VIEWS_YAML))
    other = replace(manifest, mutations={})
    assert json.loads(text)["info"]["version"] != openapi_spec(other)["info"]["version"]


def test_openapi_command_writes_a_valid_document(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    result = CliRunner().invoke(main, ["openapi", "-f", str(VIEWS_YAML), "-o", str(target)])
    assert result.exit_code == 0, result.output
    validate(json.loads(target.read_text()))


def test_openapi_check_exits_1_when_the_file_is_stale(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    args = ["openapi", "-f", str(VIEWS_YAML), "-o", str(target)]
    assert CliRunner().invoke(main, [*args, "--check"]).exit_code == 1
    CliRunner().invoke(main, args)
    assert CliRunner().invoke(main, [*args, "--check"]).exit_code == 0
    target.write_text(target.read_text().replace("3.1.0", "3.0.0"))
    assert CliRunner().invoke(main, [*args, "--check"]).exit_code == 1


def _with_mutation(manifest: Manifest, route: str, policy: Policy) -> Manifest:
    method, path = route.split()
    mutation = Mutation("extra", method, PathTemplate.parse(path), "x:y", None, policy)  # type: ignore[arg-type]
    return replace(manifest, mutations={**manifest.mutations, "extra": mutation})


@pytest.mark.parametrize(
    "route", ["GET meeting_sessions/{meeting}", "GET docs/{page}", "POST openapi.json/{x}"]
)
def test_routes_clashing_with_reads_or_the_apis_pages_are_refused(
    manifest: Manifest, route: str
) -> None:
    with pytest.raises(GenerateError, match=r"clashes|keeps for its own pages"):
        RouteTable(_with_mutation(manifest, route, Policy("public")))


def test_member_of_a_view_under_a_rules_expression_cannot_be_enforced() -> None:
    library = load_manifest(LIBRARY)
    broken = _with_mutation(library, "POST shelves/{shelf}/x", Policy("member-of", "shelf_pages"))
    with pytest.raises(GenerateError, match="cannot be enforced"):
        openapi_spec(broken)


class _Entry(TypedDict, total=False):
    name: Required[str]
    size: int | None


@pytest.mark.parametrize(
    ("annotation", "schema"),
    [
        (int, {"type": "integer"}),
        (bool, {"type": "boolean"}),
        (list[dict[str, Any]], {"type": "array", "items": {"type": "object"}}),
        (str | None, {"type": ["string", "null"]}),
        (
            list[int] | None,
            {"anyOf": [{"type": "array", "items": {"type": "integer"}}, {"type": "null"}]},
        ),
        (Literal["a", "b"], {"enum": ["a", "b"]}),
        (
            _Entry,
            {
                "type": "object",
                "title": "_Entry",
                "properties": {"name": {"type": "string"}, "size": {"type": ["integer", "null"]}},
                "required": ["name"],
                "additionalProperties": False,
            },
        ),
        (Any, {}),
    ],
)
def test_hook_annotations_become_schemas(annotation: Any, schema: dict[str, Any]) -> None:
    assert annotation_schema(annotation) == schema
