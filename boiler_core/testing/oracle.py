"""The oracle of convergence tests: every view recomputed from scratch, and every stored view.

:func:`expected_views` copies the domain documents of a store into an empty in-memory store and
rebuilds every view there with :meth:`~boiler_core.engine.engine.Engine.recompute`, so no event,
fault or earlier state can influence the result. :func:`stored_views` lists every document of the
collection groups the views write (masters and per-member copies, wherever they are), so a left-over
document shows up as a difference too. Both keep each master's ``_deep_sources``, which the
domain state alone decides: a master listing the wrong documents is a divergence (a later change
would miss it).
"""

from __future__ import annotations

from typing import Any

from boiler_core.engine.engine import Engine
from boiler_core.manifest.model import Manifest
from boiler_core.rebuild.paging import Source, all_paths, doc_id
from boiler_core.store.memory import MemoryStore
from boiler_core.store.port import ListingStore


def view_groups(manifest: Manifest) -> list[str]:
    """Collection ids of every collection any view writes (masters and copies), sorted."""
    ids = {view.path.collection_id for view in manifest.views.values()}
    ids |= {copy.path.collection_id for view in manifest.views.values() for copy in view.copies}
    return sorted(ids)


def stored_views(manifest: Manifest, store: ListingStore) -> dict[str, dict[str, Any]]:
    """Every document in the collection groups the views write, by path."""
    paths = sorted({p for g in view_groups(manifest) for p in all_paths(store, Source(g, True))})
    docs = store.get_all(paths)
    return {path: dict(doc.data) for path, doc in docs.items() if doc is not None}


def domain_documents(manifest: Manifest, store: ListingStore) -> dict[str, dict[str, Any]]:
    """Every document of the manifest's domain collections, by path."""
    paths = [p for name in sorted(manifest.collections) for p in all_paths(store, Source(name))]
    docs = store.get_all(paths)
    return {path: dict(doc.data) for path, doc in docs.items() if doc is not None}


def expected_views(manifest: Manifest, store: ListingStore) -> dict[str, dict[str, Any]]:
    """The view documents the domain state of ``store`` implies, rebuilt from scratch."""
    fresh = MemoryStore(domain_documents(manifest, store))
    engine = Engine(manifest, fresh, log=lambda entry: None)
    for _ in manifest.views:  # enough passes for views that read other views
        for name, view in manifest.views.items():
            roots = [doc_id(p) for p in all_paths(fresh, Source(view.root))]
            engine.recompute(name, roots)
    return stored_views(manifest, fresh)
