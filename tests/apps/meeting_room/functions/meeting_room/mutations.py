"""Mutation handlers of the meeting-room app."""

from __future__ import annotations

from typing import Any

from boiler_core import Conflict, Doc, MutationContext, NotFound, ref_id


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


def set_attendance(ctx: MutationContext, body: dict[str, Any]) -> dict[str, Any]:
    """Say whether you attend a meeting: ``{"attendance": true}`` or ``false``.

    ``PATCH /meeting_sessions/{meeting}/attendance`` changes the caller's own ticket of the
    meeting (the policy has already checked that the caller is a participant); 404 when the
    caller holds no ticket of it. Asking for the current value writes nothing.
    """
    meeting_id = ctx.params["meeting"]
    meeting = ctx.get(f"meetings/{meeting_id}")
    if meeting is None:
        raise NotFound(f"no meeting '{meeting_id}'")
    ticket = own_ticket(ctx, meeting)
    if ticket is None:
        raise NotFound(f"you hold no ticket of meeting '{meeting_id}'")
    attendance = bool(body["attendance"])
    if ticket.get("attendance") is not attendance:
        ctx.update(ticket.path, {"attendance": attendance})
    return {"attendance": attendance}


def own_ticket(ctx: MutationContext, meeting: Doc) -> Doc | None:
    """The ticket of ``meeting`` whose ``user`` is the caller, or None."""
    for link in meeting.get("tickets") or []:
        ticket_id = ref_id(link)
        ticket = ctx.get(f"tickets/{ticket_id}") if ticket_id else None
        if ticket is not None and ref_id(ticket.get("user")) == ctx.uid:
            return ticket
    return None
