"""Who may read a view document and who may call a mutation (401, 403, 404).

Read policies are the views' ``read:`` policies, evaluated as the security rules do, and from
domain state: ``{members: JOIN}`` asks whether the caller's uid is the id of a document the root
links through JOIN (a meeting's ``users``), reading the root document (and, for query joins, the
caller's own document). Copies are readable by their member only.

A mutation's ``{member-of: VIEW}`` policy applies VIEW's read policy to the view document the
route names, inside the mutation's transaction, so the check and the change see the same state.
A missing root document answers 404: nobody can be a member of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from boiler_core.documents import Doc
from boiler_core.engine.links import doc_path, link_ids
from boiler_core.http.api_error import ApiError, require_uid
from boiler_core.http.routes import Operation, document_id_problem
from boiler_core.manifest.model import Manifest, Policy, View
from boiler_core.mutation_api import MutationContext

PolicyHook = Callable[[MutationContext], object]
"""``def hook(ctx) -> bool``: True lets the call through; anything else answers 403."""


class DocReader(Protocol):
    """Reads documents by path (a store, a transaction, a mutation context)."""

    def get_all(self, paths: Sequence[str]) -> Mapping[str, Doc | None]:
        """The documents at ``paths``; missing ones map to None."""
        ...


def check_read(
    op: Operation, params: Mapping[str, str], uid: str | None, reader: DocReader
) -> None:
    """Return when ``uid`` may read what ``op`` reads at ``params``; raise 401/403/404 else."""
    assert op.view is not None
    if op.copy is not None:
        member = params[op.copy.variable]
        if require_uid(uid) != member:
            raise _forbidden(f"only user '{member}' may read these copies")
        return
    root_id = params.get(op.view.root_variable)
    check_view_policy(op.view, root_id, uid, reader)


def check_view_policy(view: View, root_id: str | None, uid: str | None, reader: DocReader) -> None:
    """Apply ``view``'s read policy to its document of root ``root_id`` (None: the collection)."""
    policy: Policy = view.read
    if policy.kind == "public":
        return
    caller = require_uid(uid)
    if policy.kind == "signed-in":
        return
    if root_id is None:
        raise _forbidden(f"the documents of {view.name} cannot be listed")
    if policy.kind == "owner":
        if caller != root_id:
            raise _forbidden(f"only user '{root_id}' may read {view.name}/{root_id}")
        return
    if policy.kind == "members":
        check_member(view, str(policy.value), root_id, caller, reader)
        return
    raise ApiError(403, f"{view.name} is readable through the Firebase SDKs only (rule policy)")


def check_member(view: View, join_name: str, root_id: str, uid: str, reader: DocReader) -> None:
    """404 when the root is missing, 403 when ``uid`` is not a member through ``join_name``.

    A member is an existing document of the join, as for the engine's ``_members`` field that
    the security rules read: the root links it (``ref``/``refs``) or it links the root (query).
    """
    join = view.join(join_name)
    if "/" in uid or document_id_problem(uid):
        raise _forbidden(f"only members ({join_name}) of {view.name}/{root_id} may do this")
    root_path = doc_path(view.root, root_id)
    member_path = doc_path(join.collection, uid)
    found = reader.get_all([root_path, member_path])
    root, doc = found[root_path], found[member_path]
    if root is None:
        raise ApiError(404, f"no {view.name} document '{root_id}'")
    if doc is None:
        member = False
    elif join.link_on_parent:
        member = uid in link_ids(join, root.data)
    else:
        member = root_id in link_ids(join, doc.data)
    if not member:
        raise _forbidden(f"only members ({join_name}) of {view.name}/{root_id} may do this")


def check_mutation(
    op: Operation, ctx: MutationContext, reader: DocReader, hooks: Mapping[str, PolicyHook]
) -> None:
    """Apply the mutation's policy inside its transaction (``reader`` reads through it)."""
    assert op.mutation is not None
    policy = op.mutation.policy
    if policy.kind in ("public", "signed-in"):
        if policy.kind == "signed-in":
            require_uid(ctx.uid)
        return
    if policy.kind == "hook":
        if hooks[str(policy.value)](ctx) is not True:
            raise _forbidden(f"the policy of {op.mutation.name} does not let this caller in")
        return
    assert op.view is not None
    assert policy.kind == "member-of"
    variable = op.version_variable
    assert variable is not None
    check_view_policy(op.view, ctx.params[variable], ctx.uid, reader)


def needs_uid(op: Operation) -> bool:
    """True when the operation answers 401 to anonymous callers before reading anything."""
    if op.mutation is not None:
        return op.mutation.policy.kind in ("signed-in", "member-of")
    assert op.view is not None
    return op.copy is not None or op.view.read.kind != "public"


def enforceable(manifest: Manifest) -> list[str]:
    """Problems with mutation policies the API cannot enforce (member-of a rule-policy view)."""
    problems = []
    for mutation in manifest.mutations.values():
        policy = mutation.policy
        view = manifest.views.get(str(policy.value))
        if policy.kind == "member-of" and view is not None and view.read.kind == "rule":
            problems.append(
                f"mutation '{mutation.name}': policy member-of {view.name} cannot be enforced "
                f"because {view.name} is read under a rules expression; use a members or owner "
                "read policy, or a policy hook"
            )
    return problems


def _forbidden(message: str) -> ApiError:
    return ApiError(403, message)
