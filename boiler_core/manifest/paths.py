"""Checking document path templates, routes and field paths written in views.yaml."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from boiler_core.manifest.model import ID_FIELD, ROOT, FieldPath, HttpMethod, Join, PathTemplate
from boiler_core.manifest.reader import Reader, did_you_mean
from boiler_core.manifest.rule_expressions import RESERVED_NAMES
from boiler_core.manifest.syntax import HTTP_METHODS

_COLLECTION_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_VARIABLE = re.compile(r"^\{[A-Za-z_][A-Za-z0-9_]*\}$")
_FIELD = re.compile(r"^(\$id|[A-Za-z_][A-Za-z0-9_]*)$")


def parse_template(reader: Reader, node: yaml.Node, text: str, what: str) -> PathTemplate | None:
    """Check that ``text`` alternates collection ids and ``{variables}``, ending with a variable."""
    example = "for example meeting_sessions/{meeting} or users/{user}/meeting_sessions/{meeting}"
    segments = text.split("/")
    if any(not s for s in segments) or len(segments) % 2:
        reader.error(node, f"malformed {what} '{text}': expected collection/{{id}} pairs", example)
        return None
    for index, segment in enumerate(segments):
        if index % 2 == 0 and not _COLLECTION_ID.match(segment):
            hint = "write the document id as {variable}" if "{" in segment else example
            reader.error(node, f"malformed {what} '{text}': bad collection id '{segment}'", hint)
            return None
        if index % 2 == 1 and not _VARIABLE.match(segment):
            reader.error(
                node,
                f"malformed {what} '{text}': document id '{segment}' must be a {{variable}}",
                example,
            )
            return None
    template = PathTemplate.parse(text)
    names = template.variables
    for name in {n for n in names if names.count(n) > 1}:
        reader.error(node, f"variable '{{{name}}}' appears twice in {what} '{text}'", "rename one")
        return None
    for name in names:
        if name in RESERVED_NAMES:
            reader.error(
                node,
                f"variable '{{{name}}}' of {what} '{text}' is a reserved name of security rules",
                f"rename it, e.g. {{{name}_id}}",
            )
            return None
    return template


def parse_route(reader: Reader, node: yaml.Node, text: str) -> PathTemplate | None:
    """Check an HTTP route path: literal segments and ``{variables}``, no empty segments."""
    segments = text.strip("/").split("/")
    for segment in segments:
        if not segment or not (_COLLECTION_ID.match(segment) or _VARIABLE.match(segment)):
            reader.error(
                node,
                f"malformed route path '{text}': bad segment '{segment}'",
                "for example PATCH meeting_sessions/{meeting}",
            )
            return None
    return PathTemplate.parse("/".join(segments))


@dataclass(frozen=True)
class Scope:
    """Where a field path is resolved: a base document and the joins reachable from it."""

    base: str
    """:data:`ROOT` or the join whose documents the path starts from."""

    joins: Mapping[str, Join]
    """Every join of the view, by name."""

    fields: Mapping[str, frozenset[str] | None]
    """Known top-level fields per join name (and :data:`ROOT`); None when unknown."""

    collections: Mapping[str, str]
    """Collection of each join name (and :data:`ROOT`)."""

    any_join: bool = False
    """When true (hook ``reads``), any join of the view may start the path."""

    broken: frozenset[str] = frozenset()
    """Joins of the view that could not be placed (a problem already reported): a path
    through one is not checked, and not reported again."""

    def reachable(self, name: str) -> bool:
        """True when join ``name`` yields at most one document per base document."""
        if self.any_join:
            return True
        join = self.joins[name]
        while join.kind == "ref":
            if join.parent == self.base:
                return True
            if join.parent == ROOT:
                return False
            join = self.joins[join.parent]
        return False


def resolve_field_path(
    reader: Reader, node: yaml.Node, text: str, scope: Scope
) -> FieldPath | None:
    """Resolve ``location.address`` (or ``status``, ``$id``) within ``scope``."""
    parts = text.split(".")
    if not all(_FIELD.match(p) for p in parts):
        reader.error(
            node,
            f"malformed field path '{text}'",
            "use dot-separated field names, e.g. location.address or $id",
        )
        return None
    head = parts[0]
    if head in scope.broken:
        return None  # the join's own problem is reported where it is declared
    if head in scope.joins and head != scope.base:
        if scope.reachable(head):
            if len(parts) == 1:
                reader.error(
                    node, f"field path '{text}' names a join, not a field", f"e.g. {head}.$id"
                )
                return None
            return _check_field(reader, node, text, head, tuple(parts[1:]), scope)
        kind = "yields many documents" if scope.joins[head].many else "is not reachable here"
        reader.error(
            node,
            f"field path '{text}' goes through join '{head}', which {kind}",
            "use a count or list field for joins of many documents",
        )
        return None
    return _check_field(reader, node, text, scope.base, tuple(parts), scope)


def _check_field(
    reader: Reader, node: yaml.Node, text: str, join: str, parts: tuple[str, ...], scope: Scope
) -> FieldPath | None:
    top = parts[0]
    if top == ID_FIELD:
        if len(parts) > 1:
            reader.error(node, f"field path '{text}': $id has no sub-fields")
            return None
        return FieldPath(join, parts, text)
    known = scope.fields.get(join)
    if known is not None and top not in known:
        where = "the root" if join == ROOT else f"join '{join}'"
        collection = scope.collections[join]
        candidates = set(known)
        if join == scope.base:
            candidates |= {j for j in scope.joins if scope.reachable(j)}
            message = f"unknown join or field '{top}' in field path '{text}'"
        else:
            message = f"unknown field '{top}' of {where} in field path '{text}'"
        hint = did_you_mean(top, candidates) or (
            f"collection '{collection}' has fields: {', '.join(sorted(known)) or '(none)'}"
        )
        reader.error(node, message, hint)
        return None
    return FieldPath(join, parts, text)


def read_route(reader: Reader, node: yaml.Node) -> tuple[HttpMethod, Any] | None:
    """``METHOD path/{var}`` -> (method, PathTemplate)."""
    text = reader.string(node, "route")
    if text is None:
        return None
    parts = text.split()
    if len(parts) != 2:
        reader.error(
            node,
            f"malformed route '{text}'",
            "write METHOD path, e.g. PATCH meeting_sessions/{meeting}",
        )
        return None
    method, path = parts
    if method.upper() not in HTTP_METHODS:
        reader.error(
            node,
            f"unknown HTTP method '{method}' in route '{text}'",
            did_you_mean(method.upper(), HTTP_METHODS) or f"one of {', '.join(HTTP_METHODS)}",
        )
        return None
    template = parse_route(reader, node, path)
    if template is None:
        return None
    return method.upper(), template  # type: ignore[return-value]
