"""Running one mutation request: checks that need no data, then one transaction.

Order, so that the cheapest refusal wins and nothing is written on any error:

1. 401 when the policy needs a caller and there is none (the token was checked before);
2. 400 for query parameters, 413/415/400 for the body, 422 when it does not match the schema,
   400 for a malformed ``If-Match``;
3. one transaction (:meth:`~boiler_core.store.port.Store.run_transaction`) that applies the
   policy (403, or 404 for a missing view document), compares ``If-Match`` with the version of the
   view document computed from the state it reads (412), runs the handler (its refusals: 404,
   409, 422) and only then writes. A transaction still conflicting after its retries answers 503.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Response
from marshmallow import Schema
from werkzeug.wrappers import Request

from boiler_core.errors import ContentionError, Refused, Rejected
from boiler_core.http.access import PolicyHook, check_mutation, needs_uid
from boiler_core.http.api_error import require_uid
from boiler_core.http.bodies import read_body
from boiler_core.http.context import TransactionContext
from boiler_core.http.problems import ApiError, from_refusal, json_response
from boiler_core.http.reads import check_query
from boiler_core.http.routes import Operation
from boiler_core.http.versions import check_if_match, conditions, to_json
from boiler_core.manifest.model import Manifest
from boiler_core.mutation_api import MutationContext
from boiler_core.store.port import Reader, Store, Transaction

Handler = Callable[[MutationContext, dict[str, Any]], object]
"""A mutation handler named in views.yaml."""

ViewContent = Callable[[str, str, Reader], Mapping[str, Any] | None]
"""``(view, root_id, reader) -> content``: what a view document holds for the current state."""


@dataclass(frozen=True)
class MutationCode:
    """The imported Python objects one mutation runs."""

    handler: Handler
    schema: type[Schema] | None


@dataclass(frozen=True)
class Mutations:
    """Everything mutations need besides the request: the store and the imported code."""

    manifest: Manifest
    store: Store
    code: Mapping[str, MutationCode]
    """By mutation name."""

    policy_hooks: Mapping[str, PolicyHook]
    """By ``module:function``."""

    content: ViewContent
    body_limit: int


def run_mutation(
    op: Operation, params: Mapping[str, str], uid: str | None, request: Request, env: Mutations
) -> Response:
    """Answer one mutation request (see the module docstring for the order of checks)."""
    assert op.mutation is not None
    if needs_uid(op):
        require_uid(uid)
    check_query(request.args, ())
    code = env.code[op.mutation.name]
    body = read_body(request, code.schema, limit=env.body_limit)
    if_match = conditions("If-Match", request.headers.get("If-Match"))
    variable = op.version_variable
    if if_match and (op.view is None or variable is None):
        raise ApiError(
            400, f"If-Match is not supported by {op.mutation.name}: its route names no view"
        )

    def attempt(tx: Transaction) -> object:
        ctx = TransactionContext(tx, env.manifest, params, uid)
        check_mutation(op, ctx, ctx, env.policy_hooks)
        if if_match and op.view is not None and variable is not None:
            root_id = params[variable]
            current = env.content(op.view.name, root_id, tx)
            check_if_match(if_match, current, f"{op.view.name}/{root_id}")
        result = code.handler(ctx, body)
        ctx.flush()
        return result

    try:
        result = env.store.run_transaction(attempt)
    except Refused as exc:
        raise from_refusal(exc) from exc
    except Rejected as exc:  # what the checks before the commit did not foresee
        raise ApiError(
            422, "Firestore refused to store what this request would write", code="invalid"
        ) from exc
    except ContentionError as exc:
        raise ApiError(
            503,
            "the documents this request changes are busy with other writes; retry shortly",
            code="contention",
            headers={"Retry-After": "1"},
        ) from exc
    return json_response({"result": to_json(result)})
