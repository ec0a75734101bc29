"""The order views are built in: a view that reads another view's documents comes after it.

``boiler backfill`` (transactional and ``--bulk``) and ``boiler verify --repair`` follow it, so a
view of a view is built (or repaired) from its source view's new documents, not from what was
there before.
"""

from __future__ import annotations

from collections.abc import Sequence

from boiler_core.manifest.model import Manifest, View


def source_collections(view: View) -> tuple[str, ...]:
    """The collections ``view`` reads: its root, then each join's collection (once each)."""
    return tuple(dict.fromkeys([view.root, *(join.collection for join in view.joins)]))


def build_order(manifest: Manifest, names: Sequence[str]) -> list[str]:
    """``names`` with every view after the selected views whose documents it reads (otherwise in
    the order given; views.yaml admits no cycles)."""
    views = [manifest.views[name] for name in names]
    producers = {v.path.collection_path: v.name for v in views}
    waits = {
        v.name: {producers[c] for c in source_collections(v) if c in producers} - {v.name}
        for v in views
    }
    ordered: list[str] = []
    while len(ordered) < len(views):
        ready = [v.name for v in views if v.name not in ordered and waits[v.name] <= set(ordered)]
        if not ready:  # a cycle the manifest check should have refused: keep the given order
            ready = [v.name for v in views if v.name not in ordered]
        ordered.append(ready[0])
    return ordered
