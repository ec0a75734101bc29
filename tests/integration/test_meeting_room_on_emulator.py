"""The meeting-room app's scenarios on the real Firestore emulator.

Each test makes domain writes with a real client; the emulator delivers each write to the
dispatcher, which runs the generated ``functions/main.py`` trigger, which runs the engine, which
writes the views. No test calls the engine. A test first polls (``wait_for``) for the view state
it expects, then settles the runtime (every queued delivery handled) and checks the whole state.
Closing a meeting and its refusals go through the HTTP mutation and are tested with it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from emulator_reads import (
    MASTER,
    MEETING,
    copy_of,
    get,
    sessions,
    update_times,
    versions_match,
    views,
)
from google.cloud.firestore import ArrayRemove, ArrayUnion, Client
from meeting_room.fixture import (
    ADDRESS,
    EXPECTED_MEETING_SESSION,
    EXPECTED_USER_PROFILES,
    LOCATION_ID,
    MEETING_ID,
    USERS,
    fixture_documents,
)

from boiler_core.dispatch import LocalRuntime
from boiler_core.store.codec import to_firestore

pytestmark = pytest.mark.integration

Wait = Callable[..., Any]


def expected_session(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(EXPECTED_MEETING_SESSION), **changes}


def entry(name: str) -> dict[str, Any]:
    """The expected ``attending`` entry of a fixture user, by display name."""
    return next(e for e in EXPECTED_MEETING_SESSION["attending"] if e["name"] == name)


def write(db: Client, path: str, data: dict[str, Any]) -> None:
    db.document(path).set(to_firestore(data, db))


@pytest.fixture
def seeded(app_db: Client, runtime: LocalRuntime, wait_for: Wait) -> Client:
    """The app's project seeded: the fixture written in one batch, its views built and quiet."""
    batch = app_db.batch()
    for path, data in fixture_documents().items():
        batch.set(app_db.document(path), to_firestore(data, app_db))
    batch.commit()
    wait_for(lambda: get(app_db, MASTER) == EXPECTED_MEETING_SESSION, what="the seeded view")
    runtime.settle()
    return app_db


def test_s1_seed_builds_session_copies_and_profiles(seeded: Client) -> None:
    found = views(seeded)
    assert versions_match(seeded)
    assert found[MASTER] == {**EXPECTED_MEETING_SESSION, "_members": sorted(USERS)}
    for user in USERS:
        assert found[copy_of(user)] == EXPECTED_MEETING_SESSION
        assert found[f"user_profiles/{user}"] == EXPECTED_USER_PROFILES[user]
    assert len(found) == 1 + 3 + 3


def test_s2_attendance_false_drops_attendee_and_nothing_else(
    seeded: Client, runtime: LocalRuntime, wait_for: Wait
) -> None:
    before = views(seeded)
    seeded.document("tickets/tj_t").update({"attendance": False})
    expected = expected_session(
        attending=[entry("Joshua Pendergrast"), entry("Thomasina Manes")],
        numHearingAidRequested=1,
    )
    wait_for(lambda: get(seeded, MASTER) == expected, what="Tijuana to leave attending")
    runtime.settle()
    after = views(seeded)
    assert sessions(seeded) == {path: expected for path in [MASTER, *map(copy_of, USERS)]}
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed == {MASTER, *(copy_of(u) for u in USERS)}
    assert set(after) == set(before)


def test_s6_name_change_reaches_the_session_its_copies_and_her_profile(
    seeded: Client, runtime: LocalRuntime, wait_for: Wait
) -> None:
    seeded.document("users/thomasina").update({"last_name": "Manes-Kennedy"})
    renamed = {**entry("Thomasina Manes"), "name": "Thomasina Manes-Kennedy"}
    wait_for(lambda: renamed in (get(seeded, MASTER) or {}).get("attending", []))
    runtime.settle()
    found = views(seeded)
    for path in [MASTER, *map(copy_of, USERS)]:
        assert found[path]["attending"] == [
            entry("Joshua Pendergrast"),
            renamed,
            entry("Tijuana Furlong"),
        ]
    assert found["user_profiles/thomasina"]["last_name"] == "Manes-Kennedy"
    assert found["user_profiles/joshua"] == EXPECTED_USER_PROFILES["joshua"]


def test_s7_fourth_user_joins_in_sorted_position_and_gets_a_copy(
    seeded: Client, runtime: LocalRuntime, wait_for: Wait
) -> None:
    lorenzo = {"first_name": "Lorenzo", "last_name": "Ruiz", "organization": "UCLA"}
    write(seeded, "users/lorenzo", {**lorenzo, "hearing_aid_requested": True})
    write(
        seeded,
        "tickets/lr_t",
        {"role": "Participant", "user": seeded.document("users/lorenzo"), "attendance": True},
    )
    seeded.document(MEETING).update(
        {
            "users": ArrayUnion([seeded.document("users/lorenzo")]),
            "tickets": ArrayUnion([seeded.document("tickets/lr_t")]),
        }
    )
    joined = {"name": "Lorenzo Ruiz", "organization": "UCLA", "hearing_aid_requested": True}
    attending = list(EXPECTED_MEETING_SESSION["attending"])
    expected = expected_session(
        attending=[attending[0], joined, *attending[1:]], numHearingAidRequested=3
    )
    wait_for(lambda: get(seeded, copy_of("lorenzo")) == expected, what="Lorenzo's copy")
    runtime.settle()
    assert sessions(seeded) == {p: expected for p in [MASTER, *map(copy_of, [*USERS, "lorenzo"])]}
    assert get(seeded, "user_profiles/lorenzo") == {
        **lorenzo,
        "hearing_aid_requested": True,
        "meetings": [{"meeting": MEETING_ID, "status": "in-session", "address": ADDRESS}],
    }


def test_s8_removed_user_leaves_attending_and_loses_his_copy(
    seeded: Client, runtime: LocalRuntime, wait_for: Wait
) -> None:
    seeded.document(MEETING).update({"users": ArrayRemove([seeded.document("users/joshua")])})
    wait_for(lambda: get(seeded, copy_of("joshua")) is None, what="Joshua's copy to go")
    runtime.settle()
    expected = expected_session(
        attending=[entry("Thomasina Manes"), entry("Tijuana Furlong")], numHearingAidRequested=1
    )
    assert sessions(seeded) == {
        p: expected for p in [MASTER, copy_of("thomasina"), copy_of("tijuana")]
    }
    assert (get(seeded, "user_profiles/joshua") or {}).get("meetings") == []


def test_s9_not_started_meeting_has_nobody_attending(
    seeded: Client, runtime: LocalRuntime, wait_for: Wait
) -> None:
    seeded.document(MEETING).update({"status": "not-started"})
    expected = expected_session(inSession=False, attending=[], numHearingAidRequested=0)
    wait_for(lambda: get(seeded, MASTER) == expected, what="an empty attending list")
    runtime.settle()
    assert sessions(seeded) == {p: expected for p in [MASTER, *map(copy_of, USERS)]}


def test_s10_moved_location_updates_the_session_every_copy_and_the_profiles(
    seeded: Client, runtime: LocalRuntime, wait_for: Wait
) -> None:
    moved = {"latitude": 32.7157, "longitude": -117.1611, "address": "1 Market St, San Diego"}
    seeded.document(f"locations/{LOCATION_ID}").update(moved)
    wait_for(lambda: get(seeded, MASTER) == expected_session(**moved), what="the new address")
    runtime.settle()
    assert sessions(seeded) == {
        p: expected_session(**moved) for p in [MASTER, *map(copy_of, USERS)]
    }
    for user in USERS:
        profile = get(seeded, f"user_profiles/{user}") or {}
        assert profile["meetings"][0]["address"] == moved["address"]


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("tickets/tj_t", {"role": "Organizer"}),
        ("tickets/js_t", {"note": "a field no view reads"}),
    ],
)
def test_s11_change_no_view_reads_writes_no_view_document(
    seeded: Client, runtime: LocalRuntime, path: str, fields: dict[str, Any]
) -> None:
    before = update_times(seeded)
    handled = runtime.dispatcher.invocations
    seeded.document(path).update(fields)
    runtime.settle()
    assert runtime.dispatcher.invocations == handled + 1  # the event was delivered and handled
    assert update_times(seeded) == before


def test_s12_deleted_meeting_deletes_the_session_and_every_copy(
    seeded: Client, runtime: LocalRuntime, wait_for: Wait
) -> None:
    seeded.document(MEETING).delete()
    wait_for(lambda: get(seeded, MASTER) is None, what="the session to be deleted")
    runtime.settle()
    assert sessions(seeded) == {}
    for user in USERS:
        assert (get(seeded, f"user_profiles/{user}") or {}).get("meetings") == []
