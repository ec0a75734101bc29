"""Firestore documents to and from store-neutral values, on the raw protocol buffers.

The client library converts every value through proto-plus wrappers and builds a
``DocumentReference`` for every reference, which :func:`to_neutral`
then turns into a :class:`~boiler_core.documents.Ref`. On the engine's hot path (a fan-out reads
and writes thousands of documents in one invocation) that conversion was most of the CPU time.
This module reads and writes the protobuf messages directly, with the library's own rules:

- the same value kinds in both directions (null, bool, int, float, timestamp, string, bytes,
  reference, geo point, array, map), references as :class:`~boiler_core.documents.Ref`;
- what it does not handle itself it hands to the library: a decoded map that is a special type
  (``__type__``: vectors, BSON types) is decoded by the library (``decode_map``, given by
  :class:`~boiler_core.store.internals.Internals`); a value it cannot
  encode (a sentinel such as ``SERVER_TIMESTAMP``, a ``Vector``, a ``DocumentReference``) raises
  :class:`Unsupported`, and the caller writes that document through the library instead.

tests/unit/test_store_codec.py checks both directions against the library's encoder and decoder.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud.firestore import Client, DocumentReference, GeoPoint
from google.cloud.firestore_v1.types import document as document_types
from google.cloud.firestore_v1.types import write as write_types

from boiler_core.documents import Ref

ValuePb: Any = document_types.Value.pb()
DocumentPb: Any = document_types.Document.pb()
WritePb: Any = write_types.Write.pb()
NULL_VALUE = 0
"""``google.protobuf.NullValue.NULL_VALUE``."""
_PLAIN = frozenset(
    {"string_value", "integer_value", "boolean_value", "double_value", "bytes_value"}
)
"""Value kinds whose field holds the decoded value itself."""


class Unsupported(TypeError):
    """A value this codec leaves to the client library."""


class Codec:
    """Encoder and decoder for the documents of one database (``prefix``: its documents root,
    ``projects/P/databases/D/documents/``); ``decode_map`` decodes a map value's (raw) fields
    that only the library knows (``__type__`` maps) into library values."""

    def __init__(self, prefix: str, decode_map: Callable[[Any], Any]) -> None:
        self.prefix = prefix
        self._decode_map = decode_map

    # -- decoding --------------------------------------------------------------------------------

    def path(self, name: str) -> str:
        """The document path (``meetings/m1``) of a full document name."""
        return name[len(self.prefix) :] if name.startswith(self.prefix) else name.split("/", 5)[5]

    def fields(self, fields_pb: Any) -> dict[str, Any]:
        """A document's (raw) ``fields`` map as a store-neutral dict."""
        # The engine decodes thousands of documents per invocation, so the common kinds are
        # decoded here and in values() without a call per value; value() has the same rules.
        out: dict[str, Any] = {}
        for key in fields_pb:  # keys, then a lookup: faster than items() on a upb map
            value_pb = fields_pb[key]
            kind = value_pb.WhichOneof("value_type")
            if kind in _PLAIN:
                out[key] = getattr(value_pb, kind)
            elif kind == "reference_value":
                out[key] = Ref(self.path(value_pb.reference_value))
            elif kind == "map_value" and "__type__" not in value_pb.map_value.fields:
                out[key] = self.fields(value_pb.map_value.fields)
            else:
                out[key] = self.value(value_pb)
        return out

    def values(self, values_pb: Any) -> list[Any]:
        """An (raw) array's ``values`` as a list."""
        out: list[Any] = []
        for value_pb in values_pb:
            kind = value_pb.WhichOneof("value_type")
            if kind in _PLAIN:
                out.append(getattr(value_pb, kind))
            elif kind == "reference_value":
                out.append(Ref(self.path(value_pb.reference_value)))
            elif kind == "map_value" and "__type__" not in value_pb.map_value.fields:
                out.append(self.fields(value_pb.map_value.fields))
            else:
                out.append(self.value(value_pb))
        return out

    def value(self, value_pb: Any) -> Any:
        kind = value_pb.WhichOneof("value_type")
        if kind == "string_value":
            return value_pb.string_value
        if kind == "integer_value":
            return value_pb.integer_value
        if kind == "boolean_value":
            return value_pb.boolean_value
        if kind == "double_value":
            return value_pb.double_value
        if kind == "null_value":
            return None
        if kind == "reference_value":
            return Ref(self.path(value_pb.reference_value))
        if kind == "array_value":
            return self.values(value_pb.array_value.values)
        if kind == "map_value":
            fields = value_pb.map_value.fields
            if "__type__" in fields:  # vectors and BSON types: the library knows them
                return to_neutral(self._decode_map(fields))
            return self.fields(fields)
        if kind == "timestamp_value":
            return DatetimeWithNanoseconds.from_timestamp_pb(value_pb.timestamp_value)  # type: ignore[no-untyped-call]
        if kind == "bytes_value":
            return value_pb.bytes_value
        if kind == "geo_point_value":
            point = value_pb.geo_point_value
            return GeoPoint(point.latitude, point.longitude)
        raise ValueError(f"unknown Firestore value type {kind!r}")

    # -- encoding --------------------------------------------------------------------------------

    def set_write(self, path: str, data: Mapping[str, Any]) -> Any:
        """The raw ``Write`` that replaces (or creates) document ``path`` with ``data``."""
        write = WritePb()
        write.update.name = self.prefix + path
        self._fill_map(write.update.fields, data)
        return write

    def encode(self, value: Any) -> Any:
        """``value`` as a raw ``Value``."""
        out = ValuePb()
        self._fill(out, value)
        return out

    def _fill_map(self, fields: Any, data: Mapping[str, Any]) -> None:
        for key, item in data.items():
            if not isinstance(key, str):
                raise Unsupported(f"map key {key!r} is not a string")
            # The common exact types without a call (a write encodes thousands of values);
            # _fill has the same rules for them and handles every other value.
            kind = type(item)
            if kind is str:
                fields[key].string_value = item
            elif kind is int:
                fields[key].integer_value = item
            elif kind is bool:
                fields[key].boolean_value = item
            else:
                self._fill(fields[key], item)

    def _fill(self, out: Any, value: Any) -> None:
        kind = type(value)  # exact types first: most values are, and the checks are cheaper
        if kind is str:
            out.string_value = value
        elif kind is dict:
            out.map_value.SetInParent()
            self._fill_map(out.map_value.fields, value)
        elif kind is list:
            self._fill_array(out, value)
        elif kind is Ref:
            out.reference_value = self.prefix + value.path
        elif value is None:
            out.null_value = NULL_VALUE
        elif isinstance(value, bool):  # before int: bool is an int
            out.boolean_value = value
        elif isinstance(value, int):
            out.integer_value = value
        elif isinstance(value, float):
            out.double_value = value
        elif isinstance(value, str):
            out.string_value = value
        elif isinstance(value, Ref):
            out.reference_value = self.prefix + value.path
        elif isinstance(value, Mapping):
            out.map_value.SetInParent()
            self._fill_map(out.map_value.fields, value)
        elif isinstance(value, list | tuple):
            self._fill_array(out, value)
        elif isinstance(value, DatetimeWithNanoseconds):
            out.timestamp_value.CopyFrom(value.timestamp_pb())  # type: ignore[no-untyped-call]
        elif isinstance(value, datetime.datetime):
            out.timestamp_value.FromDatetime(value)  # naive means UTC, as in the library
        elif type(value) is bytes:  # BSON binaries subclass bytes: the library's
            out.bytes_value = value
        elif isinstance(value, GeoPoint):
            out.geo_point_value.CopyFrom(value.to_protobuf())
        else:
            raise Unsupported(f"{type(value).__name__} is left to the client library")

    def _fill_array(self, out: Any, items: list[Any] | tuple[Any, ...]) -> None:
        array = out.array_value
        array.SetInParent()
        values = array.values
        for item in items:
            self._fill(values.add(), item)


def to_neutral(value: Any) -> Any:
    """A Firestore value with every ``DocumentReference`` (also nested) replaced by a Ref."""
    if isinstance(value, DocumentReference):
        return Ref(value.path)
    if isinstance(value, Mapping):
        return {key: to_neutral(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_neutral(item) for item in value]
    return value


def to_firestore(value: Any, client: Client) -> Any:
    """A store-neutral value with every Ref (also nested) replaced by a ``DocumentReference``."""
    if isinstance(value, Ref):
        return client.document(value.path)
    if isinstance(value, Mapping):
        return {key: to_firestore(item, client) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_firestore(item, client) for item in value]
    return value
