"""The generated ``firestore.rules`` of the meeting-room app, enforced by the emulator on end users.

The emulator runs with the project's ``firestore.rules`` (the file ``boiler generate`` writes). The
fixture is seeded once for the module with a server client, and the generated triggers build the
views; every request of the tests then goes through the REST API as an end user with an unsigned
ID token (:mod:`end_user`), which the rules apply to. Users: ``tijuana`` and ``thomasina`` take
part in ``meeting_1``; ``mallory`` is signed in and takes part in nothing; ``None`` is signed out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from emulator_reads import views
from end_user import OWNER, Answer, EndUser
from google.cloud.firestore import Client
from meeting_room.fixture import (
    EXPECTED_MEETING_SESSION,
    EXPECTED_USER_PROFILES,
    LOCATION_ID,
    MEETING_ID,
    USERS,
    fixture_documents,
)
from meeting_room_app import VIEWS_YAML

from boiler_core.cli.local import rules_file
from boiler_core.codegen.rules import RULES_FILE, render_rules
from boiler_core.dispatch import LocalRuntime
from boiler_core.emulator import wait_for
from boiler_core.manifest import load_manifest
from boiler_core.store.codec import to_firestore
from boiler_core.versions import version_of

pytestmark = pytest.mark.integration

SESSION = f"meeting_sessions/{MEETING_ID}"
PROFILE = "user_profiles/tijuana"
PROFILE_USER = "users/tijuana"
TICKET_PATHS = ["tickets/tj_t", "tickets/ts_t", "tickets/js_t"]
VIEW_COUNT = 1 + len(USERS) + len(USERS)
DENIED = None
"""Expected result of a request the rules must refuse."""

Request = Callable[[EndUser], Answer]


def copy_of(user: str) -> str:
    return f"users/{user}/meeting_sessions/{MEETING_ID}"


def get(path: str) -> Request:
    return lambda user: user.get(path)


def query(parent: str, collection: str, *where: tuple[str, str, object]) -> Request:
    return lambda user: user.list(parent, collection, *where)


def group(collection: str, *where: tuple[str, str, object]) -> Request:
    return lambda user: user.list_group(collection, *where)


@pytest.fixture(scope="module")
def app(runtime: LocalRuntime) -> Callable[[str | None], EndUser]:
    """The app's project seeded, its views built by the triggers; yields a factory of
    end users (by uid, None for signed out)."""
    runtime.reset()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FIRESTORE_EMULATOR_HOST", runtime.emulator_host)
        client = Client(project=runtime.project)
        batch = client.batch()
        for path, data in fixture_documents().items():
            batch.set(client.document(path), to_firestore(data, client))
        batch.commit()
        wait_for(lambda: len(views(client)) == VIEW_COUNT, 20.0, what="the seeded views")
        runtime.settle()
        client.close()  # type: ignore[no-untyped-call]
    return lambda uid: EndUser(runtime.emulator_host, runtime.project, uid)


def test_the_rules_file_the_emulator_enforces_is_the_generated_one(
    meeting_room_project: Path,
) -> None:
    generated = render_rules(load_manifest(VIEWS_YAML))
    enforced = rules_file(meeting_room_project)
    assert enforced == meeting_room_project / RULES_FILE
    assert enforced.read_text(encoding="utf-8") == generated


READS = [
    # meeting_sessions: {members: users}
    pytest.param("tijuana", get(SESSION), {SESSION}, id="member-gets-session"),
    pytest.param("mallory", get(SESSION), DENIED, id="outsider-gets-session"),
    pytest.param(None, get(SESSION), DENIED, id="signed-out-gets-session"),
    pytest.param("tijuana", get("meeting_sessions/nope"), DENIED, id="member-gets-missing-session"),
    pytest.param(
        "thomasina",
        query("", "meeting_sessions", ("_members", "array-contains", "thomasina")),
        {SESSION},
        id="member-lists-sessions-containing-her",
    ),
    pytest.param(
        "mallory",
        query("", "meeting_sessions", ("_members", "array-contains", "mallory")),
        set(),
        id="outsider-lists-sessions-containing-him",
    ),
    pytest.param("tijuana", query("", "meeting_sessions"), DENIED, id="member-lists-all-sessions"),
    pytest.param(
        "mallory",
        query("", "meeting_sessions", ("_members", "array-contains", "tijuana")),
        DENIED,
        id="outsider-lists-sessions-of-a-member",
    ),
    pytest.param(
        "tijuana",
        query("", "meeting_sessions", ("inSession", "==", True)),
        DENIED,
        id="member-lists-sessions-by-another-field",
    ),
    # users/{user}/meeting_sessions/{meeting}: the copy's member only
    pytest.param("tijuana", get(copy_of("tijuana")), {copy_of("tijuana")}, id="member-gets-copy"),
    pytest.param("tijuana", get(copy_of("thomasina")), DENIED, id="member-gets-others-copy"),
    pytest.param(None, get(copy_of("tijuana")), DENIED, id="signed-out-gets-copy"),
    pytest.param(
        "tijuana",
        query("users/tijuana", "meeting_sessions"),
        {copy_of("tijuana")},
        id="member-lists-her-copies",
    ),
    pytest.param(
        "thomasina", query("users/tijuana", "meeting_sessions"), DENIED, id="lists-others-copies"
    ),
    pytest.param(
        "tijuana",
        group("meeting_sessions", ("_members", "array-contains", "tijuana")),
        DENIED,
        id="member-queries-the-collection-group",
    ),
    # user_profiles: {owner: user}
    pytest.param("tijuana", get(PROFILE), {PROFILE}, id="owner-gets-profile"),
    pytest.param("thomasina", get(PROFILE), DENIED, id="other-user-gets-profile"),
    pytest.param(None, get(PROFILE), DENIED, id="signed-out-gets-profile"),
    pytest.param(
        "tijuana",
        query("", "user_profiles", ("__name__", "==", PROFILE)),
        {PROFILE},
        id="owner-lists-her-own-profile",
    ),
    pytest.param("tijuana", query("", "user_profiles"), DENIED, id="owner-lists-all-profiles"),
    # domain collections: closed, even to the users the documents describe
    pytest.param("tijuana", get("users/tijuana"), DENIED, id="user-gets-own-user-doc"),
    pytest.param("tijuana", get(f"meetings/{MEETING_ID}"), DENIED, id="member-gets-meeting"),
    pytest.param("tijuana", get("tickets/tj_t"), DENIED, id="holder-gets-ticket"),
    pytest.param("tijuana", get(f"locations/{LOCATION_ID}"), DENIED, id="member-gets-location"),
    pytest.param("tijuana", query("", "users"), DENIED, id="user-lists-users"),
    pytest.param("tijuana", query("", "meetings"), DENIED, id="member-lists-meetings"),
    pytest.param("tijuana", query("", "tickets"), DENIED, id="holder-lists-tickets"),
    pytest.param("tijuana", query("", "locations"), DENIED, id="member-lists-locations"),
    pytest.param(None, get("users/tijuana"), DENIED, id="signed-out-gets-user-doc"),
    # anything else (boiler's own metadata included)
    pytest.param("tijuana", get("_boiler_meta/meeting_sessions"), DENIED, id="gets-metadata"),
    pytest.param("tijuana", get("_boiler_backstop/sweep"), DENIED, id="gets-backstop-cursors"),
]


@pytest.mark.parametrize(("uid", "request_", "expected"), READS)
def test_reads_are_allowed_exactly_as_the_read_policies_say(
    app: Callable[[str | None], EndUser],
    uid: str | None,
    request_: Request,
    expected: set[str] | None,
) -> None:
    answer = request_(app(uid))
    if expected is DENIED:
        assert answer.denied, answer
    else:
        assert answer.allowed, answer
        assert set(answer.documents()) == expected


WRITTEN = [
    SESSION,
    "meeting_sessions/new",
    copy_of("tijuana"),
    "users/tijuana/meeting_sessions/new",
    PROFILE,
    "user_profiles/new",
    "users/tijuana",
    "users/new",
    f"meetings/{MEETING_ID}",
    "meetings/new",
    "tickets/tj_t",
    "tickets/new",
    f"locations/{LOCATION_ID}",
    "locations/new",
    "_boiler_meta/meeting_sessions",
    "_boiler_backstop/sweep",
]


@pytest.mark.parametrize("uid", ["tijuana", None])
@pytest.mark.parametrize("path", WRITTEN)
def test_every_client_write_is_denied(
    app: Callable[[str | None], EndUser], uid: str | None, path: str
) -> None:
    """Tijuana is a member, an owner and the user described: still no write anywhere."""
    user = app(uid)
    before = app(OWNER).get(path).body
    assert user.set(path, {"inSession": False, "first_name": "Mallory"}).denied
    assert user.delete(path).denied
    assert app(OWNER).get(path).body == before


def test_a_member_sees_member_ids_only_in_the_master_and_only_versions_elsewhere(
    app: Callable[[str | None], EndUser],
) -> None:
    tijuana = app("tijuana")
    (master,) = tijuana.get(SESSION).documents().values()
    version = version_of(EXPECTED_MEETING_SESSION)
    assert master == {**EXPECTED_MEETING_SESSION, "_members": sorted(USERS), "_version": version}
    (copy,) = tijuana.get(copy_of("tijuana")).documents().values()
    assert copy == {**EXPECTED_MEETING_SESSION, "_version": version}
    (profile,) = tijuana.get(PROFILE).documents().values()
    profile_version = version_of(EXPECTED_USER_PROFILES["tijuana"])
    # masters of views with deep joins list their documents (a meeting's location), which find
    # them by query
    assert profile.pop("_deep_sources") == [f"locations/{LOCATION_ID}"]
    assert profile == {**EXPECTED_USER_PROFILES["tijuana"], "_version": profile_version}
