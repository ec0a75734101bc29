"""Mutation handlers of the library test app (codegen only names them)."""

from __future__ import annotations

from typing import Any

from boiler_core import MutationContext


def renew(ctx: MutationContext, body: dict[str, Any]) -> None:
    """Extend a loan by ``days``."""
    loan = ctx.params["loan"]
    ctx.update(f"book-loans/{loan}", {"renewed_days": body["days"]})


def may_renew(ctx: MutationContext) -> bool:
    """Any signed-in caller may renew."""
    return ctx.uid is not None


def close_shelf(ctx: MutationContext, body: dict[str, Any]) -> None:
    """Mark a shelf closed."""
    ctx.update(f"shelves/{ctx.params['shelf']}", {"closed": True})
