"""What Firestore refuses, found before a commit: sizes as Firestore counts them, values it
cannot store.

The largest documents of each shape below are the ones the official Firestore emulator (1.19.9)
accepted, found by bisection (one byte more was refused with "maximum entity size is 1048576
bytes"): each must measure exactly 1 MiB.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from google.cloud.firestore import GeoPoint

from boiler_core.documents import Ref
from boiler_core.engine.limits import MAX_DOCUMENT_BYTES, document_size, measure, problem

NOW = datetime(2026, 12, 8, tzinfo=UTC)


def nested(levels: int) -> Any:
    """``levels`` maps, one in the other (the emulator stores 20 in a field, refuses 21)."""
    value: Any = 1
    for _ in range(levels):
        value = {"a": value}
    return value


LARGEST_ACCEPTED: list[tuple[str, str, dict[str, Any]]] = [
    ("two strings", "big/d", {"a": "x" * 448_516, "b": "x" * 600_000}),
    (
        "long names",
        "bigcollectionname/averyveryverylongdocumentid",
        {"a": "x" * 448_476, "b": "x" * 600_000},
    ),
    ("a subcollection", "users/u1/meeting_sessions/m1", {"a": "x" * 448_493, "b": "x" * 600_000}),
    ("integers", "big/d", {"a": "x" * 648_517, "b": list(range(50_000))}),
    ("a map", "big/d", {"a": "x" * 719_627, "m": {f"key{i}": i for i in range(20_000)}}),
    (
        "maps in a list",
        "big/d",
        {"a": "x" * 648_517, "l": [{"k": "v", "n": 1.5, "t": True, "z": None}] * 20_000},
    ),
    ("references", "big/d", {"a": "x" * 909_627, "r": [Ref(f"users/u{i}") for i in range(5_000)]}),
    (
        "geo points, timestamps, bytes",
        "big/d",
        {
            "a": "x" * 828_513,
            "g": [GeoPoint(1, 2)] * 5_000,
            "t": [NOW] * 5_000,
            "b": b"z" * 100_000,
        },
    ),
]


@pytest.mark.parametrize(
    ("shape", "path", "data"), LARGEST_ACCEPTED, ids=[c[0] for c in LARGEST_ACCEPTED]
)
def test_sizes_match_what_the_emulator_accepts_to_the_byte(
    shape: str, path: str, data: dict[str, Any]
) -> None:
    assert document_size(path, data) == MAX_DOCUMENT_BYTES
    assert problem(path, measure(data)) is None
    data["a"] += "x"
    assert problem(path, measure(data)) == (
        f"{path} would be 1,048,577 bytes, over Firestore's limit of 1,048,576 bytes per document"
    )


def test_non_ascii_text_counts_its_utf8_bytes() -> None:
    assert document_size("d/é", {"é": "日本"}) == (2 + 3 + 16) + (3 + 7) + 32


@pytest.mark.parametrize(
    ("data", "found"),
    [
        ({"a": [1, [2]]}, "field a.1 is a list directly inside a list"),
        ({"m": {"l": [{"x": [[1]]}]}}, "field m.l.0.x.0 is a list directly inside a list"),
        ({"n": 2**63}, "field n holds 9223372036854775808, which does not fit in 64 bits"),
        ({"s": "x" * 1_048_488}, "field s holds 1,048,488 bytes, over Firestore's limit of"),
        ({"b": b"x" * 1_048_488}, "field b holds 1,048,488 bytes, over Firestore's limit of"),
        ({"m": {"__x__": 1}}, "field m.__x__ is a field name Firestore refuses"),
        ({"m": [{"": 1}]}, "field m.0. is a field name Firestore refuses"),
        ({"deep": nested(21)}, "field deep" + ".a" * 20 + " nests maps and lists deeper than 20"),
        ({"deep": [{"a": nested(19)}]}, "field deep.0" + ".a" * 19 + " nests maps and lists"),
    ],
)
def test_values_firestore_cannot_store_are_named_by_their_field_path(
    data: dict[str, Any], found: str
) -> None:
    refused = problem("v/d", measure(data))
    assert refused is not None
    assert refused.startswith(f"v/d: {found}")


def test_values_it_can_store_pass() -> None:
    data = {"l": [{"l": [1, 2]}, None, -(2**63)], "s": "x" * 1_048_400, "m": {}, "d": nested(20)}
    assert problem("v/d", measure(data)) is None
    assert problem("v/d", measure({"s": "x" * 1_048_487})) is None
