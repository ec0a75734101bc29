"""Computing a view document's fields from its sources (pure; the only code that runs hooks).

:func:`compute` is the function of contract 1: given the :class:`Sources` of one root document it
returns the view document's content, and nothing else influences it. Values are written in a
store-neutral, comparable form (:func:`to_view_value`): references become their path strings,
tuples become lists, mappings become plain dicts, so a recomputed document compares equal to the
stored one whenever nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from boiler_core.documents import Doc, Ref
from boiler_core.engine.failures import hook_raised
from boiler_core.engine.sources import Sources
from boiler_core.manifest.model import (
    ID_FIELD,
    ROOT,
    CountField,
    EqualsField,
    FieldPath,
    Filter,
    HookField,
    ListField,
    SourceField,
    View,
)

Hook = Callable[[Sources], Any]
"""A computed field: ``def hook(sources: Sources) -> value``."""

_MISSING: Any = object()


def to_view_value(value: Any) -> Any:
    """``value`` as the engine writes it into a view document (see the module docstring)."""
    kind = type(value)  # exact types first: nearly every value is one, and they are cheaper
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    if kind is dict:
        return {str(k): to_view_value(v) for k, v in value.items()}
    if kind is list:
        return [to_view_value(v) for v in value]
    if isinstance(value, Ref):
        return value.path
    if isinstance(value, Mapping):
        return {str(k): to_view_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_view_value(v) for v in value]
    return value


def order_key(value: Any) -> tuple[Any, ...]:
    """Sort key ordering mixed values as Firestore does (null < bool < number < ... < map)."""
    if value is _MISSING:
        return (0,)
    if value is None:
        return (1,)
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, int | float):
        return (3, value)
    if isinstance(value, datetime):
        return (4, value.timestamp())
    if isinstance(value, str):
        return (5, value)
    if isinstance(value, bytes):
        return (6, value)
    if isinstance(value, Ref):
        return (7, value.path)
    if isinstance(value, list | tuple):
        return (8, tuple(order_key(v) for v in value))
    if isinstance(value, Mapping):
        return (9, tuple((str(k), order_key(v)) for k, v in sorted(value.items(), key=str)))
    return (10, repr(value))


def compute(view: View, sources: Sources, hooks: Mapping[str, Hook]) -> dict[str, Any]:
    """The content of the view document for ``sources`` (``hooks`` maps specs to functions)."""
    resolver = _Resolver(view, sources)
    content: dict[str, Any] = {}
    for name, spec in view.fields:
        if isinstance(spec, SourceField):
            value = resolver.value(sources.root, ROOT, spec.path)
            content[name] = spec.default if value is _MISSING else to_view_value(value)
        elif isinstance(spec, EqualsField):
            content[name] = resolver.matches(sources.root, ROOT, Filter(spec.path, spec.value))
        elif isinstance(spec, CountField):
            content[name] = len(resolver.selected(spec.join, spec.where))
        elif isinstance(spec, ListField):
            content[name] = resolver.listed(spec)
        else:
            content[name] = _run_hook(view, name, spec, sources, hooks)
    return content


def _run_hook(
    view: View, name: str, spec: HookField, sources: Sources, hooks: Mapping[str, Hook]
) -> Any:
    try:
        return to_view_value(hooks[spec.hook](sources))
    except Exception as exc:
        raise hook_raised(view, name, spec, sources.root.path, exc) from exc


class _Resolver:
    """Field paths evaluated against one view's loaded sources."""

    def __init__(self, view: View, sources: Sources) -> None:
        self.sources = sources
        self.parents = {j.name: j.parent for j in view.joins}

    def reach(self, doc: Doc, base: str, target: str) -> Doc | None:
        """The document of join ``target`` reached from ``doc`` (of ``base``) via single joins."""
        chain: list[str] = []
        node = target
        while node != base:
            chain.append(node)
            node = self.parents[node]
        current: Doc | None = doc
        for join in reversed(chain):
            if current is None:
                return None
            current = self.sources.child(join, current)
        return current

    def value(self, doc: Doc, base: str, path: FieldPath) -> Any:
        """The value ``path`` names, starting at ``doc`` of node ``base``; _MISSING when absent."""
        holder = self.reach(doc, base, path.join)
        if holder is None:
            return _MISSING
        if path.parts == (ID_FIELD,):
            return holder.id
        value: Any = holder.data
        for part in path.parts:
            if not (type(value) is dict or isinstance(value, Mapping)) or part not in value:
                return _MISSING
            value = value[part]
        return value

    def matches(self, doc: Doc, base: str, condition: Filter) -> bool:
        """True when the value at the filter's path equals its constant."""
        value = self.value(doc, base, condition.path)
        return value is not _MISSING and to_view_value(value) == condition.value

    def selected(self, join: str, where: tuple[Filter, ...]) -> list[Doc]:
        """Documents of a root join passing every filter, in link order."""
        return [d for d in self.sources.many(join) if all(self.matches(d, join, f) for f in where)]

    def listed(self, spec: ListField) -> list[Any]:
        """A list field: filter, sort (stable, last key first), limit, project each item."""
        docs = self.selected(spec.join, spec.where)
        for key in reversed(spec.sort):
            docs.sort(key=self.sort_key(spec.join, key.path), reverse=key.descending)
        if spec.limit is not None:
            docs = docs[: spec.limit]
        if isinstance(spec.item, FieldPath):
            return [self.projected(d, spec.join, spec.item) for d in docs]
        return [
            {name: self.projected(d, spec.join, path) for name, path in spec.item} for d in docs
        ]

    def sort_key(self, base: str, path: FieldPath) -> Callable[[Doc], tuple[Any, ...]]:
        """Key function ordering documents of ``base`` by the value at ``path``."""
        return lambda doc: order_key(self.value(doc, base, path))

    def projected(self, doc: Doc, base: str, path: FieldPath) -> Any:
        """One item value: the path's value, None when missing."""
        value = self.value(doc, base, path)
        return None if value is _MISSING else to_view_value(value)
