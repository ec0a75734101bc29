"""Mutation handlers of the HTTP test app, one per behaviour the tests need."""

from __future__ import annotations

from typing import Any

from boiler_core import MutationContext, Refused


def rename_board(ctx: MutationContext, body: dict[str, Any]) -> dict[str, Any]:
    """Rename a board (and resize it); refuse an empty-looking title."""
    if body["title"].strip() == "":
        raise Refused("a board title needs a visible character")
    ctx.update(f"boards/{ctx.params['board']}", body)
    return {"title": body["title"]}


def add_note(ctx: MutationContext, body: dict[str, Any]) -> None:
    """Create a note on an existing board; 409 when the note id is taken."""
    if ctx.get(f"boards/{ctx.params['board']}") is None:
        from boiler_core.errors import NotFound

        raise NotFound(f"no board '{ctx.params['board']}'")
    ctx.create(f"notes/{body['id']}", {"board": ctx.params["board"], "text": body["text"]})


def archive_board(ctx: MutationContext, body: dict[str, Any]) -> None:
    """Delete a board."""
    ctx.delete(f"boards/{ctx.params['board']}")


def is_admin(ctx: MutationContext) -> bool:
    """Only the user ``admin`` may archive."""
    return ctx.uid == "admin"


def save_settings(ctx: MutationContext, body: dict[str, Any]) -> None:
    """Store the client's settings in the board, whatever their shape."""
    ctx.update(f"boards/{ctx.params['board']}", {"settings": body["settings"]})


def crash(ctx: MutationContext, body: dict[str, Any]) -> None:
    """Write, then fail like a bug would."""
    ctx.update(f"boards/{ctx.params['board']}", {"title": "half-done"})
    raise RuntimeError("secret internal detail")


def write_view(ctx: MutationContext, body: dict[str, Any]) -> None:
    """Try to write a view document, which handlers must not do."""
    ctx.set(f"board_pages/{ctx.params['board']}", {"title": "forged"})
