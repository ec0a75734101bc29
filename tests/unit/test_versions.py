"""View document versions stay the same digest across releases (stored ``_version`` values and
the ETags clients hold must not change when only the code computing them does)."""

from __future__ import annotations

import collections
import datetime
import enum

from google.cloud.firestore import GeoPoint

from boiler_core.documents import Ref
from boiler_core.versions import version_of


class _Kind(enum.IntEnum):
    ONE = 1


def test_the_version_of_every_value_kind_is_pinned() -> None:
    content = {
        "name": "Ünïcode",
        "count": 3,
        "flag": True,
        "none": None,
        "ratio": 0.5,
        "inf": None,  # float("inf") gave this version too, until infinities got their own
        "ref": Ref("users/u1"),
        "when": datetime.datetime(2026, 11, 26, 6, 30, tzinfo=datetime.UTC),
        "raw": b"\x00\xff",
        "where": GeoPoint(1.5, -2.25),
        "enum": _Kind.ONE,
        "items": [{"b": 1, "a": [Ref("x/y"), None]}, ("t", 2)],
        "ordered": collections.OrderedDict([("z", 1), ("y", 2)]),
        "_members": ["bookkeeping, not content"],
    }
    # Computed by the release before to_json checked exact types first (b3123cc).
    assert version_of(content) == "76d7ae41443b8c7c67369ca4c764e5be"


def test_bookkeeping_fields_do_not_change_the_version() -> None:
    content = {"title": "Standup", "attending": [{"name": "Ada"}]}
    assert version_of({**content, "_members": ["ada"], "_version": "x"}) == version_of(content)
