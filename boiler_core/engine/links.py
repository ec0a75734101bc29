"""How the documents of a view's join tree link to each other (pure; no I/O).

A view's join tree has the root node (:data:`~boiler_core.manifest.model.ROOT`) and one node per
join. A ``ref``/``refs`` join stores the link on the parent node's documents (a reference, or a
bare id with ``key: id``); a ``query`` join stores it on the joined documents, pointing at the
parent (``==``) or containing it (``array-contains``). These helpers read and build link values
both ways: downwards to load a tree, upwards to find the roots a changed document feeds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from boiler_core.documents import Doc, Ref, ref_id
from boiler_core.manifest.model import ROOT, Join, QueryOp, View

if TYPE_CHECKING:
    from boiler_core.store.port import Reader


def doc_path(collection: str, doc_id: str) -> str:
    """Path of a document of a top-level source collection (all sources are top level)."""
    return f"{collection}/{doc_id}"


def node_collection(view: View, node: str) -> str:
    """Source collection read by ``node`` (:data:`ROOT` or a join name)."""
    return view.root if node == ROOT else view.join(node).collection


def nodes_reading(view: View, collection: str) -> tuple[str, ...]:
    """Nodes of the view's tree whose documents come from ``collection`` (root first)."""
    nodes = [ROOT] if view.root == collection else []
    return (*nodes, *(j.name for j in view.joins if j.collection == collection))


def levels(view: View) -> tuple[tuple[Join, ...], ...]:
    """The joins grouped by depth: joins of the root first, then joins of those, and so on."""
    out: list[tuple[Join, ...]] = []
    placed = {ROOT}
    remaining = list(view.joins)
    while remaining:
        level = tuple(j for j in remaining if j.parent in placed)
        if not level:  # the loader rejects parent cycles; stop rather than loop
            break
        out.append(level)
        placed |= {j.name for j in level}
        remaining = [j for j in remaining if j.name not in placed]
    return tuple(out)


def parents_of(view: View) -> dict[str, str]:
    """Each join's parent node, as :class:`~boiler_core.engine.sources.Sources` wants it."""
    return {j.name: j.parent for j in view.joins}


def link_ids(join: Join, data: Mapping[str, Any] | None) -> list[str]:
    """Document ids named by the link field ``join.field`` of ``data``, in order, without repeats.

    For ``ref``/``refs`` joins ``data`` is a parent document (the ids are of joined documents); for
    ``query`` joins it is a joined document (the ids are of parent documents).
    """
    if data is None:
        return []
    value = data.get(join.field)
    many = join.kind == "refs" or (join.kind == "query" and join.op == "array-contains")
    values = value if many and isinstance(value, list | tuple) else [] if many else [value]
    ids: dict[str, None] = {}  # ordered, without repeats
    for item in values:
        doc_id = ref_id(item)
        if doc_id is not None:
            ids[doc_id] = None
    return list(ids)


def linked_paths(join: Join, parent: Doc) -> list[str]:
    """Paths of the documents a ``ref``/``refs`` join links from ``parent``, in link order."""
    return [doc_path(join.collection, doc_id) for doc_id in link_ids(join, parent.data)]


def link_value(join: Join, target_path: str) -> Any:
    """The value a link field holds when it points at the document at ``target_path``."""
    return Ref(target_path) if join.key == "ref" else target_path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Query:
    """One query the engine runs: the documents of ``collection`` whose ``field`` ``op``
    ``value`` (``==``, or ``array-contains`` for a list of links)."""

    collection: str
    field: str
    op: QueryOp
    value: Any

    def run(
        self, reader: Reader, *, after: str | None = None, limit: int | None = None
    ) -> list[Doc]:
        """Its documents in ``reader``, ordered by path (after the path ``after``, at most
        ``limit`` of them)."""
        return reader.query(
            self.collection, self.field, self.op, self.value, after=after, limit=limit
        )


def children_query(join: Join, parent_path: str) -> Query:
    """The query finding a parent's documents of a ``query`` join."""
    return Query(join.collection, join.field, join.op, link_value(join, parent_path))


def parents_query(view: View, join: Join, child_path: str) -> Query:
    """The query finding the parents that link a ``ref``/``refs`` child."""
    op: QueryOp = "array-contains" if join.kind == "refs" else "=="
    return Query(node_collection(view, join.parent), join.field, op, link_value(join, child_path))
