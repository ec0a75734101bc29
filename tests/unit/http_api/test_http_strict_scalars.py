"""Booleans and numbers in request bodies are the JSON types the OpenAPI document declares
(``true``/``false``; a number, an integer without a fraction), in every body schema an app
declares, however deep the field sits."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from http_support import Headers, error
from marshmallow import Schema, ValidationError, fields
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from boiler_core.http.bodies import read_body
from boiler_core.http.problems import ApiError
from boiler_core.http.scalars import scalar_problems
from boiler_core.testing import Harness

MEETING = "/meeting_sessions/meeting_1"
COERCED = ["yes", "off", "true", "False", "1", 0, 1, 1.0, 0.0]


@pytest.mark.parametrize("value", COERCED, ids=[repr(v) for v in COERCED])
def test_a_value_marshmallow_would_coerce_is_422_and_writes_nothing(
    meeting_client: FlaskClient, seeded: Harness, as_member: Headers, value: Any
) -> None:
    before = seeded.store.dump()
    response = meeting_client.patch(
        MEETING, json={"inSession": value}, headers=as_member("thomasina")
    )
    assert response.status_code == 422
    assert error(response)["code"] == "invalid_body"
    assert error(response)["fields"] == {"inSession": ["Not a valid boolean."]}
    assert seeded.store.dump() == before


def test_json_false_still_closes_the_meeting(
    meeting_client: FlaskClient, seeded: Harness, as_member: Headers
) -> None:
    response = meeting_client.patch(
        MEETING, json={"inSession": False}, headers=as_member("thomasina")
    )
    assert response.status_code == 200
    assert seeded.store.doc("meetings/meeting_1")["status"] == "closed"  # type: ignore[index]


def test_other_problems_are_listed_with_the_coerced_boolean(
    meeting_client: FlaskClient, as_member: Headers
) -> None:
    response = meeting_client.patch(
        MEETING, json={"inSession": "no", "extra": 1}, headers=as_member("thomasina")
    )
    assert error(response)["fields"] == {
        "inSession": ["Not a valid boolean."],
        "extra": ["Unknown field."],
    }


class Flag(Schema):
    on = fields.Boolean(required=True, data_key="isOn")


class Everything(Schema):
    """A schema hiding Boolean fields everywhere marshmallow can put one."""

    plain = fields.Boolean(truthy={True, "y"}, falsy={False, "n"})  # strict all the same
    nullable = fields.Boolean(allow_none=True)
    nested = fields.Nested(Flag)
    many = fields.Nested(Flag, many=True)
    plucked = fields.Pluck(Flag, "on")
    plucked_many = fields.Pluck(Flag, "on", many=True)
    listed = fields.List(fields.Boolean())
    pair = fields.Tuple((fields.String(), fields.Boolean()))
    by_name = fields.Dict(keys=fields.String(), values=fields.Boolean())
    text = fields.String()


def at_every_place(value: Any) -> dict[str, Any]:
    """A body of :class:`Everything` with ``value`` wherever a boolean goes."""
    return {
        "plain": value,
        "nested": {"isOn": value},
        "many": [{"isOn": True}, {"isOn": value}],
        "plucked": value,
        "plucked_many": [False, value],
        "listed": [True, value],
        "pair": ["a", value],
        "by_name": {"k": value},
    }


def marshmallow_errors(body: dict[str, Any]) -> dict[str, Any]:
    try:
        Everything().load(body)
    except ValidationError as exc:
        messages: dict[str, Any] = exc.normalized_messages()  # type: ignore[no-untyped-call]
        return messages
    return {}


@pytest.mark.parametrize("value", ["yes", "y", 1, 0.0], ids=repr)
def test_coerced_values_are_found_everywhere_keyed_as_marshmallow_keys_errors(value: Any) -> None:
    found = scalar_problems(Everything(), at_every_place(value))
    assert found == marshmallow_errors(at_every_place("maybe"))  # what marshmallow says of junk
    assert set(found) == {
        "plain",
        "nested",
        "many",
        "plucked",
        "plucked_many",
        "listed",
        "pair",
        "by_name",
    }


def test_true_false_and_null_where_allowed_are_fine() -> None:
    body = {**at_every_place(True), "nullable": None, "text": "yes"}
    assert scalar_problems(Everything(), body) == {}
    assert marshmallow_errors(body) == {}


def test_values_of_the_wrong_shape_are_left_to_marshmallow() -> None:
    body = {"nested": "x", "many": {"isOn": 1}, "listed": "x", "pair": 3, "by_name": []}
    assert scalar_problems(Everything(), body) == {}
    assert scalar_problems(Everything(), ["not", "an", "object"]) == {}


class Amounts(Schema):
    """Number fields, also where marshmallow's own ``strict`` is off (its default)."""

    count = fields.Integer()
    price = fields.Float()
    total = fields.Decimal()
    counts = fields.List(fields.Integer())
    by_name = fields.Dict(keys=fields.String(), values=fields.Float())
    label = fields.String()


NOT_NUMBERS = ["5", " 5 ", "1e3", "5.5", True, False, [5], {"n": 5}]


@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
@pytest.mark.parametrize("key", ["count", "price", "total"])
def test_a_number_field_takes_json_numbers_only(key: str, value: Any) -> None:
    found = scalar_problems(Amounts(), {key: value})
    invalid = Amounts().fields[key].error_messages["invalid"]
    assert found == {key: [invalid]}


def test_an_integer_field_refuses_a_fraction_that_marshmallow_would_cut() -> None:
    assert Amounts().load({"count": 5.5}) == {"count": 5}  # what marshmallow alone does
    assert scalar_problems(Amounts(), {"count": 5.5}) == {"count": ["Not a valid integer."]}
    assert scalar_problems(Amounts(), {"counts": [1, 2.5, "3"]}) == {
        "counts": {1: ["Not a valid integer."], 2: ["Not a valid integer."]}
    }


def test_json_numbers_where_declared_are_fine() -> None:
    body = {
        "count": 5,
        "price": 2,
        "total": -1e300,
        "counts": [1, 2.0],
        "by_name": {"a": 1.5, "b": 3},
        "label": "5",
    }
    assert scalar_problems(Amounts(), body) == {}
    assert Amounts().load(body)["count"] == 5


def request_with(body: bytes) -> Request:
    builder = EnvironBuilder(method="POST", data=body, content_type="application/json")
    return Request(builder.get_environ())


@pytest.mark.parametrize(
    ("raw", "field"),
    [(b'{"count": "5"}', "count"), (b'{"count": 5.5}', "count"), (b'{"price": true}', "price")],
)
def test_a_body_with_a_coerced_number_is_422_naming_the_field(raw: bytes, field: str) -> None:
    with pytest.raises(ApiError) as raised:
        read_body(request_with(raw), Amounts, limit=1024)
    assert raised.value.status == 422
    assert raised.value.code == "invalid_body"
    assert raised.value.fields == {field: [Amounts().fields[field].error_messages["invalid"]]}


def test_a_body_of_json_numbers_loads() -> None:
    loaded = read_body(request_with(b'{"count": 5.0, "price": 1}'), Amounts, limit=1024)
    assert loaded == {"count": 5, "price": 1.0}
