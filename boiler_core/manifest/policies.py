"""Checking who-may-read policies so that every one of them can be enforced by security rules.

A policy ``boiler check`` accepts compiles to a condition the rules engine can evaluate for a
single document and prove for a list query (see :mod:`boiler_core.codegen.rules`):

* ``{owner: VAR}``: VAR is a variable of the document's path;
* ``{members: JOIN}``: JOIN is a ``refs`` or ``query`` join of the root, whose document ids the
  engine keeps in the view document's ``_members`` field (views only: the engine never writes
  domain documents);
* ``{rule: EXPR}``: EXPR is one condition (see :mod:`.rule_expressions`).

Domain collections are closed to clients unless their ``client:`` entry opens them; anonymous
(``public``) writes are refused there.
"""

from __future__ import annotations

from collections.abc import Mapping

import yaml

from boiler_core.manifest.model import ROOT, ClientAccess, Join, PathTemplate, Policy, PolicyKind
from boiler_core.manifest.reader import Reader, did_you_mean
from boiler_core.manifest.rule_expressions import expression_problem
from boiler_core.manifest.syntax import (
    CLIENT_KEYS,
    CLIENT_POLICY_KEYS,
    MUTATION_POLICY_KEYS,
    VIEW_POLICY_KEYS,
)

_RULE_HINT = "write one Firestore rules condition, e.g. request.auth.token.admin == true"
_MEMBERS_HINT = "name a refs or query join of the root, whose document ids are the readers' uids"


def check_view_policy(
    reader: Reader,
    node: yaml.Node,
    policy: Policy,
    template: PathTemplate | None,
    joins: Mapping[str, Join],
    what: str,
) -> bool:
    """Record why a view's read policy cannot be enforced; True when it can. An ``owner``
    policy is not checked without a valid ``template`` (the path's problem is reported)."""
    where = f"read policy of {what}"
    if policy.kind == "owner":
        return template is not None and _check_owner(reader, node, policy, template, where)
    if policy.kind == "rule":
        return _check_rule(reader, node, policy, where)
    if policy.kind != "members":
        return True
    name = policy.value or ""
    join = joins.get(name)
    if join is None:
        reader.error(
            node,
            f"{where}: members join '{name}' is not a join of the view",
            did_you_mean(name, joins) or _MEMBERS_HINT,
        )
        return False
    if join.parent != ROOT:
        reader.error(
            node,
            f"{where}: members join '{name}' hangs from join '{join.parent}', not from the root",
            _MEMBERS_HINT,
        )
        return False
    if not join.many:
        reader.error(
            node,
            f"{where}: members join '{name}' is a ref join, which yields one document",
            f"make it a refs or query join, or use {{rule: ...}} on the field '{join.field}'",
        )
        return False
    return True


def read_client_access(
    reader: Reader, node: yaml.Node, template: PathTemplate | None, what: str
) -> ClientAccess | None:
    """``client: {read: POLICY, write: POLICY}`` of a domain collection, each checked (an
    ``owner`` policy only with a valid ``template``: the path's problem is reported)."""
    items = reader.mapping(node, f"client access of {what}", CLIENT_KEYS)
    if items is None:
        return None
    policies: dict[str, Policy] = {}
    ok = True
    for key, (_, value_node) in items.items():
        policy = read_client_policy(reader, value_node, f"client {key} policy")
        if policy is not None and _client_policy_ok(
            reader, value_node, key, policy, template, f"client {key} policy of {what}"
        ):
            policies[key] = policy
        else:
            ok = False
    return ClientAccess(read=policies.get("read"), write=policies.get("write")) if ok else None


def _client_policy_ok(
    reader: Reader,
    node: yaml.Node,
    key: str,
    policy: Policy,
    template: PathTemplate | None,
    where: str,
) -> bool:
    if key == "write" and policy.kind == "public":
        reader.error(
            node,
            f"{where} may not be public: anyone, signed in or not, could change it",
            "use signed-in, {owner: VARIABLE} or {rule: EXPRESSION}",
        )
        return False
    if policy.kind == "owner":
        return template is not None and _check_owner(reader, node, policy, template, where)
    if policy.kind == "rule":
        return _check_rule(reader, node, policy, where)
    return True


def _check_owner(
    reader: Reader, node: yaml.Node, policy: Policy, template: PathTemplate, where: str
) -> bool:
    if policy.value in template.variables:
        return True
    reader.error(
        node,
        f"{where}: owner variable '{policy.value}' is not in the path '{template.text}'",
        f"use one of: {', '.join(template.variables)}",
    )
    return False


def _check_rule(reader: Reader, node: yaml.Node, policy: Policy, where: str) -> bool:
    text = policy.value or ""
    problem = expression_problem(text)
    if problem is None:
        return True
    shown = text if len(text) <= 60 else text[:57] + "..."
    reader.error(
        _expression_node(node), f"{where}: rule expression '{shown}' {problem.message}", _RULE_HINT
    )
    return False


def _expression_node(node: yaml.Node) -> yaml.Node:
    """The expression's own node inside ``{rule: EXPR}``, for a precise position."""
    if isinstance(node, yaml.MappingNode) and len(node.value) == 1:
        value: yaml.Node = node.value[0][1]
        return value
    return node


def read_view_policy(reader: Reader, node: yaml.Node) -> Policy | None:
    """``public`` | ``signed-in`` | ``{owner: VAR}`` | ``{members: JOIN}`` | ``{rule: EXPR}``."""
    return _read_policy(reader, node, "read policy", VIEW_POLICY_KEYS)


def read_client_policy(reader: Reader, node: yaml.Node, what: str) -> Policy | None:
    """A domain collection's ``client:`` policy: ``public`` | ``signed-in`` | ``{owner: VAR}`` |
    ``{rule: EXPR}`` (no ``members``: the engine writes no bookkeeping into domain documents)."""
    return _read_policy(reader, node, what, CLIENT_POLICY_KEYS)


def read_mutation_policy(reader: Reader, node: yaml.Node) -> Policy | None:
    """``public`` | ``signed-in`` | ``{member-of: VIEW}`` | ``{hook: module:function}``."""
    return _read_policy(reader, node, "mutation policy", MUTATION_POLICY_KEYS)


def _read_policy(
    reader: Reader, node: yaml.Node, what: str, mapping_keys: tuple[str, ...]
) -> Policy | None:
    simple: tuple[PolicyKind, ...] = ("public", "signed-in")
    if isinstance(node, yaml.ScalarNode):
        value = reader.string(node, what)
        if value is None:
            return None
        if value in simple:
            return Policy(value)
        choices = (*simple, *mapping_keys)
        reader.error(
            node,
            f"unknown {what} '{value}'",
            did_you_mean(value, choices)
            or "use public, signed-in, or " + ", ".join(f"{{{k}: ...}}" for k in mapping_keys),
        )
        return None
    items = reader.mapping(node, what, mapping_keys)
    if items is None:
        return None
    if len(items) != 1:
        if items or not node.value:  # an unknown key alone is reported already
            reader.error(node, f"{what} must have exactly one of: {', '.join(mapping_keys)}")
        return None
    ((kind, (_, value_node)),) = items.items()
    value = reader.string(value_node, f"{what} '{kind}'")
    if value is None:
        return None
    return Policy(kind, value)  # type: ignore[arg-type]
