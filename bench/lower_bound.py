"""The lower bound of one event's cost, derived from the manifest and the domain state.

For each view fed by the changed collection (views the change cannot affect count nothing):

* **affected view documents**: the view documents (masters and copies) whose content differs
  between the views computed from the state before and after the write, created and deleted ones
  included. Each costs one read: the stale-write guard reads what it overwrites.
* **co-sources**: for every affected root that exists after the write, the documents its view is
  computed from, loaded the way the manifest's joins allow: a ``ref``/``refs`` target once per
  distinct document, a ``query`` join once per parent document, billed like Firestore bills a
  query (its results, at least one). The changed document counts like any other: a transaction
  that must not write from stale state reads what it computes from, and an affected root that no
  longer exists is read too (that is how the transaction learns it is gone).
* **writes**: created or changed view documents; **deletes**: removed ones.
* **queries**: the ``query`` joins run for the affected roots (finding which roots a document
  feeds is not counted: a bound that knew them for free would be lower than any engine).

Views are computed with boiler's pure compute on an in-memory store
(:class:`~boiler_core.testing.Harness`); which documents each root depends on is walked here from
the manifest, independently of the engine's loading code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from boiler_core.documents import ref_id
from boiler_core.engine.links import levels, link_ids
from boiler_core.manifest.model import ROOT, Manifest, View
from boiler_core.store.memory import MemoryStore
from boiler_core.testing import Harness

State = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Bound:
    """The least reads, writes, deletes and queries an event needs (see the module docstring)."""

    reads: int = 0
    writes: int = 0
    deletes: int = 0
    queries: int = 0

    def __add__(self, other: Bound) -> Bound:
        return Bound(
            self.reads + other.reads,
            self.writes + other.writes,
            self.deletes + other.deletes,
            self.queries + other.queries,
        )


def view_documents(manifest: Manifest, state: State) -> dict[str, dict[str, Any]]:
    """Every view document the state implies, by path (computed from scratch)."""
    store = MemoryStore()
    for path, data in state.items():
        store.put(path, dict(data))
    harness = Harness(manifest, store=store)
    for view in manifest.views.values():
        prefix = f"{view.root}/"
        roots = [p.split("/", 1)[1] for p in state if p.startswith(prefix) and p.count("/") == 1]
        harness.engine.recompute(view.name, roots)
    return harness.views()


def root_of(view: View, path: str) -> str | None:
    """The root id of a document of ``view`` (master or copy), or None when not of the view."""
    for template in (view.path, *(copy.path for copy in view.copies)):
        values = template.match(path)
        if values is not None:
            return values.get(view.root_variable)
    return None


def bound(manifest: Manifest, changed: str, before: State, after: State) -> Bound:
    """The lower bound for the write of ``changed`` that took ``before`` to ``after``."""
    collection = changed.split("/", 1)[0]
    old, new = view_documents(manifest, before), view_documents(manifest, after)
    total = Bound()
    for view in manifest.views_fed_by(collection):
        paths = {p for p in set(old) | set(new) if root_of(view, p) is not None}
        affected = sorted(p for p in paths if old.get(p) != new.get(p))
        roots = {root_of(view, p) for p in affected}
        co_reads, queries = _co_sources(view, sorted(r for r in roots if r), after)
        gone = sum(1 for r in roots if r and f"{view.root}/{r}" not in after)
        total += Bound(
            reads=len(affected) + co_reads + gone,
            writes=sum(1 for p in affected if p in new),
            deletes=sum(1 for p in affected if p not in new),
            queries=queries,
        )
    return total


def _co_sources(view: View, roots: list[str], state: State) -> tuple[int, int]:
    """Billed reads and queries to load the join trees of ``roots`` (existing in ``state``)."""
    loaded: dict[str, list[str]] = {ROOT: []}
    fetched: set[str] = set()
    billed = queries = 0
    for root_id in roots:
        path = f"{view.root}/{root_id}"
        if path in state:
            loaded[ROOT].append(path)
            fetched.add(path)
    for level in levels(view):
        for join in level:
            found: list[str] = []
            for parent in loaded[join.parent]:
                if join.link_on_parent:
                    for doc_id in link_ids(join, state[parent]):
                        target = f"{join.collection}/{doc_id}"
                        fetched.add(target)
                        if target in state:
                            found.append(target)
                else:
                    results = _children(join.collection, join.field, join.op, parent, state)
                    queries += 1
                    billed += max(1, len(results))
                    found.extend(results)
            loaded[join.name] = sorted(set(found))
    return billed + len(fetched), queries


def _children(collection: str, field: str, op: str, parent: str, state: State) -> list[str]:
    parent_id = parent.rsplit("/", 1)[-1]
    out = []
    for path, data in state.items():
        if not path.startswith(f"{collection}/") or path.count("/") != 1:
            continue
        value = data.get(field)
        if op == "array-contains":
            hit = isinstance(value, list) and any(ref_id(v) == parent_id for v in value)
        else:
            hit = ref_id(value) == parent_id
        if hit:
            out.append(path)
    return out
