"""View reads in-process: documents, pages, versions, and the read policies of the rules."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from http_support import Headers, error
from meeting_room.fixture import EXPECTED_MEETING_SESSION

from boiler_core.testing import Harness


def test_document_answers_id_path_version_and_the_view_fields(
    meeting_client: FlaskClient, as_member: Headers
) -> None:
    response = meeting_client.get("/meeting_sessions/meeting_1", headers=as_member("tijuana"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["data"] == EXPECTED_MEETING_SESSION
    assert (body["id"], body["path"]) == ("meeting_1", "meeting_sessions/meeting_1")
    assert response.headers["ETag"] == f'"{body["version"]}"'
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_bookkeeping_fields_are_neither_served_nor_versioned(
    meeting_client: FlaskClient, seeded: Harness, as_member: Headers
) -> None:
    path = "meeting_sessions/meeting_1"
    first = meeting_client.get(f"/{path}", headers=as_member("tijuana")).get_json()
    seeded.store.put(path, {**seeded.store.doc(path), "_members": ["someone"]})  # type: ignore[dict-item]
    second = meeting_client.get(f"/{path}", headers=as_member("tijuana")).get_json()
    assert "_members" not in second["data"]
    assert second["version"] == first["version"]


def test_if_none_match_with_the_current_version_is_304_without_body(
    meeting_client: FlaskClient, as_member: Headers
) -> None:
    headers = as_member("tijuana")
    etag = meeting_client.get("/meeting_sessions/meeting_1", headers=headers).headers["ETag"]
    response = meeting_client.get(
        "/meeting_sessions/meeting_1", headers={**headers, "If-None-Match": etag}
    )
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag


def test_head_answers_the_headers_of_get(meeting_client: FlaskClient, as_member: Headers) -> None:
    response = meeting_client.head("/meeting_sessions/meeting_1", headers=as_member("joshua"))
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["ETag"]


@pytest.mark.parametrize(
    ("uid", "path", "status"),
    [
        (None, "/meeting_sessions/meeting_1", 401),
        ("mallory", "/meeting_sessions/meeting_1", 403),
        ("tijuana", "/meeting_sessions/nope", 404),
        ("tijuana", "/users/tijuana/meeting_sessions/meeting_1", 200),
        ("joshua", "/users/tijuana/meeting_sessions/meeting_1", 403),
        ("tijuana", "/users/tijuana/meeting_sessions/nope", 404),
        ("tijuana", "/user_profiles/tijuana", 200),
        ("joshua", "/user_profiles/tijuana", 403),
        (None, "/user_profiles/tijuana", 401),
    ],
)
def test_reads_follow_the_views_read_policies(
    meeting_client: FlaskClient, as_member: Headers, uid: str | None, path: str, status: int
) -> None:
    headers = as_member(uid) if uid else {}
    assert meeting_client.get(path, headers=headers).status_code == status


def test_a_member_needs_an_existing_member_document(
    client: FlaskClient, boards: Harness, as_user: Headers
) -> None:
    boards.store.remove("people/alice")
    assert client.get("/board_pages/b1", headers=as_user("alice")).status_code == 403


def test_public_views_are_read_without_a_token(client: FlaskClient) -> None:
    response = client.get("/note_cards/n1")
    assert response.status_code == 200
    assert response.get_json()["data"] == {"text": "note 1"}


def test_a_collection_is_listed_by_id_a_page_at_a_time(client: FlaskClient) -> None:
    first = client.get("/note_cards?limit=2").get_json()
    assert [item["id"] for item in first["items"]] == ["n1", "n2"]
    second = client.get(f"/note_cards?limit=2&cursor={first['next_cursor']}").get_json()
    assert [item["id"] for item in second["items"]] == ["n3"]
    assert second["next_cursor"] is None
    assert client.get("/note_cards").get_json()["next_cursor"] is None


def test_members_list_their_own_copies_only(client: FlaskClient, as_user: Headers) -> None:
    mine = client.get("/people/alice/board_pages", headers=as_user("alice"))
    assert [item["id"] for item in mine.get_json()["items"]] == ["b1"]
    assert mine.get_json()["items"][0]["data"]["note_count"] == 3
    assert client.get("/people/alice/board_pages", headers=as_user("bob")).status_code == 403
    assert client.get("/people/alice/board_pages").status_code == 401


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=two",
        "limit=1&limit=2",
        "cursor=%%%",
        "cursor=bjE=",
        "cursor=Li4",
        "x=1",
    ],
)
def test_bad_list_parameters_are_400(client: FlaskClient, query: str) -> None:
    response = client.get(f"/note_cards?{query}")
    assert response.status_code == 400, response.get_json()
    assert error(response)["code"] in ("invalid_parameter", "invalid_cursor")


def test_document_reads_take_no_query_parameters(client: FlaskClient) -> None:
    assert client.get("/note_cards/n1?limit=1").status_code == 400
