"""Computed fields of the ``meeting_sessions`` view that are more than a projection."""

from __future__ import annotations

from typing import TypedDict

from boiler_core import Sources, ref_id


class Attendee(TypedDict):
    """One entry of a meeting session's ``attending`` list."""

    name: str
    organization: str | None
    hearing_aid_requested: bool


def attending(sources: Sources) -> list[Attendee]:
    """Participants whose ticket says they attend, sorted by user id; none before the start."""
    if sources.root.get("status") == "not-started":
        return []
    present = {
        ref_id(ticket.get("user"))
        for ticket in sources.many("tickets")
        if ticket.get("attendance") is True
    }
    return [
        Attendee(
            name=f"{user.get('first_name')} {user.get('last_name')}",
            organization=user.get("organization"),
            hearing_aid_requested=bool(user.get("hearing_aid_requested")),
        )
        for user in sorted(sources.many("users"), key=lambda u: u.id)
        if user.id in present
    ]


def num_hearing_aid_requested(sources: Sources) -> int:
    """How many attending participants asked for a hearing aid."""
    return sum(1 for entry in attending(sources) if entry["hearing_aid_requested"])
