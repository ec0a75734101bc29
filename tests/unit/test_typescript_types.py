"""``boiler types``: TypeScript declarations of the view documents and mutation bodies.

The library test app's declarations are a golden file. After an intended change:

    BOILER_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/test_typescript_types.py
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from meeting_room_app import VIEWS_YAML

from boiler_core.cli import main
from boiler_core.codegen.types_file import render_types
from boiler_core.codegen.typescript import TypeScriptWriter, type_name
from boiler_core.errors import GenerateError
from boiler_core.manifest import Manifest, load_manifest

HERE = Path(__file__).resolve().parent
LIBRARY = HERE / "data" / "library" / "views.yaml"
GOLDEN = HERE / "golden_typescript" / "library.ts"
UPDATE = os.environ.get("BOILER_UPDATE_GOLDEN") == "1"


def test_library_app_types_match_the_golden_file() -> None:
    text = render_types(load_manifest(LIBRARY))
    if UPDATE:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_meeting_session_fields_are_typed_from_schemas_and_hooks(manifest: Manifest) -> None:
    text = render_types(manifest)
    assert "export interface MeetingSessionsView {\n  latitude: number | null;\n" in text
    assert "  inSession: boolean;\n" in text
    assert "  attending: Attendee[];\n" in text
    assert "export interface Attendee {\n  name: string;\n  organization: string | null;\n" in text
    assert '    status: "not-started" | "in-session" | "closed" | null;\n' in text
    assert '  "users/{user}/meeting_sessions/{meeting}": MeetingSessionsView;\n' in text


def test_mutations_name_method_route_and_body(manifest: Manifest) -> None:
    text = render_types(manifest)
    assert (
        '  set_attendance: {\n    method: "PATCH";\n'
        '    route: "meeting_sessions/{meeting}/attendance";\n    body: AttendanceBody;\n'
    ) in text
    assert "export interface AttendanceBody {\n  attendance: boolean;\n}" in text


def test_output_is_deterministic(manifest: Manifest) -> None:
    assert render_types(manifest) == render_types(manifest)


@pytest.mark.parametrize(
    ("schema", "typescript"),
    [
        ({}, "unknown"),
        ({"type": "integer"}, "number"),
        ({"type": ["string", "null"]}, "string | null"),
        ({"anyOf": [{"type": "boolean"}, {"type": "null"}]}, "boolean | null"),
        ({"enum": ["a", "b", None]}, '"a" | "b" | null'),
        ({"type": "array", "items": {"type": "string"}}, "string[]"),
        ({"type": "array", "items": {"type": ["string", "null"]}}, "Array<string | null>"),
        ({"type": "array", "items": {}}, "unknown[]"),
        ({"type": "object"}, "Record<string, unknown>"),
        ({"type": "object", "additionalProperties": {"type": "number"}}, "Record<string, number>"),
        ({"type": "string", "format": "date-time"}, "Timestamp"),
        ({"anyOf": []}, "never"),
    ],
)
def test_json_schema_maps_to_typescript(schema: dict[str, Any], typescript: str) -> None:
    assert TypeScriptWriter().type_of(schema) == typescript


def test_object_keys_not_required_are_optional_and_odd_keys_quoted() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b-c": {"type": "integer", "description": "B"}},
        "required": ["a"],
    }
    assert TypeScriptWriter().type_of(schema) == '{\n  a: string;\n  /** B */\n  "b-c"?: number;\n}'


def test_timestamps_import_their_type_from_the_sdk() -> None:
    writer = TypeScriptWriter()
    writer.interface(
        "Event", {"type": "object", "properties": {"at": {"format": "date", "type": "string"}}}
    )
    assert writer.text().startswith('import type { Timestamp } from "firebase/firestore";\n')


def test_two_different_types_with_one_name_are_refused() -> None:
    writer = TypeScriptWriter()
    writer.interface("Entry", {"type": "object", "properties": {"a": {"type": "string"}}})
    writer.interface("Entry", {"type": "object", "properties": {"a": {"type": "string"}}})  # same
    with pytest.raises(GenerateError, match="both named 'Entry'"):
        writer.interface("Entry", {"type": "object", "properties": {"b": {"type": "string"}}})


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("meeting_sessions", "MeetingSessions"),
        ("book-loans", "BookLoans"),
        ("InSessionBody", "InSessionBody"),
    ],
)
def test_type_names_are_pascal_case(name: str, expected: str) -> None:
    assert type_name(name) == expected


def test_cli_writes_then_checks(tmp_path: Path) -> None:
    out = tmp_path / "views.ts"
    runner = CliRunner()
    result = runner.invoke(main, ["types", "-f", str(VIEWS_YAML), "-o", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["types", "-f", str(VIEWS_YAML), "-o", str(out), "--check"])
    assert result.exit_code == 0, result.output
    out.write_text(out.read_text(encoding="utf-8") + "// edited\n", encoding="utf-8")
    result = runner.invoke(main, ["types", "-f", str(VIEWS_YAML), "-o", str(out), "--check"])
    assert result.exit_code == 1
    assert "stale" in result.output
