"""The pieces codegen assembles: function names, string literals, requirements, indexes."""

from __future__ import annotations

import ast
import json
import re
import tomllib
from pathlib import Path

import pytest
from meeting_room_app import APP_DIR, VIEWS_YAML

import boiler_core
from boiler_core.codegen.indexes import EngineQuery, engine_queries, render_indexes
from boiler_core.codegen.main_py import block_string
from boiler_core.codegen.names import FUNCTION_ID, MAX_LENGTH, trigger_names
from boiler_core.codegen.pins import Pin, load_pins
from boiler_core.codegen.requirements import render_requirements
from boiler_core.manifest import load_manifest, load_manifest_text

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def test_trigger_names_follow_the_collection_ids() -> None:
    assert trigger_names(["meetings", "users"]) == {
        "meetings": "on_meetings_written",
        "users": "on_users_written",
    }


def test_trigger_names_replace_characters_python_names_cannot_hold() -> None:
    assert trigger_names(["book-loans"]) == {"book-loans": "on_book_loans_written"}


def test_trigger_names_stay_distinct_when_two_collections_sanitize_alike() -> None:
    names = trigger_names(["book-loans", "book_loans"])
    assert len(set(names.values())) == 2
    assert all(re.fullmatch(r"on_book_loans_[0-9a-f]{8}_written", n) for n in names.values())
    assert names == trigger_names(["book_loans", "book-loans"])


def test_trigger_names_of_long_collection_ids_are_valid_function_ids() -> None:
    long_ids = ["x" * 80, "x" * 79, "_" + "y" * 70]
    names = trigger_names(long_ids)
    assert len(set(names.values())) == 3
    for name in names.values():
        assert FUNCTION_ID.match(name), name
        assert len(name) <= MAX_LENGTH, name


@pytest.mark.parametrize(
    "text",
    [
        "plain\n",
        'a """ triple quote\n',
        'quotes at the end"',
        'four """" and six """""" quotes\n',
        "back\\slash \\n not a newline \\\n",
        "ünïcode ✓\n",
        "",
    ],
)
def test_block_string_is_a_python_literal_of_exactly_the_text(text: str) -> None:
    literal = block_string(text)
    assert literal.startswith('"""\\\n')
    assert ast.literal_eval(literal) == text


def test_requirements_install_the_boiler_that_generated_them_from_the_wheels_folder() -> None:
    lines = render_requirements("1.2.0", pins=()).splitlines()
    assert lines[0] == "# generated from views.yaml by boiler; do not edit."
    assert lines[2:4] == ["--find-links wheels", "boiler-core==1.2.0"]
    assert all(line.startswith("#") for line in lines[:2] + lines[4:])


def test_requirements_pin_the_tested_versions_then_list_the_apps_own() -> None:
    pins = (Pin("grpcio", "1.2.3"), Pin("protobuf", "4.5.6"))
    lines = render_requirements("1.2.0", pins=pins, app=("requests>=2.31",)).splitlines()
    assert lines[4:] == [
        "# The versions boiler's tests ran with.",
        "grpcio==1.2.3",
        "protobuf==4.5.6",
        "# The app's own (views.yaml, project.requirements).",
        "requests>=2.31",
    ]
    assert render_requirements().splitlines()[5:] == [pin.line() for pin in load_pins()]


def test_requirements_pin_this_boilers_version_as_pyproject_declares_it() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["dynamic"] == ["version"]
    attr = pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "boiler_core.__version__"
    assert f"boiler-core=={boiler_core.__version__}" in render_requirements().splitlines()


def test_engine_queries_are_link_fields_and_the_masters_deep_sources() -> None:
    manifest = load_manifest(VIEWS_YAML)
    assert engine_queries(manifest) == (
        EngineQuery("meetings", "location", "=="),
        EngineQuery("meetings", "tickets", "array-contains"),
        EngineQuery("meetings", "users", "array-contains"),
        EngineQuery("user_profiles", "_deep_sources", "array-contains"),
    )
    text = VIEWS_YAML.read_text(encoding="utf-8")
    climbing = text.replace("region: us-central1", "region: us-central1\n  index_deep_sources: no")
    queries = engine_queries(load_manifest_text(climbing, base_dir=APP_DIR))
    assert [q.field for q in queries] == ["location", "tickets", "users"]


def test_indexes_need_no_composite_index_and_exempt_only_pending_events() -> None:
    manifest = load_manifest(VIEWS_YAML)
    exempt = [{"collectionGroup": "_boiler_pending", "fieldPath": "payload", "indexes": []}]
    assert json.loads(render_indexes(manifest)) == {"indexes": [], "fieldOverrides": exempt}
    queried = {(q.collection, q.field) for q in engine_queries(manifest)}
    assert not queried & {(o["collectionGroup"], o["fieldPath"]) for o in exempt}
    # no backstop records nothing: no override
    text = VIEWS_YAML.read_text(encoding="utf-8")
    reading = text.replace("region: us-central1", "region: us-central1\n  backstop: false")
    rendered = render_indexes(load_manifest_text(reading, base_dir=APP_DIR))
    assert rendered == '{\n  "fieldOverrides": [],\n  "indexes": []\n}\n'
