"""``firestore.rules`` as boiler renders it from views.yaml (its enforcement is tested on the
emulator in tests/integration; the full text for the library app is a golden file)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from meeting_room_app import APP_DIR, VIEWS_YAML

from boiler_core.codegen.rules import condition, render_rules
from boiler_core.manifest import Manifest, load_manifest, load_manifest_text
from boiler_core.manifest.model import Policy
from boiler_core.manifest.rule_expressions import expression_problem, one_line

LIBRARY = Path(__file__).resolve().parent / "data" / "library" / "views.yaml"


@pytest.fixture(scope="module")
def reference() -> str:
    return render_rules(load_manifest(VIEWS_YAML))


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (Policy("public"), "true"),
        (Policy("signed-in"), "request.auth != null"),
        (Policy("owner", "user"), "request.auth != null && request.auth.uid == user"),
        (
            Policy("members", "users"),
            "request.auth != null && request.auth.uid in resource.data._members",
        ),
        (Policy("rule", "a == 1\n  || b == 2"), "(a == 1 || b == 2)"),
    ],
)
def test_each_policy_compiles_to_its_condition(policy: Policy, expected: str) -> None:
    assert condition(policy) == expected


def test_mutation_only_policies_cannot_be_compiled() -> None:
    with pytest.raises(ValueError, match="member-of"):
        condition(Policy("member-of", "meeting_sessions"))


def test_rules_deny_everything_by_default_and_start_with_the_header(reference: str) -> None:
    lines = reference.splitlines()
    assert lines[0] == "// generated from views.yaml by boiler; do not edit."
    assert "rules_version = '2';" in lines
    assert "    match /{document=**} {\n      allow read, write: if false;\n    }" in reference


def test_reference_domain_collections_are_closed(reference: str) -> None:
    assert "// Domain collections closed to clients: locations, meetings, tickets, users." in (
        reference
    )
    for collection in ("locations", "meetings", "tickets"):
        assert f"match /{collection}/" not in reference
    assert "match /users/{user} {" not in reference


def test_reference_views_and_copies_are_readable_as_their_policies_say(reference: str) -> None:
    matches = dict(re.findall(r"match /(\S+) \{\n\s+(allow [^\n]+)\n", reference))
    assert matches == {
        "{document=**}": "allow read, write: if false;",
        "meeting_sessions/{meeting}": "allow get, list: if request.auth != null && "
        "request.auth.uid in resource.data._members;",
        "users/{user}/meeting_sessions/{meeting}": "allow get, list: if request.auth != null && "
        "request.auth.uid == user;",
        "user_profiles/{user}": "allow get, list: if request.auth != null && "
        "request.auth.uid == user;",
    }


def test_no_view_allows_a_client_write() -> None:
    text = render_rules(load_manifest(LIBRARY, import_code=False))
    blocks = re.findall(r"match /(\S+) \{\n((?:\s+allow [^\n]+\n)+)", text)
    views = {"book_cards", "member_pages", "shelf_pages", "members/{member}/book_cards"}
    for path, body in blocks:
        if path.rsplit("/", 1)[0] in views:
            assert body.strip().startswith("allow get, list:")
            assert body.count("allow") == 1


def test_opened_domain_collections_get_their_client_policies() -> None:
    text = render_rules(load_manifest(LIBRARY, import_code=False))
    assert (
        "    match /books/{book} {\n"
        "      allow get, list: if request.auth != null;\n"
        '      allow create, update, delete: if (request.auth.token.role == "librarian");\n'
        "    }"
    ) in text
    assert "    match /shelves/{shelf} {\n      allow get, list: if true;\n    }" in text
    assert "// Domain collections closed to clients: authors, book-loans." in text


def test_rendering_does_not_depend_on_declaration_order() -> None:
    text = VIEWS_YAML.read_text(encoding="utf-8")
    start, middle = text.index("  meeting_sessions:\n"), text.index("  user_profiles:\n")
    end = text.index("mutations:\n")
    swapped = text[:start] + text[middle:end] + "\n" + text[start:middle] + text[end:]
    again = load_manifest_text(swapped, base_dir=APP_DIR)
    assert list(again.views) == ["user_profiles", "meeting_sessions"]
    assert render_rules(again) == render_rules(load_manifest(VIEWS_YAML))


def test_a_multi_line_rule_lands_on_one_line() -> None:
    assert one_line("  a == 1\n\n   && b == 'x y'  \n") == "a == 1 && b == 'x y'"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a == 1", None),
        ("resource.data.tags.hasAny(['a', \"b;c\"]) && {'k': 1}.k == 1", None),
        ('x == "a \\" b"', None),
        ("x == 'it\\'s'", None),
        ("", "is empty"),
        ("(a", "has an unclosed '(' at character 1"),
        ("a]", "has an unbalanced ']' at character 2"),
        ("(a]", "has an unbalanced ']' at character 3"),
        ("x == 'a\nb'", "has an unterminated string at character 6"),
        ("x == 1; y", "has a ';' at character 7, which would end the allow statement"),
        ("x /* y */", "has a comment at character 3, which would hide the rest of it"),
    ],
)
def test_rule_expressions_must_stay_one_condition(text: str, problem: str | None) -> None:
    found = expression_problem(text)
    assert (found and found.message) == problem


def test_rules_of_a_manifest_without_copies_or_open_collections() -> None:
    manifest: Manifest = load_manifest_text(
        "collections: {posts: {path: 'posts/{post}'}}\n"
        "views: {pages: {path: 'pages/{post}', root: posts, fields: {t: title}, read: public}}\n"
    )
    text = render_rules(manifest)
    assert "    match /pages/{post} {\n      allow get, list: if true;\n    }" in text
    assert "closed to clients: posts." in text
