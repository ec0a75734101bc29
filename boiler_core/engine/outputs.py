"""The documents a view writes for one root, and the writes that bring them up to date (pure).

A root document yields a master document (``meeting_sessions/{meeting}``) and one copy per member
of each ``copies`` join (``users/{user}/meeting_sessions/{meeting}``). The engine reads every
candidate output path, decides here what each should hold (the content, or nothing), and writes
only the difference: a set for a new or changed document, a delete for one that must go, nothing
for one already equal (contract 3).

Candidates are the outputs the current state implies plus the copies the change itself names (the
members in the root's before and after, or the changed member document): that union is what finds
the copies of members who left, without listing collections.

A master document of a view read by ``{members: JOIN}`` also holds the bookkeeping field
``_members`` (:data:`~boiler_core.manifest.model.MEMBERS_FIELD`): the sorted ids of the join's
documents, which the security rules compare with the reader's uid. Copies never hold it: a copy is
read by its own member, who may not be a reader of the master (copies can iterate another join).
Every output holds ``_version``, the digest of its computed fields (:mod:`boiler_core.versions`),
which clients send back as ``If-Match``; it changes exactly when the content does.

A master of a view with a ``ref``/``refs`` join below the root's own joins (a *deep* join, like a
meeting's location in a user's profile) also holds ``_deep_sources`` (:data:`DEEP_SOURCES_FIELD`):
the sorted paths of the deep joins' documents it was computed from. A change of such a document
finds the roots to recompute with one query on the view's masters (``array-contains``) instead of
climbing the joins (docs/internals/consistency.md, "Finding roots through the masters"); so a master
whose content is unchanged is still written when that list changes (a *refresh*)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from boiler_core.documents import Doc
from boiler_core.engine.change import Change
from boiler_core.engine.links import link_ids
from boiler_core.engine.relevance import same_value
from boiler_core.engine.sources import Sources
from boiler_core.manifest.model import MEMBERS_FIELD, ROOT, Copy, Join, View
from boiler_core.versions import VERSION_FIELD, version_of

SOURCES_FIELD = "_sources"
"""A field boiler 0.2 kept in every master (the update times of its sources); a master that still
holds it is rewritten without it by its next recompute, and ``boiler verify`` reports it."""

DEEP_SOURCES_FIELD = "_deep_sources"
"""Bookkeeping field of a master: sorted paths of the documents of its deep joins
(:func:`deep_joins`) it was computed from."""

RECORD_FIELDS = (SOURCES_FIELD, DEEP_SOURCES_FIELD)
"""The bookkeeping fields that record what a master was computed from (``_sources``: only in
masters written by boiler 0.2)."""


def master_path(view: View, root_id: str) -> str:
    """Path of the view document computed from root ``root_id``."""
    return view.path.format({view.root_variable: root_id})


def copy_path(view: View, copy: Copy, root_id: str, member_id: str) -> str:
    """Path of the copy of root ``root_id``'s view document for member ``member_id``."""
    return copy.path.format({view.root_variable: root_id, copy.variable: member_id})


def current_outputs(view: View, root_id: str, sources: Sources) -> list[str]:
    """Paths the view writes for an existing root: the master, then a copy per current member."""
    paths = [master_path(view, root_id)]
    for copy in view.copies:
        paths.extend(copy_path(view, copy, root_id, d.id) for d in sources.many(copy.for_each))
    return paths


def bookkeeping(view: View, sources: Sources) -> dict[str, Any]:
    """Fields the engine adds to the master document for its read policy (see the module doc)."""
    if view.read.kind != "members" or view.read.value is None:
        return {}
    return {MEMBERS_FIELD: sorted({doc.id for doc in sources.many(view.read.value)})}


def deep_joins(view: View) -> tuple[Join, ...]:
    """The view's ``ref``/``refs`` joins that hang from another join, not from the root: the
    ones a change can only be climbed from with a query before the transaction."""
    return tuple(j for j in view.joins if j.link_on_parent and j.parent != ROOT)


def deep_source_paths(view: View, reached: Mapping[str, Iterable[Doc]]) -> list[str]:
    """Sorted paths of the documents of the view's deep joins among those reached
    (:meth:`Sources.reached`)."""
    return sorted({d.path for join in deep_joins(view) for d in reached.get(join.name, ())})


def desired_documents(
    view: View,
    root_id: str,
    sources: Sources,
    content: Mapping[str, Any],
    *,
    index: bool = True,
) -> dict[str, Mapping[str, Any]]:
    """What every output of an existing root must hold: the computed fields and their version
    (``_version``) in the master and in a copy per current member, plus the master's bookkeeping
    fields (its read policy's, and with ``index`` ``_deep_sources`` when the view has deep
    joins)."""
    versioned = {**content, VERSION_FIELD: version_of(content)}
    desired: dict[str, Mapping[str, Any]] = {
        path: versioned for path in current_outputs(view, root_id, sources)
    }
    master = {**versioned, **bookkeeping(view, sources)}
    if index and deep_joins(view):
        master[DEEP_SOURCES_FIELD] = deep_source_paths(view, sources.reached())
    desired[master_path(view, root_id)] = master
    return desired


def copies_named_by(view: View, change: Change, root_ids: Iterable[str]) -> dict[str, set[str]]:
    """Copy paths, per root, named by the change's own before and after data.

    When the changed document is a root, its link fields before and after name the members of
    ``ref``/``refs`` copy joins. When it is a document of a copy join, it is itself a member of
    each affected root (joining or leaving).
    """
    named: dict[str, set[str]] = {}
    roots = sorted(set(root_ids))
    for copy in view.copies:
        join = view.join(copy.for_each)
        if change.collection == view.root and join.link_on_parent:
            members = {*link_ids(join, change.before), *link_ids(join, change.after)}
            paths = {copy_path(view, copy, change.doc_id, m) for m in members}
            named.setdefault(change.doc_id, set()).update(paths)
        if change.collection == join.collection:
            for root_id in roots:
                named.setdefault(root_id, set()).add(copy_path(view, copy, root_id, change.doc_id))
    return named


@dataclass(frozen=True)
class WritePlan:
    """The writes that make the stored view documents equal to the desired ones."""

    sets: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    """Documents to create or replace, by path (sorted)."""

    deletes: tuple[str, ...] = ()
    """Documents to delete (sorted)."""

    unchanged: int = 0
    """Desired documents already stored with the same content (no write)."""

    refreshed: tuple[str, ...] = ()
    """The paths among :attr:`sets` whose content is unchanged: masters written only because
    their ``_deep_sources`` changed (see the module doc)."""


def plan_writes(
    desired: Mapping[str, Mapping[str, Any]],
    existing: Mapping[str, Doc | None],
) -> WritePlan:
    """Compare ``desired`` contents with ``existing`` documents (every path read, found or not).

    A path read but not desired is deleted if it exists; a desired path is set unless the stored
    data is already equal, the records aside: a master with equal content is set (refreshed)
    when its desired ``_deep_sources`` differ from the stored ones. A desired master without a
    record replaces a stored one that has it (``_sources`` left by boiler 0.2, or a list kept
    before ``index_deep_sources`` was turned off), so no stale record is left behind.
    """
    sets: list[tuple[str, Mapping[str, Any]]] = []
    deletes: list[str] = []
    refreshed: list[str] = []
    unchanged = 0
    for path in sorted(set(desired) | set(existing)):
        want = desired.get(path)
        have = existing.get(path)
        if want is None:
            if have is not None:
                deletes.append(path)
        elif have is None or not same_content(without_sources(have.data), without_sources(want)):
            sets.append((path, want))
        elif any(f in have.data and f not in want for f in RECORD_FIELDS):
            sets.append((path, want))  # not recording: drop a record left by an engine that did
        elif have.data.get(DEEP_SOURCES_FIELD) != want.get(DEEP_SOURCES_FIELD):
            sets.append((path, want))
            refreshed.append(path)
        else:
            unchanged += 1
    return WritePlan(tuple(sets), tuple(deletes), unchanged, tuple(refreshed))


def same_content(have: Mapping[str, Any], want: Mapping[str, Any]) -> bool:
    """Whether a stored view document's data is what the engine computed: Python's ``==``, which
    is exact here because a difference only of type (``1`` and ``1.0``) also changes
    ``_version``, or else :func:`~boiler_core.engine.relevance.same_value`, for the one value
    Python finds unequal to itself: a NaN stored and a NaN computed are the same (else the
    document would be rewritten on every event and ``boiler verify`` would never agree)."""
    return have == want or same_value(have, want)


def without_sources(data: Mapping[str, Any]) -> dict[str, Any]:
    """A view document's data without the records (``_deep_sources``, and the ``_sources``
    boiler 0.2 left): what two views built by engines keeping different records hold alike when
    their content is equal."""
    return {name: value for name, value in data.items() if name not in RECORD_FIELDS}
