"""The store contract, values: every kind of value the codec handles comes back as it was
written, through each way in (a transaction's set, bulk creation) and each way out (get_all,
query, listing), on the three stores of tests/contract/conftest.py."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud.firestore import GeoPoint
from store_contract import put

from boiler_core.documents import Doc, Ref
from boiler_core.store.port import ListingStore

UTC = datetime.UTC

KINDS: dict[str, Any] = {
    "null": None,
    "true": True,
    "false": False,
    "zero": 0,
    "int_min": -(2**63),
    "int_max": 2**63 - 1,
    "float": 1.5,
    "infinity": float("inf"),
    "empty_string": "",
    "unicode": "text with ünïcode",
    "bytes": b"\x00\xffbytes",
    "reference": Ref("meetings/m1"),
    "deep_reference": Ref("users/u1/meeting_sessions/m1"),
    "geo_point": GeoPoint(32.88, -117.24),
    "timestamp_ns": DatetimeWithNanoseconds(
        2026, 11, 26, 6, 30, 0, nanosecond=123456789, tzinfo=UTC
    ),  # type: ignore[no-untyped-call]
    "datetime": datetime.datetime(2026, 11, 26, 6, 30, 0, 123456, tzinfo=UTC),
    "empty_list": [],
    "empty_map": {},
    "list": [1, "two", None, {"four": Ref("a/b"), "five": [3.0]}],
    "map": {"nested": {"deeper": [True, {"ref": Ref("x/y")}]}, "empty": {}, "list": []},
    "every_kind_in_a_list": ["a", 7, False, 0.25, None, Ref("users/u2"), b"\x02", {"m": 1}],
}


def _document(name: str) -> dict[str, Any]:
    return {"kind": name, "value": KINDS[name]}


@pytest.mark.parametrize("name", list(KINDS))
def test_a_value_written_in_a_transaction_reads_back_unchanged(
    store: ListingStore, name: str
) -> None:
    put(store, {f"values/{name}": _document(name)})
    doc = store.get_all([f"values/{name}"])[f"values/{name}"]
    assert doc == Doc(f"values/{name}", _document(name))
    assert doc is not None
    assert_same_kinds(doc.data["value"], KINDS[name])


def assert_same_kinds(read: Any, written: Any) -> None:
    """``read`` holds values of the same types as ``written`` (equality alone takes ``True``
    for ``1``); a datetime may come back as the library's datetime with nanoseconds."""
    if isinstance(written, datetime.datetime):
        assert isinstance(read, datetime.datetime)
    else:
        assert type(read) is type(written), (read, written)
    if isinstance(written, dict):
        for key, item in written.items():
            assert_same_kinds(read[key], item)
    elif isinstance(written, list):
        for got, item in zip(read, written, strict=True):
            assert_same_kinds(got, item)


def test_every_kind_reads_back_through_queries_and_listing(store: ListingStore) -> None:
    documents = {f"values/{name}": _document(name) for name in KINDS}
    assert store.create_all(list(documents.items())) == []
    expected = [Doc(path, data) for path, data in sorted(documents.items())]
    assert store.list_documents("values", limit=100) == expected
    for name in KINDS:
        assert store.query("values", "kind", "==", name) == [Doc(f"values/{name}", _document(name))]


@pytest.mark.parametrize(
    # Firestore keeps timestamps to the microsecond: one with nanoseconds reads back equal
    # (datetimes compare to the microsecond) but matches no query for it
    "name",
    ["true", "zero", "int_max", "float", "unicode", "reference", "datetime", "bytes"],
)
def test_a_query_finds_a_document_by_a_value_of_each_kind(store: ListingStore, name: str) -> None:
    put(store, {"values/one": _document(name), "values/other": {"kind": "x", "value": "other"}})
    assert [doc.path for doc in store.query("values", "value", "==", KINDS[name])] == ["values/one"]
