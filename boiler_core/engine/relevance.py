"""Which changes can affect a view, decided before any I/O (pure).

For every node of a view's join tree the view uses a known set of top-level fields: those its
projections name (source, equals, count and list filters, sort keys and items), those its hooks
declare in ``reads``, and the link fields that make the tree (on the parent's documents for
``ref``/``refs`` joins, on the joined documents for ``query`` joins). An update of a document that
changes none of the fields used from the nodes reading its collection cannot change any document
of the view, so the engine skips the view without a read. Creates and deletes always count: they
change which documents exist. A hook without ``reads`` uses every field of every node.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from math import copysign
from typing import Any

from boiler_core.engine.change import Change
from boiler_core.engine.links import link_ids, nodes_reading
from boiler_core.manifest.model import (
    ID_FIELD,
    ROOT,
    CountField,
    EqualsField,
    FieldPath,
    FieldSpec,
    HookField,
    ListField,
    SourceField,
    View,
)

Usage = Mapping[str, frozenset[str]] | None
"""Top-level fields used per node (:data:`ROOT` or a join name); None when a hook reads all."""

_MISSING = object()


def field_paths(spec: FieldSpec) -> Iterator[FieldPath]:
    """Every field path a projection names (for hooks: their ``reads``, if declared)."""
    if isinstance(spec, SourceField | EqualsField):
        yield spec.path
    elif isinstance(spec, CountField):
        yield from (f.path for f in spec.where)
    elif isinstance(spec, ListField):
        yield from (f.path for f in spec.where)
        yield from (s.path for s in spec.sort)
        if isinstance(spec.item, FieldPath):
            yield spec.item
        else:
            yield from (path for _, path in spec.item)
    elif spec.reads is not None:
        yield from spec.reads


def usage(view: View, *, links: bool = True) -> Usage:
    """The fields the view uses from each node of its tree, or None when that is unknowable.

    With ``links=False`` only the fields its projections and hooks read, without the link fields
    that build the tree.
    """
    if any(isinstance(spec, HookField) and spec.reads is None for _, spec in view.fields):
        return None
    used: dict[str, set[str]] = {ROOT: set(), **{j.name: set() for j in view.joins}}
    for _, spec in view.fields:
        for path in field_paths(spec):
            if path.top_field != ID_FIELD:  # an update never changes the id
                used[path.join].add(path.top_field)
    for join in view.joins if links else ():
        used[join.parent if join.link_on_parent else join.name].add(join.field)
    return {node: frozenset(fields) for node, fields in used.items()}


def moved_parents(view: View, node: str, change: Change) -> set[str] | None:
    """The parents a ``query``-joined document joined or left, when that is all that changed.

    An update of a document of the ``query`` join ``node`` that changes, of the fields the view
    uses from that node, only the link field (which no projection reads) leaves the document's
    data unchanged for the parents it stays linked to: only the parents in the symmetric
    difference of its links before and after need a recompute. None when that does not hold
    (create, delete, another used field changed, a hook reading everything): the caller then
    takes the union.
    """
    join = view.join(node)
    if join.kind != "query" or change.before is None or change.after is None:
        return None
    used, read = usage(view), usage(view, links=False)
    if used is None or read is None or join.field in read[node]:
        return None
    if changed_fields(change.before, change.after) & used[node] != {join.field}:
        return None
    return set(link_ids(join, change.before)) ^ set(link_ids(join, change.after))


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> frozenset[str]:
    """Top-level fields whose value differs (present on one side only counts as different), as
    Firestore sees values: ``0`` becoming ``false``, or ``1`` becoming ``1.0``, is a change."""
    names = set(before) | set(after)
    return frozenset(
        n for n in names if not same_value(before.get(n, _MISSING), after.get(n, _MISSING))
    )


def same_value(a: Any, b: Any) -> bool:
    """Whether two stored values are the same Firestore value: Python's ``==`` but for numbers
    and booleans, whose types must match too (``0 == False`` and ``1 == 1.0`` in Python, not in
    Firestore), for NaN, which is one value to Firestore (writing it again changes nothing)
    while Python's ``nan != nan``, and for zero, whose sign Firestore keeps (``-0.0`` becoming
    ``0.0`` is a change) while Python's ``-0.0 == 0.0``; in maps and arrays as well."""
    if a is b:
        return True
    if isinstance(a, bool | int | float) or isinstance(b, bool | int | float):
        if type(a) is not type(b):
            return False
        if a == b:
            return bool(a != 0 or type(a) is not float or copysign(1.0, a) == copysign(1.0, b))
        return bool(a != a and b != b)  # NaN: the one value unequal to itself
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def is_relevant(view: View, used: Usage, change: Change) -> bool:
    """True when ``change`` may alter some document of ``view`` (see the module docstring)."""
    if change.before is None and change.after is None:
        return False
    nodes = nodes_reading(view, change.collection)
    if not nodes:
        return False
    if change.before is None or change.after is None or used is None:
        return True
    changed = changed_fields(change.before, change.after)
    return any(changed & used[node] for node in nodes)
