"""``firestore.indexes.json``: the indexes the engine's queries need.

:func:`engine_queries` is the one place that knows which queries the engine runs; it asks the
engine's own query builders (:mod:`boiler_core.engine.links`), so the two cannot drift. Today
every query is a single-field ``==`` or ``array-contains`` filter on a link field of a top-level
collection (query joins, and the reverse lookups of ref/refs joins) or on the masters'
``_deep_sources``, which Firestore serves from its automatic single-field indexes: no composite
index is needed, and no field override may exempt those fields from indexing. When the engine
gains composite queries, derive their ``indexes`` entries from :func:`engine_queries` in
:func:`indexes_config`.

With the backstop on, one override exempts the ``payload`` of the events recorded for it
(``_boiler_pending``: a long string, never queried) from indexing, as Firestore recommends for
large fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from boiler_core.engine.links import children_query, parents_query
from boiler_core.engine.outputs import DEEP_SOURCES_FIELD, deep_joins
from boiler_core.manifest.model import Manifest
from boiler_core.retry.names import PAYLOAD_FIELD, PENDING_COLLECTION
from boiler_core.store.port import QueryOp

_PLACEHOLDER = "placeholder/id"
"""A document path handed to the query builders; only the value of the query depends on it."""


@dataclass(frozen=True, order=True)
class EngineQuery:
    """A query the engine runs: documents of ``collection`` whose ``field`` ``op`` a link value."""

    collection: str
    field: str
    op: QueryOp


def engine_queries(manifest: Manifest) -> tuple[EngineQuery, ...]:
    """Every distinct query the engine may run for ``manifest``, sorted."""
    found: set[EngineQuery] = set()
    for view in manifest.views.values():
        for join in view.joins:
            if join.kind == "query":
                query = children_query(join, _PLACEHOLDER)
            else:
                query = parents_query(view, join, _PLACEHOLDER)
            found.add(EngineQuery(query.collection, query.field, query.op))
        if manifest.project.index_deep_sources and deep_joins(view):
            found.add(EngineQuery(view.path.collection_path, DEEP_SOURCES_FIELD, "array-contains"))
    return tuple(sorted(found))


def indexes_config(manifest: Manifest) -> dict[str, Any]:
    """The indexes file's content for ``manifest``.

    Every query of :func:`engine_queries` is one ``==`` or ``array-contains`` filter, served by
    Firestore's automatic single-field indexes: no composite index. ``fieldOverrides`` exempts
    the backstop's records' payload from indexing; no queried field is ever exempted. A
    composite query added to the engine gets its ``indexes`` entry here.
    """
    overrides = []
    if manifest.project.backstop is not None:
        overrides.append(
            {"collectionGroup": PENDING_COLLECTION, "fieldPath": PAYLOAD_FIELD, "indexes": []}
        )
    return {"indexes": [], "fieldOverrides": overrides}


def render_indexes(manifest: Manifest) -> str:
    """The text of ``firestore.indexes.json``: stable, pretty JSON."""
    return json.dumps(indexes_config(manifest), indent=2, sort_keys=True) + "\n"
