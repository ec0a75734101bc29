"""The JSON Schema shipped for editors agrees with the loader, so the two cannot drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from meeting_room_app import APP_DIR, VIEWS_YAML

from boiler_core.errors import ManifestError
from boiler_core.manifest import load_manifest_text, syntax

REPO = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO / "boiler_core" / "manifest" / "views.schema.json"
SHIPPED = VIEWS_YAML.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(data)
    return data


def object_keys(schema: dict[str, Any], definition: dict[str, Any]) -> set[str]:
    if "properties" in definition:
        return set(definition["properties"])
    keys: set[str] = set()
    for option in definition.get("oneOf", []):
        keys |= set(option.get("properties", {}))
    return keys


@pytest.mark.parametrize(
    ("definition", "table"),
    [
        (None, syntax.TOP_KEYS),
        ("project", syntax.PROJECT_KEYS),
        ("collection", syntax.COLLECTION_KEYS),
        ("view", syntax.VIEW_KEYS),
        ("join", syntax.JOIN_KEYS),
        ("field", syntax.FIELD_KEYS),
        ("copy", syntax.COPY_KEYS),
        ("viewPolicy", syntax.VIEW_POLICY_KEYS),
        ("mutation", syntax.MUTATION_KEYS),
        ("mutationPolicy", syntax.MUTATION_POLICY_KEYS),
        ("clientAccess", syntax.CLIENT_KEYS),
        ("clientPolicy", syntax.CLIENT_POLICY_KEYS),
    ],
)
def test_schema_allows_exactly_the_keys_the_loader_reads(
    schema: dict[str, Any], definition: str | None, table: tuple[str, ...]
) -> None:
    node = schema if definition is None else schema["$defs"][definition]
    assert object_keys(schema, node) == set(table)


def test_schema_runtimes_match_the_loader(schema: dict[str, Any]) -> None:
    runtime = schema["$defs"]["project"]["properties"]["runtime"]["enum"]
    assert tuple(runtime) == syntax.RUNTIMES


def test_shipped_views_yaml_is_valid_for_both(schema: dict[str, Any]) -> None:
    jsonschema.validate(yaml.safe_load(SHIPPED), schema)
    load_manifest_text(SHIPPED, base_dir=APP_DIR)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    root: meetings\n", "    root: meetings\n    jions: {}\n"),
        ("region: us-central1", "region: 5"),
        ("{collection: locations, ref: location}", "{collection: locations}"),
        ("path: meeting_sessions/{meeting}", "path: meeting_sessions/meeting"),
        ("read: {owner: user}", "read: everyone"),
        ("route: PATCH meeting_sessions/{meeting}", "route: meeting_sessions/{meeting}"),
        ("sort: $id", "sort: 3"),
        ("runtime: python311", "runtime: python27"),
        ("region: us-central1", "region: us-central1\n  cors_origins: [http://app.example.com]"),
        ("region: us-central1", "region: us-central1\n  carry_changed_document: true"),
        ("region: us-central1", "region: us-central1\n  index_deep_sources: often"),
        ("    path: users/{user}\n", "    path: users/{user}\n    client: {write: {members: x}}\n"),
    ],
)
def test_structural_mistakes_are_refused_by_both(
    schema: dict[str, Any], old: str, new: str
) -> None:
    text = SHIPPED.replace(old, new, 1)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(text), schema)
    with pytest.raises(ManifestError):
        load_manifest_text(text, base_dir=APP_DIR)


def test_schema_is_packaged_with_the_library() -> None:
    from importlib.resources import files

    packaged = files("boiler_core.manifest").joinpath("views.schema.json").read_text("utf-8")
    assert json.loads(packaged)["title"] == "boiler views.yaml"
