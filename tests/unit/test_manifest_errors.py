"""``boiler check``: every kind of problem in views.yaml, each with its exact message.

Each case edits one spot of the tests' meeting-room views.yaml and asserts the full
``views.yaml:LINE:COL: error: WHAT (HINT)`` line the loader reports, and that it is the only one.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from meeting_room_app import APP_DIR, VIEWS_YAML

from boiler_core.errors import ManifestError
from boiler_core.manifest import load_manifest_text

SHIPPED = VIEWS_YAML.read_text(encoding="utf-8")


def problems_after(old: str, new: str) -> list[str]:
    """Load the tests' views.yaml with ``old`` replaced by ``new``; return the problem lines."""
    assert old in SHIPPED, f"test edit does not apply: {old!r}"
    text = SHIPPED.replace(old, new, 1)
    with pytest.raises(ManifestError) as caught:
        load_manifest_text(text, base_dir=APP_DIR)
    return [str(p) for p in caught.value.problems]


CASES = [
    pytest.param(
        "region: us-central1",
        "region: us-central1\n  carry_changed_document: false",
        "views.yaml:7:3: error: project.carry_changed_document is no longer an option: the engine "
        "always reads the changed document inside the transaction (delete it)",
        id="carry-removed",
    ),
    pytest.param(
        "region: us-central1",
        "region: us-central1\n  index_deep_sources: [yes]",
        "views.yaml:7:23: error: project.index_deep_sources must be true or false, not a list",
        id="index-not-a-boolean",
    ),
    pytest.param(
        "  location: {collection: locations, ref: location}",
        "  location: {collection: locations, ref: location",
        "views.yaml:32:12: error: YAML syntax error while parsing a flow mapping: expected ',' or "
        "'}', but got ':' (fix the YAML syntax at this position)",
        id="yaml-syntax-error",
    ),
    pytest.param(
        "    root: meetings\n",
        "    root: meetings\n    jions: {}\n",
        "views.yaml:30:5: error: unknown key 'jions' in view 'meeting_sessions' "
        "(did you mean 'joins'?)",
        id="unknown-key",
    ),
    pytest.param(
        "path: meeting_sessions/{meeting}",
        "path: meeting_sessions/meeting",
        "views.yaml:28:11: error: malformed view path 'meeting_sessions/meeting': document id "
        "'meeting' must be a {variable} (for example meeting_sessions/{meeting} or "
        "users/{user}/meeting_sessions/{meeting})",
        id="malformed-path-template",
    ),
    pytest.param(
        "- path: users/{user}/meeting_sessions/{meeting}",
        "- path: users/{user}/meeting_sessions/{session}",
        "views.yaml:47:15: error: copy path 'users/{user}/meeting_sessions/{session}' must use "
        "exactly {meeting} (the root id) and one variable for each member; unbound variable "
        "{session} (e.g. users/{user}/meeting_sessions/{meeting})",
        id="unbound-variable",
    ),
    pytest.param(
        "    root: meetings\n",
        "\n",
        "views.yaml:26:3: error: view 'meeting_sessions' has no root source (add root: "
        "COLLECTION, the collection whose documents each make one view document)",
        id="missing-root",
    ),
    pytest.param(
        "{collection: locations, ref: location}",
        "{collection: location, ref: location}",
        "views.yaml:31:30: error: join 'location' of view 'meeting_sessions' names unknown "
        "collection 'location' (did you mean 'locations'?)",
        id="join-to-unknown-collection",
    ),
    pytest.param(
        "latitude: location.latitude",
        "latitude: locaton.latitude",
        "views.yaml:35:17: error: unknown join or field 'locaton' in field path "
        "'locaton.latitude' (did you mean 'location'?)",
        id="path-through-unknown-join",
    ),
    pytest.param(
        "address: location.address",
        "address: location.adress",
        "views.yaml:37:16: error: unknown field 'adress' of join 'location' in field path "
        "'location.adress' (did you mean 'address'?)",
        id="path-through-unknown-field",
    ),
    pytest.param(
        "hook: meeting_room.hooks:attending",
        "hook: meeting_room.hookz:attending",
        "views.yaml:40:15: error: cannot import module 'meeting_room.hookz' for "
        "'meeting_room.hookz:attending': ModuleNotFoundError: No module named "
        "'meeting_room.hookz' (the module must be importable from the functions folder)",
        id="hook-not-importable",
    ),
    pytest.param(
        "hook: meeting_room.hooks:attending",
        "hook: meeting_room.hooks:atending",
        "views.yaml:40:15: error: module 'meeting_room.hooks' has no attribute 'atending' "
        "(did you mean 'attending'?)",
        id="hook-missing-function",
    ),
    pytest.param(
        "hook: meeting_room.hooks:num_hearing_aid_requested",
        "hook: meeting_room.schemas:MEETING_STATUSES",
        "views.yaml:44:15: error: hook 'meeting_room.schemas:MEETING_STATUSES' is not callable "
        "(it is tuple) (point it at a function)",
        id="hook-not-callable",
    ),
    pytest.param(
        "schema: meeting_room.schemas:TicketSchema",
        "schema: meeting_room.hooks:attending",
        "views.yaml:23:13: error: schema 'meeting_room.hooks:attending' is not a marshmallow "
        "Schema (it is function) (point it at a class deriving from marshmallow.Schema)",
        id="schema-not-marshmallow",
    ),
    pytest.param(
        "path: user_profiles/{user}",
        "path: meeting_sessions/{user}",
        "views.yaml:51:3: error: views 'meeting_sessions' and 'user_profiles' both write "
        "collection 'meeting_sessions' (give each view its own collection)",
        id="two-views-one-collection",
    ),
    pytest.param(
        "path: user_profiles/{user}",
        "path: users/{user}",
        "views.yaml:51:3: error: view 'user_profiles' writes into domain collection 'users' "
        "(views are derived data: give the view its own collection)",
        id="view-writes-domain-collection",
    ),
    pytest.param(
        "    root: users\n",
        "    root: user_profiles\n",
        "views.yaml:51:3: error: views form a cycle: user_profiles -> user_profiles (a view may "
        "not read its own output, directly or through other views)",
        id="self-cycle",
    ),
    pytest.param(
        "mutations:\n",
        "mutations:\n  reopen:\n    route: PATCH meeting_sessions/{id}\n"
        "    handler: meeting_room.mutations:set_in_session\n",
        "views.yaml:73:3: error: mutations 'reopen' and 'set_in_session' clash on route PATCH "
        "meeting_sessions/{meeting} (give each mutation its own method or path)",
        id="route-clash",
    ),
    pytest.param(
        "region: us-central1",
        "region: 5",
        "views.yaml:6:11: error: project.region must be a string, not an integer",
        id="wrong-value-type",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), CASES)
def test_check_reports_the_problem_with_position_and_hint(
    old: str, new: str, expected: str
) -> None:
    assert problems_after(old, new) == [expected]


def test_check_reports_a_cycle_between_two_views() -> None:
    extra = (
        "  digests:\n    path: digests/{user}\n    root: user_profiles\n"
        "    fields: {name: first_name}\n"
    )
    text = SHIPPED.replace("    root: users\n", "    root: digests\n", 1).replace(
        "mutations:\n", extra + "\nmutations:\n", 1
    )
    with pytest.raises(ManifestError) as caught:
        load_manifest_text(text, base_dir=APP_DIR)
    messages = [p.message for p in caught.value.problems]
    assert "views form a cycle: user_profiles -> digests -> user_profiles" in messages


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "op: array-contains",
            "op: contains",
            "op of join 'meetings' of view 'user_profiles' 'contains' is not allowed",
        ),
        ("sort: $id", "sort: status.", "malformed field path 'status.'"),
        ("for_each: users", "for_each: user", "iterate over unknown join 'user'"),
        (
            "read: {owner: user}",
            "read: {owner: owner}",
            "owner variable 'owner' is not in the path",
        ),
        ("read: {members: users}", "read: everyone", "unknown read policy 'everyone'"),
        ("runtime: python311", "runtime: python27", "project.runtime 'python27' is not allowed"),
        (
            "emulator_project_id: demo-boiler",
            "emulator_project_id: boiler",
            "emulator project id 'boiler' must start with 'demo-'",
        ),
        (
            "route: PATCH meeting_sessions/{meeting}",
            "route: PATCH meeting_sessions/{id}",
            "route 'meeting_sessions/{id}' has no variable {meeting}",
        ),
        (
            "route: PATCH meeting_sessions/{meeting}",
            "route: PATCHY meeting_sessions/{meeting}",
            "unknown HTTP method 'PATCHY'",
        ),
        (
            "ref: location}",
            "ref: location, refs: location}",
            "needs exactly one of ref, refs or query",
        ),
        (
            "{source: status, equals: in-session}",
            "{source: status, count: users}",
            "needs exactly one of source, count, list or hook",
        ),
        (
            "users: {collection: users, refs: users}",
            "users: {collection: users, refs: user}",
            "links through unknown field 'user' of 'meetings'",
        ),
        (
            "latitude: location.latitude",
            "latitude: users.first_name",
            "goes through join 'users', which yields many documents",
        ),
    ],
)
def test_check_reports_more_mistakes(old: str, new: str, expected: str) -> None:
    problems = problems_after(old, new)
    assert any(expected in p for p in problems), problems


def test_check_reports_every_problem_at_once() -> None:
    text = (
        SHIPPED.replace("region: us-central1", "region: 5", 1)
        .replace("root: meetings\n", "root: meeting\n", 1)
        .replace("address: location.address", "address: location.adress", 1)
        .replace("hook: meeting_room.hooks:attending", "hook: nope:attending", 1)
    )
    with pytest.raises(ManifestError) as caught:
        load_manifest_text(text, base_dir=APP_DIR)
    lines = [p.line for p in caught.value.problems]
    assert lines == [6, 29, 37, 40], [str(p) for p in caught.value.problems]


def test_duplicate_keys_are_reported() -> None:
    problems = problems_after("    root: meetings\n", "    root: meetings\n    root: users\n")
    assert problems == [
        "views.yaml:30:5: error: duplicate key 'root' in view 'meeting_sessions' "
        "(remove one of them)"
    ]


def test_empty_file_is_reported() -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifest_text("# nothing yet\n")
    assert [str(p) for p in caught.value.problems] == [
        "views.yaml:1:1: error: views.yaml is empty (declare at least collections and views)"
    ]


def test_libyaml_and_the_pure_python_parser_load_the_same_manifest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert getattr(yaml, "CSafeLoader", None) is not None, "PyYAML here has no libyaml"
    fast = load_manifest_text(SHIPPED, base_dir=APP_DIR)
    monkeypatch.delattr(yaml, "CSafeLoader")
    assert load_manifest_text(SHIPPED, base_dir=APP_DIR) == fast


def test_problems_are_placed_by_the_pure_python_parser_whichever_parses_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a syntax error (libyaml words it differently) and a problem found after parsing: both
    # are reported as the pure-Python parser gives them, with libyaml installed or not
    broken = [
        SHIPPED.replace("region: us-central1", "region: {a:\t1}", 1),
        SHIPPED.replace("description: A meeting", "description: Réunion — a meeting", 1).replace(
            "root: meetings\n", "root: meeting\n", 1
        ),
    ]
    parsers: list[str] = []
    compose = yaml.compose

    def spy(text: str, Loader: Any) -> Any:
        parsers.append(Loader.__name__)
        return compose(text, Loader=Loader)

    monkeypatch.setattr(yaml, "compose", spy)
    with_libyaml = [_problems(text) for text in broken]
    assert parsers == ["CSafeLoader", "SafeLoader"] * 2
    monkeypatch.delattr(yaml, "CSafeLoader")
    assert [_problems(text) for text in broken] == with_libyaml
    assert with_libyaml[1] == [
        "views.yaml:29:11: error: root of view 'meeting_sessions' names unknown collection "
        "'meeting' (did you mean 'meetings'?)"
    ]


def _problems(text: str) -> list[str]:
    with pytest.raises(ManifestError) as caught:
        load_manifest_text(text, base_dir=APP_DIR)
    return [str(p) for p in caught.value.problems]
