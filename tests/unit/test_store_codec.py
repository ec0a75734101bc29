"""The raw-protobuf codec against the client library's own encoder and decoder."""

from __future__ import annotations

import collections
import datetime
import enum
from typing import Any

import pytest
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore import SERVER_TIMESTAMP, Client, GeoPoint
from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.vector import Vector

from boiler_core.documents import Ref
from boiler_core.store.codec import Codec, Unsupported, to_firestore, to_neutral
from boiler_core.store.fast import FastWire
from boiler_core.store.internals import probe

UTC = datetime.UTC


@pytest.fixture(scope="module")
def client() -> Client:
    return Client(project="demo-codec", credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]


@pytest.fixture(scope="module")
def codec(client: Client) -> Codec:
    internals = probe().internals
    assert internals is not None, probe().report()
    return FastWire(client, internals).codec


SAMPLES: list[Any] = [
    None,
    True,
    False,
    0,
    -(2**63),
    2**63 - 1,
    1.5,
    float("inf"),
    "",
    "text with ünïcode",
    b"\x00\xffbytes",
    Ref("meetings/m1"),
    Ref("users/u1/meeting_sessions/m1"),
    GeoPoint(32.88, -117.24),
    DatetimeWithNanoseconds(2026, 11, 26, 6, 30, 0, nanosecond=123456789, tzinfo=UTC),  # type: ignore[no-untyped-call]
    datetime.datetime(2026, 11, 26, 6, 30, 0, 123456, tzinfo=UTC),
    [],
    {},
    [1, "two", None, [3.0, {"four": Ref("a/b")}]],
    {"nested": {"deeper": [True, {"ref": Ref("x/y")}]}, "empty": {}, "list": []},
    # every kind as a map value and as an array item (decoded and encoded inline there)
    {
        "s": "a",
        "i": 7,
        "b": False,
        "f": 0.25,
        "n": None,
        "r": Ref("users/u1"),
        "bytes": b"\x01",
        "t": DatetimeWithNanoseconds(2026, 1, 2, 3, 4, 5, nanosecond=6, tzinfo=UTC),  # type: ignore[no-untyped-call]
        "g": GeoPoint(1.0, 2.0),
        "a": ["a", 7, False, 0.25, None, Ref("users/u2"), b"\x02", {"m": 1}, [[]]],
    },
]


class _Kind(enum.IntEnum):
    ONE = 1


class _Text(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        {"enum": _Kind.ONE, "text": _Text("t"), "tuple": ("a", 1)},
        [_Kind.ONE, _Text("t"), ("a", True)],
        collections.OrderedDict([("b", 1), ("a", {"c": _Text("d")})]),
    ],
    ids=repr,
)
def test_subclasses_are_encoded_as_their_base_types(
    value: Any, codec: Codec, client: Client
) -> None:
    ours = codec.encode(value)
    theirs = _helpers.encode_value(to_firestore(value, client))._pb
    assert ours == theirs


@pytest.mark.parametrize("value", SAMPLES, ids=repr)
def test_encoding_equals_the_librarys(value: Any, codec: Codec, client: Client) -> None:
    ours = codec.encode(value)
    theirs = _helpers.encode_value(to_firestore(value, client))._pb
    assert ours == theirs


@pytest.mark.parametrize("value", SAMPLES, ids=repr)
def test_decoding_equals_the_librarys(value: Any, codec: Codec, client: Client) -> None:
    encoded = _helpers.encode_value(to_firestore(value, client))._pb
    ours = codec.value(encoded)
    theirs = to_neutral(_helpers.decode_value(encoded, client))
    assert ours == theirs
    assert type(ours) is type(theirs)


def test_naive_datetimes_are_utc_as_in_the_library(codec: Codec) -> None:
    naive = datetime.datetime(2026, 1, 2, 3, 4, 5, 6)
    assert codec.encode(naive) == _helpers.encode_value(naive)._pb


def test_a_set_write_replaces_the_whole_document(codec: Codec, client: Client) -> None:
    data = {"name": "Ada", "ref": Ref("users/ada"), "tags": ["a", "b"]}
    ours = codec.set_write("user_profiles/ada", data)
    (theirs,) = _helpers.pbs_for_set_no_merge(
        client.document("user_profiles/ada")._document_path, to_firestore(data, client)
    )
    assert ours == theirs._pb


def test_document_paths_come_from_names_of_this_and_other_databases(codec: Codec) -> None:
    assert codec.path(codec.prefix + "meetings/m1") == "meetings/m1"
    other = "projects/other/databases/(default)/documents/users/u1"
    assert codec.path(other) == "users/u1"


def test_special_maps_are_decoded_by_the_library(codec: Codec, client: Client) -> None:
    encoded = _helpers.encode_value(Vector([1.0, 2.0]))._pb
    assert codec.value(encoded) == Vector([1.0, 2.0])


@pytest.mark.parametrize("value", [SERVER_TIMESTAMP, Vector([1.0]), object()], ids=repr)
def test_values_it_cannot_encode_are_left_to_the_library(value: Any, codec: Codec) -> None:
    with pytest.raises(Unsupported):
        codec.set_write("a/b", {"field": value})
