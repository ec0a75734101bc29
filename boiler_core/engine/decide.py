"""What a chunk's roots must hold, decided from what its transaction read (pure; no I/O).

Given the chunk's root documents (None: the root is gone), their join trees and the copies the
change names, :func:`chunk_outputs` says which view documents each root implies, which stored
documents the transaction must read before it plans its writes (the candidates), how many bytes
each implied document takes, and which roots fail alone: a hook that raises, data the computation
cannot take, a document Firestore would refuse (:mod:`.limits`). A failed root contributes no
candidate and no document, so nothing of it is written or deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from boiler_core.documents import Doc
from boiler_core.engine.compute import Hook, compute
from boiler_core.engine.failures import RootFailure, compute_failed, rejected
from boiler_core.engine.limits import measure, problem
from boiler_core.engine.links import parents_of
from boiler_core.engine.outputs import desired_documents, master_path
from boiler_core.engine.sources import Sources
from boiler_core.errors import ComputeError
from boiler_core.manifest.model import View

Linked = dict[str, dict[str, list[Doc]]]
"""Documents per join, per parent document path (what :class:`Sources` is built from)."""


@dataclass(frozen=True)
class ChunkOutputs:
    """What :func:`chunk_outputs` decided for a chunk's roots."""

    desired: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Every document the roots that exist imply, by path."""

    candidates: frozenset[str] = frozenset()
    """Paths to read before planning the writes: the desired documents, each root's master, the
    copies the change names and, for a root that is gone, its orphan copies."""

    sizes: Mapping[str, int] = field(default_factory=dict)
    """Bytes of each desired document, as Firestore counts them."""

    failed: tuple[RootFailure, ...] = ()
    """The roots that fail alone, in the order given."""


def chunk_outputs(
    view: View,
    roots: Mapping[str, Doc | None],
    linked: Linked,
    named: Mapping[str, set[str]],
    orphans: Mapping[str, set[str]],
    hooks: Mapping[str, Hook],
    *,
    index: bool,
) -> ChunkOutputs:
    """Decide the outputs of ``roots`` (by id; None: gone) from their join trees (``linked``).

    ``named``: copy paths per root that the change names; ``orphans``: for a root that is gone,
    the copies of members still pointing at it. ``index``: masters list their deep joins'
    documents (``_deep_sources``).
    """
    desired: dict[str, Mapping[str, Any]] = {}
    candidates: set[str] = set()
    sizes: dict[str, int] = {}
    failed: list[RootFailure] = []
    for root_id, root in roots.items():
        if root is None:
            candidates.update(named.get(root_id, ()))
            candidates.update(orphans.get(root_id, ()))
        else:
            try:
                documents = root_documents(view, root_id, root, linked, hooks, index=index)
                sizes.update(storable(view, root.path, documents))
            except ComputeError as exc:
                failed.append(RootFailure.of(view.name, root.path, exc))
                continue
            candidates.update(named.get(root_id, ()))
            candidates.update(documents)
            desired.update(documents)
        candidates.add(master_path(view, root_id))
    return ChunkOutputs(desired, frozenset(candidates), sizes, tuple(failed))


def root_documents(
    view: View,
    root_id: str,
    root: Doc,
    linked: Linked,
    hooks: Mapping[str, Hook],
    *,
    index: bool,
) -> dict[str, Mapping[str, Any]]:
    """The documents ``root`` implies; a :class:`ComputeError` naming the root when they
    cannot be computed (a hook raised: :class:`HookError`; data of an unexpected shape)."""
    try:
        sources = Sources(root, parents_of(view), linked)
        content = compute(view, sources, hooks)
        return desired_documents(view, root_id, sources, content, index=index)
    except ComputeError:
        raise
    except Exception as exc:
        raise compute_failed(view, root.path, exc) from exc


def storable(view: View, root: str, documents: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    """The size of each of ``documents`` (computed for ``root``), as Firestore counts it; a
    :class:`ComputeError` naming the root when Firestore would refuse one (:mod:`.limits`)."""
    measured = {id(data): measure(data) for data in documents.values()}  # copies share content
    sizes: dict[str, int] = {}
    for path, data in documents.items():
        found = problem(path, measured[id(data)])
        if found is not None:
            raise rejected(view, [root], found)
        sizes[path] = measured[id(data)].size(path)
    return sizes
