"""``firestore.rules``: what end users may read and write directly, compiled from views.yaml.

Only end-user traffic (the web and mobile SDKs, REST with an ID token) is subject to these rules;
the engine and the HTTP mutations use server credentials, which bypass them. The file:

* denies everything by default (``match /{document=**}``);
* opens nothing of a domain collection unless its ``client:`` entry says so;
* lets clients ``get`` and ``list`` each view collection as its ``read`` policy says, never write;
* lets each member ``get`` and ``list`` their own per-member copies, and nobody else.

Every condition is one the rules engine can prove for a list query from the query itself, so a
query is either allowed for all its results or refused: an owner's copies only under their own
path, a ``members`` view only with ``where("_members", "array-contains", uid)``.
"""

from __future__ import annotations

from collections.abc import Iterator

from boiler_core.codegen.header import HEADER
from boiler_core.codegen.placement import BEGIN, END
from boiler_core.manifest.model import (
    MEMBERS_FIELD,
    Collection,
    Copy,
    Manifest,
    PathTemplate,
    Policy,
    View,
)
from boiler_core.manifest.rule_expressions import one_line

RULES_FILE = "firestore.rules"
_SIGNED_IN = "request.auth != null"
_MATCH_INDENT = "    "
_BODY_INDENT = "      "


def render_rules(manifest: Manifest) -> str:
    """The text of ``firestore.rules`` for ``manifest``: stable order, no timestamp."""
    lines = [
        f"// {HEADER.removeprefix('# ')}",
        "// Clients read views as their read policies say and write no view; domain collections",
        "// are closed unless views.yaml opens them (client:). The engine and the HTTP mutations",
        "// use server credentials, which these rules do not limit. See docs/security.md.",
        "rules_version = '2';",
        "",
        "service cloud.firestore {",
        "  match /databases/{database}/documents {",
        "    // Default: deny every read and write not allowed below.",
        "    match /{document=**} {",
        "      allow read, write: if false;",
        "    }",
    ]
    collections = sorted(manifest.collections.values(), key=lambda c: c.name)
    closed = [c.name for c in collections if c.client.read is None and c.client.write is None]
    if closed:
        lines += ["", f"    // Domain collections closed to clients: {', '.join(closed)}."]
    lines += _entries(manifest)
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def render_rules_block(manifest: Manifest) -> str:
    """boiler's rules as a block for a project's own rules file: the views, their copies and the
    domain collections views.yaml opens, between the two marker comments of
    :mod:`boiler_core.codegen.placement`, unindented (the block is indented where it goes).

    The project's file decides everything else, including what is allowed by default.
    """
    lines = [
        BEGIN,
        "// Clients read views as their read policies say; no client writes a view.",
    ]
    lines += [line.removeprefix(_MATCH_INDENT) for line in _entries(manifest)]
    lines.append(END)
    return "\n".join(lines) + "\n"


def _entries(manifest: Manifest) -> list[str]:
    """The ``match`` blocks of the opened domain collections, the views and their copies."""
    lines: list[str] = []
    for collection in sorted(manifest.collections.values(), key=lambda c: c.name):
        if collection.client.read is not None or collection.client.write is not None:
            lines += ["", *_collection_block(collection)]
    for view in sorted(manifest.views.values(), key=lambda v: v.name):
        lines += ["", *_view_block(view)]
        for copy in sorted(view.copies, key=lambda c: c.path.text):
            lines += ["", *_copy_block(view, copy)]
    return lines


def condition(policy: Policy) -> str:
    """The rules condition granting access under ``policy`` (a view's or a collection's)."""
    if policy.kind == "public":
        return "true"
    if policy.kind == "signed-in":
        return _SIGNED_IN
    if policy.kind == "owner":
        return f"{_SIGNED_IN} && request.auth.uid == {policy.value}"
    if policy.kind == "members":
        return f"{_SIGNED_IN} && request.auth.uid in resource.data.{MEMBERS_FIELD}"
    if policy.kind == "rule":
        return f"({one_line(policy.value or 'false')})"
    raise ValueError(f"a {policy.kind} policy cannot be compiled into security rules")


def describe(policy: Policy) -> str:
    """The policy as written in views.yaml, for comments (a rule expression is not repeated)."""
    if policy.kind == "rule":
        return "{rule: ...}"
    return policy.kind if policy.value is None else f"{{{policy.kind}: {policy.value}}}"


def _collection_block(collection: Collection) -> list[str]:
    client = collection.client
    lines = [f"    // Domain collection {collection.name}: opened by views.yaml (client:)."]
    body = []
    if client.read is not None:
        body.append(f"allow get, list: if {condition(client.read)};")
    if client.write is not None:
        body.append(f"allow create, update, delete: if {condition(client.write)};")
    return lines + list(_match(collection.path, body))


def _view_block(view: View) -> list[str]:
    comment = f"    // View {view.name}: read {describe(view.read)}; no client writes."
    if view.read.kind == "members":
        comment += f" The engine keeps {MEMBERS_FIELD}."
    return [comment, *_match(view.path, [f"allow get, list: if {condition(view.read)};"])]


def _copy_block(view: View, copy: Copy) -> list[str]:
    owner = Policy("owner", copy.variable)
    return [
        f"    // Copies of {view.name} for each of {copy.for_each}: their member only; "
        "no client writes.",
        *_match(copy.path, [f"allow get, list: if {condition(owner)};"]),
    ]


def _match(path: PathTemplate, body: list[str]) -> Iterator[str]:
    yield f"{_MATCH_INDENT}match /{path.text} {{"
    yield from (f"{_BODY_INDENT}{line}" for line in body)
    yield f"{_MATCH_INDENT}}}"
