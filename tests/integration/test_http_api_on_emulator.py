"""The HTTP API on the real emulator: mutation -> trigger -> view updated, refusals, and reads.

Requests go to the generated ``functions/main.py`` HTTP function ``api``, served by the
dispatcher exactly as it serves the triggers (functions-framework's routing, the function's
environment with firebase-admin's emulator mode for ID tokens). Its writes reach the emulator,
which delivers them to the triggers; the tests wait for the views, then settle the runtime and
compare the state.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import requests
from emulator_reads import MASTER, MEETING, copy_of, get, sessions, update_times
from google.cloud.firestore import Client
from meeting_room.fixture import EXPECTED_MEETING_SESSION, USERS, fixture_documents

from boiler_core.dispatch import LocalRuntime
from boiler_core.http import emulator_id_token
from boiler_core.store.codec import to_firestore

pytestmark = pytest.mark.integration

Wait = Callable[..., Any]
DOMAIN = ("meetings", "users", "tickets", "locations")
TIMEOUT = 30


@pytest.fixture
def api(runtime: LocalRuntime) -> str:
    """Base URL of the generated HTTP function ``api``, as the dispatcher serves it."""
    assert runtime.ready is not None
    served = dict(runtime.ready.http)
    assert "api" in served, f"main.py's HTTP function is not served: {runtime.ready}"
    return served["api"]


@pytest.fixture
def seeded(app_db: Client, runtime: LocalRuntime, wait_for: Wait) -> Client:
    """The app's project seeded, its views built and every delivery handled."""
    batch = app_db.batch()
    for path, data in fixture_documents().items():
        batch.set(app_db.document(path), to_firestore(data, app_db))
    batch.commit()
    wait_for(lambda: get(app_db, MASTER) == EXPECTED_MEETING_SESSION, what="the seeded view")
    runtime.settle()
    return app_db


@pytest.fixture
def signed_in(runtime: LocalRuntime) -> Callable[[str], dict[str, str]]:
    """Headers with an emulator ID token of ``uid`` for the runtime's project."""
    return lambda uid: {"Authorization": f"Bearer {emulator_id_token(uid, runtime.project)}"}


def every_update_time(db: Client) -> dict[str, datetime]:
    """Update times of every domain and view document: equal before and after means no write."""
    times = update_times(db)
    for collection in DOMAIN:
        times.update({s.reference.path: s.update_time for s in db.collection(collection).stream()})
    return times


def close(api: str, headers: dict[str, str], **extra: str) -> requests.Response:
    return requests.patch(
        f"{api}/meeting_sessions/meeting_1",
        json={"inSession": False},
        headers={**headers, **extra},
        timeout=TIMEOUT,
    )


def test_s3_participant_closes_the_meeting_and_the_triggers_update_every_view(
    seeded: Client, api: str, runtime: LocalRuntime, signed_in: Any, wait_for: Wait
) -> None:
    response = close(api, signed_in("thomasina"))
    assert response.status_code == 200, response.text
    assert response.json() == {"result": {"status": "closed"}}
    assert seeded.document(MEETING).get().get("status") == "closed"
    expected = {**copy.deepcopy(EXPECTED_MEETING_SESSION), "inSession": False}
    wanted = {MASTER: expected, **{copy_of(user): expected for user in USERS}}
    wait_for(lambda: sessions(seeded) == wanted, what="inSession false in every session")
    runtime.settle()
    assert sessions(seeded) == wanted
    profile = get(seeded, "user_profiles/tijuana")
    assert profile is not None
    assert profile["meetings"][0]["status"] == "closed"


def test_s4_closing_again_is_409_naming_the_conflict_and_writes_nothing(
    seeded: Client, api: str, runtime: LocalRuntime, signed_in: Any, wait_for: Wait
) -> None:
    assert close(api, signed_in("thomasina")).status_code == 200
    wait_for(
        lambda: (get(seeded, MASTER) or {}).get("inSession") is False,
        what="the closed meeting's view",
    )
    runtime.settle()
    before = every_update_time(seeded)
    response = close(api, signed_in("thomasina"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert "closed" in response.json()["error"]["message"]
    runtime.settle()
    assert every_update_time(seeded) == before


@pytest.mark.parametrize(("who", "status"), [("mallory", 403), (None, 401), ("bad-token", 401)])
def test_s5_outsider_is_403_and_anonymous_401_and_nothing_is_written(
    seeded: Client, api: str, runtime: LocalRuntime, signed_in: Any, who: str | None, status: int
) -> None:
    before = every_update_time(seeded)
    headers = {} if who is None else signed_in(who)
    if who == "bad-token":
        headers = {"Authorization": "Bearer not.a.token"}
    response = close(api, headers)
    assert response.status_code == status
    assert response.json()["error"]["code"] in ("forbidden", "unauthenticated")
    runtime.settle()
    assert every_update_time(seeded) == before


def test_get_serves_the_view_and_a_stale_if_match_is_412_without_writing(
    seeded: Client, api: str, runtime: LocalRuntime, signed_in: Any
) -> None:
    read = requests.get(
        f"{api}/meeting_sessions/meeting_1", headers=signed_in("joshua"), timeout=TIMEOUT
    )
    assert read.status_code == 200
    assert read.json()["data"] == EXPECTED_MEETING_SESSION
    etag = read.headers["ETag"]
    seeded.document("tickets/tj_t").update({"attendance": False})  # changes the view
    runtime.settle()
    before = every_update_time(seeded)
    stale = close(api, signed_in("joshua"), **{"If-Match": etag})
    assert stale.status_code == 412
    runtime.settle()
    assert every_update_time(seeded) == before
    fresh = requests.get(
        f"{api}/meeting_sessions/meeting_1", headers=signed_in("joshua"), timeout=TIMEOUT
    )
    assert close(api, signed_in("joshua"), **{"If-Match": fresh.headers["ETag"]}).status_code == 200


def test_members_page_through_their_copies(seeded: Client, api: str, signed_in: Any) -> None:
    response = requests.get(
        f"{api}/users/tijuana/meeting_sessions?limit=1",
        headers=signed_in("tijuana"),
        timeout=TIMEOUT,
    )
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["items"]] == ["meeting_1"]
    assert body["next_cursor"] is None


def test_the_health_probe_path_is_404_and_the_docs_are_served(api: str) -> None:
    assert requests.get(f"{api}/__/health", timeout=TIMEOUT).status_code == 404
    assert requests.get(f"{api}/openapi.json", timeout=TIMEOUT).json()["openapi"] == "3.1.0"
    assert requests.get(f"{api}/docs", timeout=TIMEOUT).status_code == 200
