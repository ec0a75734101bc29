"""``If-Match`` and ``If-None-Match`` are parsed strictly: a malformed value is 400 with the JSON
error shape, never dropped as if the client had sent no precondition."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from http_support import Headers, error

from boiler_core.testing import Harness

MALFORMED = ['"abc', "", ",,,", "abc", '*, "a"', '"a" "b"', "W/abc", '"a\x01"']


@pytest.mark.parametrize("value", MALFORMED)
def test_a_malformed_if_match_is_400_and_writes_nothing(
    client: FlaskClient, boards: Harness, as_user: Headers, value: str
) -> None:
    before = boards.store.dump()
    response = client.patch(
        "/board_pages/b1", json={"title": "Sneaky"}, headers={**as_user("alice"), "If-Match": value}
    )
    assert response.status_code == 400
    assert error(response)["code"] == "bad_request"
    assert "If-Match" in error(response)["message"]
    assert boards.store.dump() == before


@pytest.mark.parametrize(
    "template",
    ["{etag}", ' {etag} , "other"', '"other",,{etag}', "W/{etag}, {etag}", "*"],
)
def test_well_formed_lists_of_entity_tags_still_match(
    client: FlaskClient, boards: Harness, as_user: Headers, template: str
) -> None:
    etag = client.get("/board_pages/b1", headers=as_user("alice")).headers["ETag"]
    headers = {**as_user("alice"), "If-Match": template.format(etag=etag)}
    response = client.patch("/board_pages/b1", json={"title": "Listed"}, headers=headers)
    assert response.status_code == 200
    assert boards.store.doc("boards/b1")["title"] == "Listed"  # type: ignore[index]


def test_a_weak_tag_never_satisfies_if_match(
    client: FlaskClient, boards: Harness, as_user: Headers
) -> None:
    etag = client.get("/board_pages/b1", headers=as_user("alice")).headers["ETag"]
    headers = {**as_user("alice"), "If-Match": f"W/{etag}"}
    response = client.patch("/board_pages/b1", json={"title": "Weak"}, headers=headers)
    assert response.status_code == 412


@pytest.mark.parametrize("value", MALFORMED)
def test_a_malformed_if_none_match_is_400(client: FlaskClient, value: str) -> None:
    response = client.get("/note_cards/n1", headers={"If-None-Match": value})
    assert response.status_code == 400
    assert "If-None-Match" in error(response)["message"]


def test_if_none_match_naming_the_version_among_others_is_304(client: FlaskClient) -> None:
    etag = client.get("/note_cards/n1").headers["ETag"]
    response = client.get("/note_cards/n1", headers={"If-None-Match": f'"old", W/{etag}'})
    assert response.status_code == 304
