"""The attendance mutation of the meeting-room app: a participant sets their own ticket.

``PATCH /meeting_sessions/{meeting}/attendance`` with ``{"attendance": bool}``, in-process on the
seeded store (the live page's toggle calls it).
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from http_support import Headers, error

from boiler_core.documents import Ref
from boiler_core.testing import Harness

ATTENDANCE = "/meeting_sessions/meeting_1/attendance"


def test_participant_leaves_and_the_view_follows(
    meeting_client: FlaskClient, seeded: Harness, as_member: Headers
) -> None:
    response = meeting_client.patch(
        ATTENDANCE, json={"attendance": False}, headers=as_member("tijuana")
    )
    assert response.status_code == 200
    assert response.get_json() == {"result": {"attendance": False}}
    assert seeded.store.doc("tickets/tj_t")["attendance"] is False  # type: ignore[index]
    assert seeded.store.doc("tickets/ts_t")["attendance"] is True  # type: ignore[index]


def test_participant_comes_back(
    meeting_client: FlaskClient, seeded: Harness, as_member: Headers
) -> None:
    seeded.update("tickets/js_t", {"attendance": False})
    response = meeting_client.patch(
        ATTENDANCE, json={"attendance": True}, headers=as_member("joshua")
    )
    assert response.status_code == 200
    assert seeded.store.doc("tickets/js_t")["attendance"] is True  # type: ignore[index]


def test_asking_for_the_current_attendance_writes_nothing(
    meeting_client: FlaskClient, seeded: Harness, as_member: Headers
) -> None:
    before = seeded.store.dump()
    response = meeting_client.patch(
        ATTENDANCE, json={"attendance": True}, headers=as_member("thomasina")
    )
    assert response.status_code == 200
    assert response.get_json() == {"result": {"attendance": True}}
    assert seeded.store.dump() == before


@pytest.mark.parametrize(
    ("uid", "status"),
    [(None, 401), ("mallory", 403)],
)
def test_only_participants_may_set_attendance(
    meeting_client: FlaskClient, seeded: Harness, as_member: Headers, uid: str | None, status: int
) -> None:
    before = seeded.store.dump()
    headers = as_member(uid) if uid else {}
    response = meeting_client.patch(ATTENDANCE, json={"attendance": False}, headers=headers)
    assert response.status_code == status
    assert seeded.store.dump() == before


def test_participant_without_a_ticket_is_404(
    meeting_client: FlaskClient, seeded: Harness, as_member: Headers
) -> None:
    seeded.write("users/ada", {"first_name": "Ada", "last_name": "L", "organization": "X"})
    meeting = dict(seeded.store.doc("meetings/meeting_1") or {})
    seeded.write("meetings/meeting_1", {**meeting, "users": [*meeting["users"], Ref("users/ada")]})
    before = seeded.store.dump()
    response = meeting_client.patch(ATTENDANCE, json={"attendance": True}, headers=as_member("ada"))
    assert response.status_code == 404
    assert "no ticket" in error(response)["message"]
    assert seeded.store.dump() == before


@pytest.mark.parametrize(
    "body",
    [{"attendance": "maybe"}, {}, {"attendance": True, "ticket": "tj_t"}],
)
def test_a_body_that_is_not_one_boolean_is_422(
    meeting_client: FlaskClient, seeded: Harness, as_member: Headers, body: dict[str, object]
) -> None:
    before = seeded.store.dump()
    response = meeting_client.patch(ATTENDANCE, json=body, headers=as_member("tijuana"))
    assert response.status_code == 422
    assert "attendance" in error(response)["fields"] or "ticket" in error(response)["fields"]
    assert seeded.store.dump() == before
