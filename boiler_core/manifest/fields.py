"""Checking the ``fields:`` of a view: projections, equality tests, counts, lists and hooks.

Each field, and each part of a field (every ``where`` filter, ``sort`` key, ``item`` path and
hook ``reads`` path), is checked on its own, so one run reports every problem that does not
depend on another. What depends on a problem already reported is not reported again: the
``where``, ``sort`` and ``item`` paths of a count or list over an unknown join, and anything that
names a join that cannot be placed (:attr:`~boiler_core.manifest.paths.Scope.broken`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import yaml

from boiler_core.manifest.model import (
    MEMBERS_FIELD,
    ROOT,
    CountField,
    EqualsField,
    FieldPath,
    FieldSpec,
    Filter,
    HookField,
    ListField,
    SortKey,
    SourceField,
)
from boiler_core.manifest.paths import Scope, resolve_field_path
from boiler_core.manifest.reader import Reader, did_you_mean, scalar_value
from boiler_core.manifest.syntax import FIELD_KEYS, Items

T = TypeVar("T")

CheckCallable = Callable[[yaml.Node, str, str], None]
"""``check(node, spec, what)``: report when ``module:function`` is not an importable function."""

_APPLIES = {
    "source": {"source", "default", "equals"},
    "count": {"count", "where"},
    "list": {"list", "where", "sort", "item", "limit"},
    "hook": {"hook", "reads"},
}


class FieldReader:
    """Reads the fields of one view in ``scope``, recording problems on ``reader``."""

    def __init__(self, reader: Reader, scope: Scope, check_callable: CheckCallable) -> None:
        self.reader = reader
        self.scope = scope
        self.check_callable = check_callable

    def fields(self, node: yaml.Node, what: str) -> tuple[tuple[str, FieldSpec], ...] | None:
        """Every field of ``node`` (a view's ``fields:``); None when any has a problem."""
        out: list[tuple[str, FieldSpec]] = []
        ok = True
        for name, key_node, fnode in self.reader.entries(node, f"fields of {what}"):
            if name.startswith("_"):
                self.reader.error(
                    key_node,
                    f"field name '{name}' of {what} starts with '_', which is reserved for "
                    f"boiler's bookkeeping fields ({MEMBERS_FIELD})",
                    f"rename it, e.g. '{name.lstrip('_') or 'value'}'",
                )
                ok = False
            spec = self.field(fnode, f"field '{name}' of {what}")
            if spec is None:
                ok = False
            elif ok:
                out.append((name, spec))
        return tuple(out) if ok else None

    def field(self, node: yaml.Node, what: str) -> FieldSpec | None:
        """One field; None (with its problems recorded) when it is invalid."""
        reader = self.reader
        if isinstance(node, yaml.ScalarNode):
            text = reader.string(node, what)
            path = None if text is None else self._path(node, text, self.scope)
            return None if path is None else SourceField(path)
        items = reader.mapping(node, what, FIELD_KEYS)
        if items is None:
            return None
        kinds = [k for k in ("source", "count", "list", "hook") if k in items]
        if len(kinds) != 1:
            reader.error(
                node,
                f"{what} needs exactly one of source, count, list or hook (found {len(kinds)})",
                "e.g. {source: location.address} or {hook: module:function}",
            )
            return None
        kind = kinds[0]
        ok = True
        for key, (key_node, _) in items.items():
            if key not in _APPLIES[kind]:
                reader.error(
                    key_node,
                    f"'{key}' does not apply to a {kind} field ({what})",
                    f"a {kind} field takes: {', '.join(sorted(_APPLIES[kind]))}",
                )
                ok = False
        if kind == "source":
            spec: FieldSpec | None = self._source(items, what)
        elif kind == "hook":
            spec = self._hook(items, what)
        else:
            spec = self._aggregate(node, items, kind, what)
        return spec if ok else None

    def _source(self, items: Items, what: str) -> FieldSpec | None:
        value_node = items["source"][1]
        text = self.reader.string(value_node, f"source of {what}")
        path = None if text is None else self._path(value_node, text, self.scope)
        if path is None:
            return None
        if "equals" in items:
            return EqualsField(path, scalar_value(items["equals"][1]))
        default = scalar_value(items["default"][1]) if "default" in items else None
        return SourceField(path, default)

    def _hook(self, items: Items, what: str) -> HookField | None:
        reader = self.reader
        value_node = items["hook"][1]
        spec = reader.string(value_node, f"hook of {what}")
        if spec is not None:
            self.check_callable(value_node, spec, "hook")
        reads: tuple[FieldPath, ...] | None = None
        if "reads" in items:
            listed = reader.strings(items["reads"][1], f"reads of {what}")
            if listed is None:
                return None
            scope = self.scope
            anywhere = Scope(ROOT, scope.joins, scope.fields, scope.collections, True, scope.broken)
            resolved = [self._path(n, t, anywhere) for t, n in listed]
            if any(p is None for p in resolved):
                return None
            reads = tuple(p for p in resolved if p is not None)
        if spec is None:
            return None
        return HookField(spec, reads, reader.location(value_node))

    def _aggregate(self, node: yaml.Node, items: Items, kind: str, what: str) -> FieldSpec | None:
        """A count or list field: its join, then its filters, sort keys, limit and item."""
        reader, scope = self.reader, self.scope
        value_node = items[kind][1]
        join_name = reader.string(value_node, f"{kind} of {what}")
        if join_name is None or join_name in scope.broken:
            return None
        if join_name not in scope.joins:
            reader.error(
                value_node,
                f"{what} counts or lists unknown join '{join_name}'",
                did_you_mean(join_name, scope.joins) or "name a join of this view",
            )
            return None
        ok = True
        join = scope.joins[join_name]
        if join.parent != ROOT or not join.many:
            reader.error(
                value_node,
                f"{what}: join '{join_name}' must hang from the root and yield many documents",
                "use refs or query joins for counts and lists",
            )
            ok = False
        inner = Scope(join_name, scope.joins, scope.fields, scope.collections, False, scope.broken)
        where = self._where(items["where"][1], what, inner) if "where" in items else ()
        if kind == "count":
            return CountField(join_name, where) if ok and where is not None else None
        sort = self._sort(items["sort"][1], what, inner) if "sort" in items else ()
        limit = None
        if "limit" in items:
            limit = reader.integer(items["limit"][1], f"limit of {what}", minimum=1)
            ok = ok and limit is not None
        if "item" not in items:
            reader.error(
                node,
                f"{what} is a list without item",
                "add item: FIELD or item: {name: FIELD, ...}",
            )
            return None
        item = self._item(items["item"][1], what, inner)
        if not ok or where is None or sort is None or item is None:
            return None
        return ListField(join_name, item, where, sort, limit)

    def _where(self, node: yaml.Node, what: str, scope: Scope) -> tuple[Filter, ...] | None:
        out: list[Filter | None] = []
        for text, key_node, value_node in self.reader.entries(node, f"where of {what}"):
            path = self._path(key_node, text, scope)
            out.append(None if path is None else Filter(path, scalar_value(value_node)))
        return _all(out)

    def _sort(self, node: yaml.Node, what: str, scope: Scope) -> tuple[SortKey, ...] | None:
        listed = self.reader.strings(node, f"sort of {what}")
        if listed is None:
            return None
        keys: list[SortKey | None] = []
        for text, snode in listed:
            path = self._path(snode, text.lstrip("-"), scope)
            keys.append(None if path is None else SortKey(path, text.startswith("-")))
        return _all(keys)

    def _item(
        self, node: yaml.Node, what: str, scope: Scope
    ) -> FieldPath | tuple[tuple[str, FieldPath], ...] | None:
        reader = self.reader
        if isinstance(node, yaml.ScalarNode):
            text = reader.string(node, f"item of {what}")
            return None if text is None else self._path(node, text, scope)
        out: list[tuple[str, FieldPath] | None] = []
        for name, _, vnode in reader.entries(node, f"item of {what}"):
            text = reader.string(vnode, f"item '{name}' of {what}")
            path = None if text is None else self._path(vnode, text, scope)
            out.append(None if path is None else (name, path))
        return _all(out)

    def _path(self, node: yaml.Node, text: str, scope: Scope) -> FieldPath | None:
        return resolve_field_path(self.reader, node, text, scope)


def _all(items: list[T | None]) -> tuple[T, ...] | None:
    """``items`` as a tuple when none is None (each None is a problem already recorded)."""
    if any(item is None for item in items):
        return None
    return tuple(item for item in items if item is not None)
