"""What changed between two states of a watched document, as the demo prints it (pure).

By default only the view's own fields (those views.yaml declares) are shown; bookkeeping fields
(names starting with ``_``: ``_members``, ``_deep_sources``, ``_version``, ...) only when asked. A
field whose value is a list shows the items that left and came (``- item``, ``+ item``); a map
shows its changed keys; any other value ``old -> new``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from boiler_core.demo.story import Document, show

_ABSENT: Any = object()


def shown_fields(
    document: Document, declared: Sequence[str], *, bookkeeping: bool = False
) -> list[str]:
    """The fields of ``document`` to show, in order: the declared ones, then (with
    ``bookkeeping``) every other field, sorted."""
    names = list(declared)
    if bookkeeping and document is not None:
        names += sorted(name for name in document if name not in declared)
    return names


def changes(
    before: Document, after: Document, declared: Sequence[str], *, bookkeeping: bool = False
) -> list[str]:
    """What differs from ``before`` to ``after``: a first line (``created``, ``deleted``,
    ``changed`` or ``no change in its fields``), then one line per change (for a created
    document, per field)."""
    if after is None:
        return ["deleted" if before is not None else "still absent"]
    names = shown_fields(after, declared, bookkeeping=bookkeeping)
    if before is None:
        return ["created", *(line for name in names for line in field_lines(after, name))]
    if bookkeeping:
        names += [n for n in sorted(before) if n not in names]
    lines = [
        line
        for name in names
        for line in _field_changes(name, before.get(name, _ABSENT), after.get(name, _ABSENT))
    ]
    return ["changed", *lines] if lines else ["no change in its fields"]


def field_lines(document: Mapping[str, Any], name: str) -> list[str]:
    """``name: value``; a non-empty list one item per line (``- item``)."""
    if name not in document:
        return [f"{name}: absent"]
    value = document[name]
    if isinstance(value, list) and value:
        return [f"{name}:", *(f"  - {show(item)}" for item in value)]
    return [f"{name}: {show(value)}"]


def _field_changes(name: str, old: Any, new: Any) -> list[str]:
    if old == new:
        return []
    if isinstance(old, list) and isinstance(new, list):
        left = _minus(old, new)
        came = _minus(new, old)
        if not left and not came:
            return [f"{name}: same items, new order"]
        return [f"{name}: - {show(item)}" for item in left] + [
            f"{name}: + {show(item)}" for item in came
        ]
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        keys = [*old, *(k for k in new if k not in old)]
        return [
            line
            for key in keys
            for line in _field_changes(
                f"{name}.{key}", old.get(key, _ABSENT), new.get(key, _ABSENT)
            )
        ]
    return [f"{name}: {_shown(old)} -> {_shown(new)}"]


def _minus(items: Iterable[Any], others: Iterable[Any]) -> list[Any]:
    """The items of ``items`` not matched by one of ``others`` (as a multiset), in order."""
    remaining = Counter(show(item) for item in others)
    out = []
    for item in items:
        key = show(item)
        if remaining[key]:
            remaining[key] -= 1
        else:
            out.append(item)
    return out


def _shown(value: Any) -> str:
    return "absent" if value is _ABSENT else show(value)
