"""Mutation handlers of the meeting-room app."""

from __future__ import annotations

from typing import Any

from boiler_core.errors import Conflict, NotFound
from boiler_core.mutation_api import MutationContext


def next_status(status: str, in_session: bool) -> str:
    """The meeting status after asking for ``inSession``; raises Conflict for any other move.

    An in-session meeting can be closed and a closed one reopened; nothing else.
    """
    if status == "in-session" and not in_session:
        return "closed"
    if status == "closed" and in_session:
        return "in-session"
    wanted = "in session" if in_session else "closed"
    raise Conflict(f"a meeting whose status is '{status}' cannot be set {wanted}")


def set_in_session(ctx: MutationContext, body: dict[str, Any]) -> dict[str, Any]:
    """Open or close a meeting's session: ``{"inSession": false}`` closes, ``true`` reopens.

    ``PATCH /meeting_sessions/{meeting}``; a Conflict (409) for any other move.
    """
    path = f"meetings/{ctx.params['meeting']}"
    meeting = ctx.get(path)
    if meeting is None:
        raise NotFound(f"no meeting '{ctx.params['meeting']}'")
    status = next_status(str(meeting.get("status")), bool(body["inSession"]))
    ctx.update(path, {"status": status})
    return {"status": status}
