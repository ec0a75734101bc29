"""Every kind of policy views.yaml can declare, compiled by boiler and enforced by the emulator.

The library test app (tests/unit/data/library) declares each read policy (public, signed-in,
owner, members, a rule full of quotes and backslashes), copies, and domain collections opened
with ``client:``. Its generated rules are loaded live into a project of their own on the session's
emulator (which also proves they compile), its documents are written with ``Bearer owner``, and
each request is made as an end user (:mod:`end_user`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from end_user import OWNER, Answer, EndUser

from boiler_core.codegen.rules import render_rules
from boiler_core.dispatch import LocalRuntime
from boiler_core.emulator import EmulatorAdmin, EmulatorRequestFailed
from boiler_core.manifest import load_manifest

pytestmark = pytest.mark.integration

LIBRARY = Path(__file__).resolve().parents[1] / "unit" / "data" / "library" / "views.yaml"
PROJECT = "demo-library-rules"
QUOTED = 'say "hi" \\ bye'
"""The label the shelf_pages rule compares with, quotes and backslash included."""

DOCUMENTS: dict[str, dict[str, Any]] = {
    "authors/ann": {"name": "Ann"},
    "books/dune": {"title": "Dune"},
    "members/ada": {"name": "Ada"},
    "shelves/s1": {"label": "SF"},
    "book_cards/dune": {"title": "Dune", "_members": ["ada"]},
    "members/ada/book_cards/dune": {"title": "Dune"},
    "member_pages/ada": {"name": "Ada"},
    "shelf_pages/open": {"label": "SF"},
    "shelf_pages/quoted": {"label": QUOTED},
}

Users = Callable[..., EndUser]


@pytest.fixture(scope="module")
def users(runtime: LocalRuntime) -> Iterator[Users]:
    """End users of the library project, its rules loaded and its documents written."""
    admin = EmulatorAdmin(runtime.emulator_host, PROJECT)
    admin.reset()
    admin.set_rules(render_rules(load_manifest(LIBRARY, import_code=False)))

    def user(uid: str | None, **claims: Any) -> EndUser:
        return EndUser(runtime.emulator_host, PROJECT, uid, claims)

    for path, data in DOCUMENTS.items():
        assert user(OWNER).set(path, data).allowed
    yield user
    admin.reset()


CASES = [
    # public domain collection (reads only)
    pytest.param(None, "get", "shelves/s1", True, id="public-read-signed-out"),
    pytest.param("ada", "set", "shelves/s1", False, id="public-collection-write"),
    # signed-in read, rule write
    pytest.param(None, "get", "books/dune", False, id="signed-in-read-signed-out"),
    pytest.param("ada", "get", "books/dune", True, id="signed-in-read"),
    pytest.param("ada", "set", "books/dune", False, id="rule-write-without-claim"),
    pytest.param("lib", "set", "books/new", True, id="rule-write-with-claim"),
    # owner read and write of a domain collection
    pytest.param("ada", "get", "members/ada", True, id="owner-reads-own-doc"),
    pytest.param("bob", "get", "members/ada", False, id="owner-reads-others-doc"),
    pytest.param("ada", "set", "members/ada", True, id="owner-writes-own-doc"),
    pytest.param("bob", "set", "members/ada", False, id="owner-writes-others-doc"),
    # closed domain collection
    pytest.param("ada", "get", "authors/ann", False, id="closed-collection-read"),
    pytest.param("lib", "set", "authors/ann", False, id="closed-collection-write"),
    # views: members, copies, owner, rule; never writable
    pytest.param("ada", "get", "book_cards/dune", True, id="members-view-member"),
    pytest.param("bob", "get", "book_cards/dune", False, id="members-view-outsider"),
    pytest.param("ada", "set", "book_cards/dune", False, id="members-view-write"),
    pytest.param("ada", "get", "members/ada/book_cards/dune", True, id="copy-own"),
    pytest.param("bob", "get", "members/ada/book_cards/dune", False, id="copy-others"),
    pytest.param("ada", "get", "member_pages/ada", True, id="owner-view-own"),
    pytest.param("bob", "get", "member_pages/ada", False, id="owner-view-others"),
    pytest.param(None, "get", "shelf_pages/open", True, id="rule-view-true"),
    pytest.param("bob", "get", "shelf_pages/quoted", False, id="rule-view-false"),
    pytest.param("lib", "get", "shelf_pages/quoted", True, id="rule-view-claim"),
    pytest.param("lib", "set", "shelf_pages/open", False, id="rule-view-write"),
]


@pytest.mark.parametrize(("uid", "action", "path", "allowed"), CASES)
def test_each_policy_kind_allows_exactly_what_it_says(
    users: Users, uid: str | None, action: str, path: str, allowed: bool
) -> None:
    user = users(uid, role="librarian") if uid == "lib" else users(uid)
    answer: Answer = user.get(path) if action == "get" else user.set(path, DOCUMENTS.get(path, {}))
    assert answer.allowed is allowed, answer
    if not allowed:
        assert answer.denied, answer


def test_list_queries_must_constrain_members_to_the_reader(users: Users) -> None:
    ada = users("ada")
    assert ada.list("", "book_cards", ("_members", "array-contains", "ada")).allowed
    assert ada.list("", "book_cards").denied
    assert ada.list("", "member_pages").denied
    assert ada.list("members/ada", "book_cards").allowed
    assert users("bob").list("members/ada", "book_cards").denied
    assert users(None).list("", "shelves").allowed


def test_the_emulator_refuses_rules_that_do_not_compile(runtime: LocalRuntime) -> None:
    """The guard behind the library project's fixture: a broken file is refused, not ignored."""
    admin = EmulatorAdmin(runtime.emulator_host, f"{PROJECT}-broken")
    with pytest.raises(EmulatorRequestFailed, match="400"):
        admin.set_rules("rules_version = '2';\nservice cloud.firestore { match /x { allow }\n")
