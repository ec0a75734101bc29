"""The meeting-room app through Firebase's own emulators: seeding, a participant leaving, and
closing the meeting by PATCH.

Writes go to the Firestore emulator with a client; views appear only through the triggers the
Functions emulator runs from the bundle ``deploy.sh --dry-run`` assembled; the PATCH goes to the
HTTP function through the Functions emulator's URL, with an unsigned ID token that firebase-admin
accepts because the Auth emulator runs (see tests/e2e/run.py, ``ONLY``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import requests
from google.cloud.firestore import Client
from meeting_room.fixture import (
    EXPECTED_MEETING_SESSION,
    EXPECTED_USER_PROFILES,
    MEETING_ID,
    USERS,
    fixture_documents,
)

from boiler_core.http import emulator_id_token
from boiler_core.store.codec import to_firestore
from boiler_core.testing import visible

Wait = Callable[..., Any]
MASTER = f"meeting_sessions/{MEETING_ID}"
COPIES = [f"users/{user}/meeting_sessions/{MEETING_ID}" for user in USERS]
PROFILES = [f"user_profiles/{user}" for user in USERS]
TIMEOUT = 60


def get(db: Client, path: str) -> dict[str, Any] | None:
    snapshot = db.document(path).get()
    return visible(snapshot.to_dict() or {}) if snapshot.exists else None


def sessions(db: Client) -> dict[str, dict[str, Any] | None]:
    """The master meeting session and each participant's copy, by path."""
    return {path: get(db, path) for path in [MASTER, *COPIES]}


def profiles(db: Client) -> dict[str, dict[str, Any] | None]:
    return {path: get(db, path) for path in PROFILES}


def session(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(EXPECTED_MEETING_SESSION), **changes}


def everywhere(expected: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {path: expected for path in [MASTER, *COPIES]}


@pytest.fixture
def seeded(db: Client, wait_for: Wait) -> Client:
    """The fixture written in one batch, every view built by the triggers."""
    batch = db.batch()
    for path, data in fixture_documents().items():
        batch.set(db.document(path), to_firestore(data, db))
    batch.commit()
    wait_for(lambda: sessions(db) == everywhere(session()), what="seeded: the session and 3 copies")
    expected_profiles = {f"user_profiles/{u}": p for u, p in EXPECTED_USER_PROFILES.items()}
    wait_for(lambda: profiles(db) == expected_profiles, what="seeded: the 3 user profiles")
    return db


def patch(api_url: str, uid: str | None, in_session: bool) -> requests.Response:
    headers = {}
    if uid is not None:
        token = emulator_id_token(uid, api_url.split("/")[3])
        headers["Authorization"] = f"Bearer {token}"
    return requests.patch(
        f"{api_url}/meeting_sessions/{MEETING_ID}",
        json={"inSession": in_session},
        headers=headers,
        timeout=TIMEOUT,
    )


def test_s1_seeding_builds_the_session_its_copies_and_the_profiles(seeded: Client) -> None:
    assert sessions(seeded) == everywhere(EXPECTED_MEETING_SESSION)
    master = seeded.document(MASTER).get().to_dict()
    assert master is not None
    assert master["_members"] == sorted(USERS)


def test_s2_attendance_false_drops_tijuana_and_nothing_else(seeded: Client, wait_for: Wait) -> None:
    profiles_before = profiles(seeded)
    seeded.document("tickets/tj_t").update({"attendance": False})
    attending = [e for e in EXPECTED_MEETING_SESSION["attending"] if e["name"] != "Tijuana Furlong"]
    expected = session(attending=attending, numHearingAidRequested=1)
    wait_for(
        lambda: sessions(seeded) == everywhere(expected),
        what="the attendance change in every session",
    )
    assert profiles(seeded) == profiles_before


def test_s3_participant_closes_the_meeting_through_the_functions_emulator(
    seeded: Client, api_url: str, wait_for: Wait
) -> None:
    response = patch(api_url, "thomasina", in_session=False)
    assert response.status_code == 200, response.text
    assert response.json() == {"result": {"status": "closed"}}
    assert seeded.document(f"meetings/{MEETING_ID}").get().get("status") == "closed"
    expected = session(inSession=False)
    wait_for(lambda: sessions(seeded) == everywhere(expected), what="closed: inSession false")

    def closed_in_profiles() -> bool:
        return all(
            (p or {}).get("meetings", [{}])[0].get("status") == "closed"
            for p in profiles(seeded).values()
        )

    wait_for(closed_in_profiles, what="closed: status closed in every profile")


@pytest.mark.parametrize(("uid", "status"), [(None, 401), ("mallory", 403)])
def test_the_api_refuses_strangers_and_writes_nothing(
    seeded: Client, api_url: str, uid: str | None, status: int
) -> None:
    response = patch(api_url, uid, in_session=False)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] in ("unauthenticated", "forbidden")
    assert seeded.document(f"meetings/{MEETING_ID}").get().get("status") == "in-session"
