"""Mutations in-process: each status the API answers, and that no error writes anything."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from http_support import APP_DIR, HTTP_PROJECT, Headers, error

from boiler_core.errors import ContentionError
from boiler_core.http import function_app, local_api
from boiler_core.http.backends import Backend, view_content
from boiler_core.manifest import Manifest
from boiler_core.store.memory import MemoryStore
from boiler_core.testing import Harness

MEETING = "/meeting_sessions/meeting_1"


# -- closing and reopening a meeting, on an in-memory store ---------------------------------------


def test_participant_closes_the_meeting(
    meeting_client: FlaskClient, seeded: Harness, as_member: Headers
) -> None:
    response = meeting_client.patch(
        MEETING, json={"inSession": False}, headers=as_member("thomasina")
    )
    assert response.status_code == 200
    assert response.get_json() == {"result": {"status": "closed"}}
    assert seeded.store.doc("meetings/meeting_1")["status"] == "closed"  # type: ignore[index]


def test_closing_a_closed_meeting_is_409_and_writes_nothing(
    meeting_client: FlaskClient, seeded: Harness, as_member: Headers
) -> None:
    meeting_client.patch(MEETING, json={"inSession": False}, headers=as_member("thomasina"))
    before = seeded.store.dump()
    response = meeting_client.patch(MEETING, json={"inSession": False}, headers=as_member("joshua"))
    assert response.status_code == 409
    assert error(response)["code"] == "conflict"
    assert "closed" in error(response)["message"]
    assert seeded.store.dump() == before


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer not-a-jwt"}, 401),
        ({"Authorization": "Basic eDp5"}, 401),
    ],
)
def test_anonymous_or_badly_signed_in_caller_is_401(
    meeting_client: FlaskClient, seeded: Harness, headers: dict[str, str], status: int
) -> None:
    before = seeded.store.dump()
    response = meeting_client.patch(MEETING, json={"inSession": False}, headers=headers)
    assert response.status_code == status
    assert error(response)["code"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert seeded.store.dump() == before


def test_signed_in_user_outside_the_meeting_is_403_and_writes_nothing(
    meeting_client: FlaskClient, seeded: Harness, as_member: Headers
) -> None:
    before = seeded.store.dump()
    response = meeting_client.patch(
        MEETING, json={"inSession": False}, headers=as_member("mallory")
    )
    assert response.status_code == 403
    assert error(response)["code"] == "forbidden"
    assert seeded.store.dump() == before


def test_token_of_another_project_is_401(meeting_client: FlaskClient, as_user: Headers) -> None:
    response = meeting_client.patch(
        MEETING, json={"inSession": False}, headers=as_user("thomasina")
    )
    assert response.status_code == 401


def test_mutation_of_a_missing_meeting_is_404(
    meeting_client: FlaskClient, as_member: Headers
) -> None:
    response = meeting_client.patch(
        "/meeting_sessions/nope", json={"inSession": False}, headers=as_member("thomasina")
    )
    assert response.status_code == 404


# -- bodies --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"json": {"inSession": False, "extra": 1}}, 422, "invalid_body"),
        ({"json": {"inSession": "maybe"}}, 422, "invalid_body"),
        ({"json": {}}, 422, "invalid_body"),
        ({"json": [True]}, 422, "invalid_body"),
        ({"data": "{", "content_type": "application/json"}, 400, "invalid_json"),
        ({"data": '{"inSession": NaN}', "content_type": "application/json"}, 400, "invalid_json"),
        (
            {"data": b'{"inSession": "\xff"}', "content_type": "application/json"},
            400,
            "invalid_json",
        ),
        ({}, 400, "bad_request"),
        ({"data": "inSession=false", "content_type": "text/plain"}, 415, "unsupported_media_type"),
        (
            {"data": '{"inSession": false}', "content_type": "application/json; charset=latin-1"},
            415,
            "unsupported_media_type",
        ),
        ({"data": " " * 70_000, "content_type": "application/json"}, 413, "body_too_large"),
    ],
)
def test_bad_bodies_are_refused_with_their_status_and_nothing_is_written(
    meeting_client: FlaskClient,
    seeded: Harness,
    as_member: Headers,
    kwargs: dict[str, Any],
    status: int,
    code: str,
) -> None:
    before = seeded.store.dump()
    response = meeting_client.patch(MEETING, headers=as_member("thomasina"), **kwargs)
    assert response.status_code == status
    assert error(response)["code"] == code
    assert seeded.store.dump() == before


def test_invalid_body_names_every_bad_field(
    meeting_client: FlaskClient, as_member: Headers
) -> None:
    response = meeting_client.patch(
        MEETING, json={"inSession": "maybe", "other": 1}, headers=as_member("thomasina")
    )
    assert error(response)["fields"] == {
        "inSession": ["Not a valid boolean."],
        "other": ["Unknown field."],
    }


def test_mutation_without_schema_refuses_a_body(client: FlaskClient, as_user: Headers) -> None:
    response = client.delete("/boards/b1", json={"why": "x"}, headers=as_user("admin"))
    assert response.status_code == 400


def test_number_firestore_cannot_store_is_422(
    client: FlaskClient, boards: Harness, as_user: Headers
) -> None:
    before = boards.store.dump()
    response = client.patch(
        "/board_pages/b1", json={"title": "x", "size": 2**70}, headers=as_user("alice")
    )
    assert response.status_code == 422
    assert boards.store.dump() == before


# -- preconditions -------------------------------------------------------------------------------


def test_if_match_with_the_current_version_lets_the_change_through(
    client: FlaskClient, boards: Harness, as_user: Headers
) -> None:
    etag = client.get("/board_pages/b1", headers=as_user("alice")).headers["ETag"]
    response = client.patch(
        "/board_pages/b1", json={"title": "Renamed"}, headers={**as_user("alice"), "If-Match": etag}
    )
    assert response.status_code == 200
    assert boards.store.doc("boards/b1")["title"] == "Renamed"  # type: ignore[index]


def test_if_match_with_a_stale_version_is_412_and_writes_nothing(
    client: FlaskClient, boards: Harness, as_user: Headers
) -> None:
    etag = client.get("/board_pages/b1", headers=as_user("alice")).headers["ETag"]
    boards.write("notes/n4", {"board": "b1", "text": "someone else's"})  # the view changes
    before = boards.store.dump()
    response = client.patch(
        "/board_pages/b1", json={"title": "Late"}, headers={**as_user("alice"), "If-Match": etag}
    )
    assert response.status_code == 412
    assert error(response)["code"] == "precondition_failed"
    assert boards.store.dump() == before


def test_if_match_compares_with_domain_state_even_before_the_view_caught_up(
    client: FlaskClient, boards: Harness, as_user: Headers
) -> None:
    etag = client.get("/board_pages/b1", headers=as_user("alice")).headers["ETag"]
    boards.store.put("boards/b1", {"title": "Changed", "size": 1, "editors": ["alice"]})
    response = client.patch(
        "/board_pages/b1", json={"title": "Mine"}, headers={**as_user("alice"), "If-Match": etag}
    )
    assert response.status_code == 412


def test_if_match_star_matches_any_current_version(client: FlaskClient, as_user: Headers) -> None:
    star = {**as_user("alice"), "If-Match": "*"}
    assert client.patch("/board_pages/b1", json={"title": "A"}, headers=star).status_code == 200


def test_if_match_on_a_route_without_a_view_is_400(client: FlaskClient, as_user: Headers) -> None:
    headers = {**as_user("alice"), "If-Match": '"abc"'}
    response = client.post("/boards/b1/notes", json={"id": "n9", "text": "t"}, headers=headers)
    assert response.status_code == 400


# -- handlers and policies -----------------------------------------------------------------------


def test_handler_refusals_keep_their_status(
    client: FlaskClient, boards: Harness, as_user: Headers
) -> None:
    response = client.patch("/board_pages/b1", json={"title": "   "}, headers=as_user("alice"))
    assert response.status_code == 422
    assert error(response) == {
        "code": "invalid",
        "message": "a board title needs a visible character",
    }
    assert (
        client.post(
            "/boards/b1/notes", json={"id": "n1", "text": "t"}, headers=as_user("bob")
        ).status_code
        == 409
    )
    assert (
        client.post(
            "/boards/zz/notes", json={"id": "n9", "text": "t"}, headers=as_user("bob")
        ).status_code
        == 404
    )


def test_create_adds_the_document(client: FlaskClient, boards: Harness, as_user: Headers) -> None:
    response = client.post(
        "/boards/b2/notes", json={"id": "n9", "text": "hi"}, headers=as_user("bob")
    )
    assert response.status_code == 200
    assert response.get_json() == {"result": None}
    assert boards.store.doc("notes/n9") == {"board": "b2", "text": "hi"}


def test_policy_hook_decides_who_may_call(
    client: FlaskClient, boards: Harness, as_user: Headers
) -> None:
    assert client.delete("/boards/b2").status_code == 403
    assert client.delete("/boards/b2", headers=as_user("alice")).status_code == 403
    assert boards.store.doc("boards/b2") is not None
    assert client.delete("/boards/b2", headers=as_user("admin")).status_code == 200
    assert boards.store.doc("boards/b2") is None


@pytest.mark.parametrize("route", ["/boards/b1/crash", "/boards/b1/write-view"])
def test_handler_bug_is_a_generic_500_with_an_id_logged_with_its_trace(
    client: FlaskClient, boards: Harness, logs: list[dict[str, Any]], route: str
) -> None:
    before = boards.store.dump()
    response = client.post(route)
    assert response.status_code == 500
    body = error(response)
    assert body["code"] == "internal"
    assert "secret" not in response.get_data(as_text=True)
    failure = next(entry for entry in logs if entry.get("error_id") == body["id"])
    assert failure["severity"] == "ERROR"
    assert "Traceback" in failure["message"]
    assert boards.store.dump() == before


def test_contention_after_every_retry_is_503_with_retry_after(
    http_manifest: Manifest, as_user: Headers
) -> None:
    class Contended(MemoryStore):
        def run_transaction(self, fn: Any, *, max_attempts: int = 5) -> Any:
            raise ContentionError("still conflicting")

    store = Contended()
    store.put("boards/b1", {"title": "t", "editors": ["alice"]})
    store.put("people/alice", {})
    backend = Backend(store, view_content(http_manifest, store))
    api = local_api(
        http_manifest,
        project=HTTP_PROJECT,
        functions_dir=APP_DIR / "functions",
        backend=lambda: backend,
        log=lambda entry: None,
    )
    response = (
        function_app(api.handle)
        .test_client()
        .patch("/board_pages/b1", json={"title": "x"}, headers=as_user("alice"))
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
