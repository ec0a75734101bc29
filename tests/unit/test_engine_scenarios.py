"""The meeting-room app's scenarios on the in-memory store.

Every view document is produced by the engine handling the Change of a real write, as the
generated triggers will do it. Closing a meeting (the HTTP mutation) is tested with the mutation
layer.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from meeting_room.fixture import (
    ADDRESS,
    EXPECTED_MEETING_SESSION,
    EXPECTED_USER_PROFILES,
    LOCATION_ID,
    MEETING_ID,
    USERS,
    fixture_documents,
)

from boiler_core.documents import Ref
from boiler_core.testing import Harness, visible

MASTER = f"meeting_sessions/{MEETING_ID}"
MEETING = f"meetings/{MEETING_ID}"


def copy_of(user: str) -> str:
    return f"users/{user}/meeting_sessions/{MEETING_ID}"


def session_documents(app: Harness) -> dict[str, dict[str, Any]]:
    """The master meeting session and every per-user copy of it (declared fields only)."""
    return {
        p: visible(d)
        for p, d in app.views().items()
        if p.endswith(f"meeting_sessions/{MEETING_ID}")
    }


def expected_session(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(EXPECTED_MEETING_SESSION), **changes}


def entry(name: str) -> dict[str, Any]:
    """The expected ``attending`` entry of a fixture user, by display name."""
    return next(e for e in EXPECTED_MEETING_SESSION["attending"] if e["name"] == name)


def test_s1_seed_builds_session_copies_and_profiles(seeded: Harness) -> None:
    views = seeded.views()
    assert visible(views[MASTER]) == EXPECTED_MEETING_SESSION
    for user in USERS:
        assert visible(views[copy_of(user)]) == EXPECTED_MEETING_SESSION
        assert visible(views[f"user_profiles/{user}"]) == EXPECTED_USER_PROFILES[user]
    assert len(views) == 1 + 3 + 3


def test_s2_attendance_false_drops_attendee_and_nothing_else(seeded: Harness) -> None:
    before = seeded.views()
    seeded.update("tickets/tj_t", {"attendance": False})
    after = seeded.views()
    expected = expected_session(
        attending=[entry("Joshua Pendergrast"), entry("Thomasina Manes")],
        numHearingAidRequested=1,
    )
    assert session_documents(seeded) == {path: expected for path in session_documents(seeded)}
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed == {MASTER, *(copy_of(u) for u in USERS)}
    assert set(after) == set(before)


def test_s6_name_change_reaches_every_meeting_listing_her_and_her_profile(
    seeded: Harness,
) -> None:
    seeded.write(
        "meetings/meeting_2",
        {
            "location": Ref(f"locations/{LOCATION_ID}"),
            "users": [Ref("users/thomasina")],
            "tickets": [Ref("tickets/ts_t")],
            "status": "closed",
        },
    )
    seeded.update("users/thomasina", {"last_name": "Manes-Kennedy"})
    views = seeded.views()
    renamed = {**entry("Thomasina Manes"), "name": "Thomasina Manes-Kennedy"}
    for meeting in (MEETING_ID, "meeting_2"):
        for path in (f"meeting_sessions/{meeting}", f"users/thomasina/meeting_sessions/{meeting}"):
            assert renamed in views[path]["attending"]
    assert visible(views["users/joshua/meeting_sessions/meeting_1"]) == visible(views[MASTER])
    assert views["user_profiles/thomasina"]["last_name"] == "Manes-Kennedy"
    assert visible(views["user_profiles/joshua"]) == EXPECTED_USER_PROFILES["joshua"]


def test_s7_fourth_user_joins_in_sorted_position_and_gets_a_copy(seeded: Harness) -> None:
    seeded.write(
        "users/lorenzo",
        {
            "first_name": "Lorenzo",
            "last_name": "Ruiz",
            "organization": "UCLA",
            "hearing_aid_requested": True,
        },
    )
    seeded.write(
        "tickets/lr_t", {"role": "Participant", "user": Ref("users/lorenzo"), "attendance": True}
    )
    meeting = seeded.store.doc(MEETING)
    assert meeting is not None
    seeded.update(
        MEETING,
        {
            "users": [*meeting["users"], Ref("users/lorenzo")],
            "tickets": [*meeting["tickets"], Ref("tickets/lr_t")],
        },
    )
    lorenzo = {"name": "Lorenzo Ruiz", "organization": "UCLA", "hearing_aid_requested": True}
    attending = list(EXPECTED_MEETING_SESSION["attending"])
    expected = expected_session(
        attending=[attending[0], lorenzo, *attending[1:]], numHearingAidRequested=3
    )
    docs = session_documents(seeded)
    assert set(docs) == {MASTER, *(copy_of(u) for u in [*USERS, "lorenzo"])}
    assert all(doc == expected for doc in docs.values())
    assert seeded.views()["user_profiles/lorenzo"]["meetings"] == [
        {"meeting": MEETING_ID, "status": "in-session", "address": ADDRESS}
    ]


def test_s8_removed_user_leaves_attending_and_loses_her_copy(seeded: Harness) -> None:
    meeting = seeded.store.doc(MEETING)
    assert meeting is not None
    seeded.update(MEETING, {"users": [u for u in meeting["users"] if u.id != "joshua"]})
    expected = expected_session(
        attending=[entry("Thomasina Manes"), entry("Tijuana Furlong")], numHearingAidRequested=1
    )
    docs = session_documents(seeded)
    assert set(docs) == {MASTER, copy_of("thomasina"), copy_of("tijuana")}
    assert all(doc == expected for doc in docs.values())
    assert seeded.views()["user_profiles/joshua"]["meetings"] == []


def test_s9_not_started_meeting_has_nobody_attending(seeded: Harness) -> None:
    seeded.update(MEETING, {"status": "not-started"})
    expected = expected_session(inSession=False, attending=[], numHearingAidRequested=0)
    docs = session_documents(seeded)
    assert len(docs) == 4
    assert all(doc == expected for doc in docs.values())
    assert seeded.views()["user_profiles/tijuana"]["meetings"][0]["status"] == "not-started"


def test_s10_moved_location_updates_view_copies_and_profiles(seeded: Harness) -> None:
    moved = {"latitude": 32.7157, "longitude": -117.1611, "address": "1 Market St, San Diego"}
    seeded.update(f"locations/{LOCATION_ID}", moved)
    docs = session_documents(seeded)
    assert len(docs) == 4
    assert all(doc == expected_session(**moved) for doc in docs.values())
    for user in USERS:
        assert seeded.views()[f"user_profiles/{user}"]["meetings"][0]["address"] == moved["address"]


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("tickets/tj_t", {"role": "Organizer"}),
        ("tickets/js_t", {"role": "Observer", "note": "new field no view reads"}),
        (MEETING, {"status": "in-session"}),  # a no-op write still delivers an event
        (f"locations/{LOCATION_ID}", {"latitude": 32.880361}),
    ],
)
def test_s11_unused_field_change_costs_no_read_and_no_write(
    seeded: Harness, path: str, fields: dict[str, Any]
) -> None:
    before = seeded.views()
    writes_before = seeded.store.committed_writes
    cost = seeded.update(path, fields)
    assert (cost.reads, cost.writes, cost.deletes, cost.queries) == (0, 0, 0, 0)
    assert cost.skipped == len(cost.filtered) >= 1
    assert seeded.store.committed_writes == writes_before
    assert seeded.views() == before


def test_s12_deleted_meeting_deletes_view_and_every_copy(seeded: Harness) -> None:
    cost = seeded.delete(MEETING)
    views = seeded.views()
    assert session_documents(seeded) == {}
    assert cost.deletes == 4
    for user in USERS:
        assert views[f"user_profiles/{user}"]["meetings"] == []


def test_deleted_user_loses_profile_copy_and_attending_entry(seeded: Harness) -> None:
    seeded.delete("users/joshua")
    views = seeded.views()
    assert "user_profiles/joshua" not in views
    assert copy_of("joshua") not in views
    assert entry("Joshua Pendergrast") not in views[MASTER]["attending"]


def test_views_of_a_user_created_after_the_meeting_appear_when_she_is_written(
    app: Harness,
) -> None:
    docs = fixture_documents()
    for path in sorted(docs, key=lambda p: not p.startswith(("meetings/", "tickets/"))):
        app.write(path, docs[path])
    views = app.views()
    assert visible(views[MASTER]) == EXPECTED_MEETING_SESSION
    assert all(visible(views[copy_of(u)]) == EXPECTED_MEETING_SESSION for u in USERS)
    assert all(visible(views[f"user_profiles/{u}"]) == EXPECTED_USER_PROFILES[u] for u in USERS)
