"""Checking the ``joins:`` of a view: each join's keys, its parent, and the field it links through.

Every join is checked on its own, and a problem in one does not hide problems elsewhere: a join
whose collection is unknown is kept (its documents' fields are then unknown, so paths through it
are checked only for their shape), while a join that cannot be placed in the tree at all (no or
several link kinds, an unknown parent, a cycle of parents, or below such a join) is *broken*:
field paths, counts, lists, copies and policies that name it are not reported again, since their
problem depends on the join's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import yaml

from boiler_core.manifest.model import ROOT, Join
from boiler_core.manifest.reader import Reader, did_you_mean
from boiler_core.manifest.syntax import JOIN_KEYS

KnownSource = Callable[[yaml.Node, str, str], bool]
"""``known(node, collection, what)``: whether a view may read ``collection`` (else reported)."""

SourceFields = Callable[[str], frozenset[str] | None]
"""The known top-level fields of a source collection's documents; None when unknown."""


@dataclass(frozen=True)
class Joins:
    """The joins of one view as far as they could be checked."""

    joins: Mapping[str, Join]
    """Joins placed in the tree (a join of an unknown collection among them)."""

    broken: frozenset[str]
    """Joins that cannot be placed: what names them is not reported again."""

    ok: bool
    """False when any join has a problem (the view is then not built)."""


def read_joins(reader: Reader, node: yaml.Node, what: str, known: KnownSource) -> Joins:
    """Check every join of ``node`` (a view's ``joins:``), reporting each problem once."""
    joins: dict[str, Join] = {}
    broken: set[str] = set()
    parents: dict[str, yaml.Node] = {}
    ok = True
    for name, _, join_node in reader.entries(node, f"joins of {what}"):
        join, parent_node, fine = _read_join(reader, name, join_node, what, known)
        ok = ok and fine
        if join is None:
            broken.add(name)
            continue
        joins[name] = join
        if parent_node is not None:
            parents[name] = parent_node
    for name, pnode in parents.items():
        parent = joins[name].parent
        if parent not in joins and parent not in broken:
            reader.error(
                pnode,
                f"join '{name}' of {what} has unknown parent join '{parent}'",
                did_you_mean(parent, set(joins) | broken)
                or "parent must name another join of this view",
            )
            broken.add(name)
            ok = False
        elif _in_cycle(name, joins):
            reader.error(
                pnode,
                f"joins of {what} form a cycle through '{name}'",
                "parents must lead back to the root",
            )
            broken.add(name)
            ok = False
    changed = True
    while changed:  # a join below a broken one cannot be placed either
        below = {n for n, j in joins.items() if n not in broken and j.parent in broken}
        broken |= below
        changed = bool(below)
    placed = {n: j for n, j in joins.items() if n not in broken}
    return Joins(placed, frozenset(broken), ok)


def check_link_fields(
    reader: Reader,
    joins: Mapping[str, Join],
    root: str | None,
    node: yaml.Node,
    what: str,
    source_fields: SourceFields,
) -> None:
    """Each join's link field must exist in the schema of the documents that hold it."""
    for join in joins.values():
        if join.kind == "query":
            holder: str | None = join.collection
        else:
            holder = root if join.parent == ROOT else joins[join.parent].collection
        known = None if holder is None else source_fields(holder)
        if known is not None and join.field not in known:
            reader.error(
                node,
                f"join '{join.name}' of {what} links through unknown field "
                f"'{join.field}' of '{holder}'",
                did_you_mean(join.field, known) or f"'{holder}' has: {', '.join(sorted(known))}",
            )


def _read_join(
    reader: Reader, name: str, node: yaml.Node, what: str, known: KnownSource
) -> tuple[Join | None, yaml.Node | None, bool]:
    """One join: the Join (None when it cannot be placed), its ``parent:`` node, and whether it
    is free of problems."""
    jwhat = f"join '{name}' of {what}"
    items = reader.mapping(node, jwhat, JOIN_KEYS, ("collection",))
    if items is None:
        return None, None, False
    ok = True
    collection = "?"
    if "collection" in items:
        cnode = items["collection"][1]
        text = reader.string(cnode, f"collection of {jwhat}")
        ok = text is not None and known(cnode, text, jwhat)
        collection = text or "?"
    else:
        ok = False
    kinds = [k for k in ("ref", "refs", "query") if k in items]
    op = "=="
    if "op" in items:
        if kinds and kinds != ["query"]:
            reader.error(items["op"][0], f"op is only allowed with query in {jwhat}")
            ok = False
        op = reader.choice(items["op"][1], f"op of {jwhat}", ("==", "array-contains")) or "=="
    key = "ref"
    if "key" in items:
        key = reader.choice(items["key"][1], f"key of {jwhat}", ("ref", "id")) or "ref"
    parent, parent_node = ROOT, None
    if "parent" in items:
        parent_node = items["parent"][1]
        parent_name = reader.string(parent_node, f"parent of {jwhat}")
        if parent_name is None:
            return None, None, False
        parent = parent_name
    if len(kinds) != 1:
        reader.error(
            node,
            f"{jwhat} needs exactly one of ref, refs or query (found {len(kinds)})",
            "ref: FIELD (one reference on the parent), refs: FIELD (a list of references), "
            "query: FIELD (joined documents whose FIELD points at the parent)",
        )
        return None, None, False
    kind = kinds[0]
    link = reader.string(items[kind][1], f"{kind} of {jwhat}")
    if link is None:
        return None, None, False
    join = Join(name, collection, kind, link, parent, op, key)  # type: ignore[arg-type]
    return join, parent_node, ok


def _in_cycle(name: str, joins: Mapping[str, Join]) -> bool:
    """Whether following parents from ``name`` comes back to it."""
    seen = {name}
    current = joins[name].parent
    while current != ROOT and current in joins:
        if current in seen:
            return True
        seen.add(current)
        current = joins[current].parent
    return False
