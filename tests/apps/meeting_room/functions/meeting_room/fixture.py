"""The meeting-room fixture as data, and the views it must produce.

:func:`fixture_documents` gives the domain documents to write (three people, a room, a ticket
each, a meeting in session; the same as ``seed.yaml``), in the order they are seeded, and the
``EXPECTED_*`` values are the view documents expected once the triggers have handled them.
"""

from __future__ import annotations

import copy
from typing import Any

from boiler_core import Ref

MEETING_ID = "meeting_1"
LOCATION_ID = "gilman"
ADDRESS = "9500 Gilman Drive, La Jolla, CA"

USERS: dict[str, dict[str, Any]] = {
    "tijuana": {
        "first_name": "Tijuana",
        "last_name": "Furlong",
        "organization": "UCSD",
        "hearing_aid_requested": True,
    },
    "thomasina": {
        "first_name": "Thomasina",
        "last_name": "Manes",
        "organization": "UCSD",
        "hearing_aid_requested": False,
    },
    "joshua": {
        "first_name": "Joshua",
        "last_name": "Pendergrast",
        "organization": "SDSU",
        "hearing_aid_requested": True,
    },
}

LOCATION: dict[str, Any] = {"latitude": 32.880361, "longitude": -117.242929, "address": ADDRESS}

TICKETS: dict[str, dict[str, Any]] = {
    "tj_t": {"role": "Participant", "user": Ref("users/tijuana"), "attendance": True},
    "ts_t": {"role": "Organizer", "user": Ref("users/thomasina"), "attendance": True},
    "js_t": {"role": "Participant", "user": Ref("users/joshua"), "attendance": True},
}

MEETING: dict[str, Any] = {
    "location": Ref(f"locations/{LOCATION_ID}"),
    "users": [Ref("users/tijuana"), Ref("users/thomasina"), Ref("users/joshua")],
    "tickets": [Ref("tickets/tj_t"), Ref("tickets/ts_t"), Ref("tickets/js_t")],
    "status": "in-session",
}


def fixture_documents() -> dict[str, dict[str, Any]]:
    """``{path: data}`` of the fixture, in seeding order: users, location, tickets, meeting.

    Each call returns fresh copies, so callers may change them.
    """
    docs: dict[str, dict[str, Any]] = {f"users/{uid}": data for uid, data in USERS.items()}
    docs[f"locations/{LOCATION_ID}"] = LOCATION
    docs.update({f"tickets/{tid}": data for tid, data in TICKETS.items()})
    docs[f"meetings/{MEETING_ID}"] = MEETING
    return copy.deepcopy(docs)


EXPECTED_MEETING_SESSION: dict[str, Any] = {
    "inSession": True,
    "latitude": 32.880361,
    "longitude": -117.242929,
    "address": ADDRESS,
    "attending": [
        {"name": "Joshua Pendergrast", "organization": "SDSU", "hearing_aid_requested": True},
        {"name": "Thomasina Manes", "organization": "UCSD", "hearing_aid_requested": False},
        {"name": "Tijuana Furlong", "organization": "UCSD", "hearing_aid_requested": True},
    ],
    "numHearingAidRequested": 2,
}
"""``meeting_sessions/meeting_1`` (and each participant's copy) after seeding."""

EXPECTED_USER_PROFILES: dict[str, dict[str, Any]] = {
    uid: {
        **data,
        "meetings": [{"meeting": MEETING_ID, "status": "in-session", "address": ADDRESS}],
    }
    for uid, data in USERS.items()
}
"""``user_profiles/{user}`` of each fixture user after seeding."""
