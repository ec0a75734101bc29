"""Finding view documents that should not exist, from their paths (pure; no I/O).

A view writes a master document per root (``meeting_sessions/{meeting}``) and, per ``copies``
entry, one copy per member (``users/{user}/meeting_sessions/{meeting}``). When an event is lost,
a master can outlive its root and a copy can outlive its member's membership; recomputing the roots
that exist never visits them. So verify and backfill also list the collections the view writes:
the master collection, and every copy collection as a collection group (copies live under each
member's document, at any path the template gives). :func:`classify` maps a listed path back to its
root (and member); :func:`suspects` decides, from the root and member documents, which listed
documents the current state no longer implies. The engine has the last word: suspects are handed
to :meth:`~boiler_core.engine.engine.Engine.plan` or ``recompute`` with ``also``, which read them
in the transaction and delete them only if the recomputed root does not produce them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from boiler_core.documents import Doc
from boiler_core.engine.links import doc_path, link_ids
from boiler_core.manifest.model import Copy, View
from boiler_core.rebuild.paging import Source


@dataclass(frozen=True)
class Output:
    """A listed document of a view: its master for ``root_id``, or a copy for ``member_id``."""

    path: str
    root_id: str
    copy: Copy | None = None
    member_id: str | None = None


def output_sources(view: View) -> tuple[Source, ...]:
    """What to list to see every document ``view`` may have written.

    The master collection is listed directly (``meeting_sessions``), each copy collection id as a
    collection group; when a copy shares the master's collection id, the group covers both.
    """
    group_ids = sorted({copy.path.collection_id for copy in view.copies})
    master = view.path
    sources = [] if master.collection_id in group_ids else [Source(master.collection_path)]
    sources += [Source(group_id, group=True) for group_id in group_ids]
    return tuple(sources)


def classify(view: View, path: str) -> Output | None:
    """The output ``path`` is, or None when it is not a document ``view`` writes."""
    values = view.path.match(path)
    if values is not None:
        return Output(path, values[view.root_variable])
    for copy in view.copies:
        values = copy.path.match(path)
        if values is not None:
            return Output(path, values[view.root_variable], copy, values[copy.variable])
    return None


def needed_documents(view: View, outputs: Iterable[Output]) -> list[str]:
    """Paths :func:`suspects` needs: each output's root document, and each copy's member."""
    paths = set()
    for output in outputs:
        paths.add(doc_path(view.root, output.root_id))
        if output.copy is not None and output.member_id is not None:
            member_collection = view.join(output.copy.for_each).collection
            paths.add(doc_path(member_collection, output.member_id))
    return sorted(paths)


def suspects(
    view: View, outputs: Iterable[Output], docs: Mapping[str, Doc | None]
) -> list[tuple[Output, str]]:
    """The outputs the current state does not imply, each with the reason; ``docs`` holds the
    documents :func:`needed_documents` named (missing ones as None or absent)."""
    found = []
    for output in outputs:
        root = docs.get(doc_path(view.root, output.root_id))
        if root is None:
            found.append((output, "root gone"))
        elif output.copy is not None and output.member_id is not None:
            reason = _not_member(view, output.copy, output.member_id, root, docs)
            if reason is not None:
                found.append((output, reason))
    return found


def _not_member(
    view: View, copy: Copy, member_id: str, root: Doc, docs: Mapping[str, Doc | None]
) -> str | None:
    join = view.join(copy.for_each)
    member = docs.get(doc_path(join.collection, member_id))
    if member is None:
        return "member gone"
    linked = (
        member_id in link_ids(join, root.data)
        if join.link_on_parent
        else root.id in link_ids(join, member.data)
    )
    return None if linked else "former member"
