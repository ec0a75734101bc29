"""What Firestore refuses to store, found before a commit (pure; no I/O).

A view document is refused at commit when it is larger than Firestore's document limit, when a
string or bytes value is longer than the value limit, when a list holds a list directly, when
maps and lists nest more than 20 levels in one field, when a field name is empty or reserved
(``__name__``), or when an integer does not fit in 64 bits. The engine checks every document a
root would write against these rules before it writes anything (:func:`measure`,
:func:`problem`), so a root whose documents would be refused fails alone, with its size and the
limit, instead of making the whole transaction fail. What else Firestore refuses (a field path
over 1,500 bytes, ...) fails the commit, and the engine splits the chunk to find the root.

Sizes follow Firestore's documented storage sizes, which the emulator enforces to the byte
(checked on the official emulator 1.19.9: a document is refused exactly when this sum exceeds
1,048,576 bytes):

* a document name: each collection id and document id of its path, UTF-8 bytes + 1, plus 16;
* a string: UTF-8 bytes + 1; bytes: their length; a boolean or null: 1; an integer, a float or a
  timestamp: 8; a geo point: 16; a reference: its document name's size;
* a list: the sum of its values; a map: each key (as a string) plus its value;
* a document: its name, each field name (as a string) and value, plus 32.

Values of other types are counted as 8 bytes; the database decides whether it can store them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boiler_core.documents import Ref

MAX_DOCUMENT_BYTES = 1_048_576
"""Firestore's limit on one document's size (1 MiB)."""

MAX_VALUE_BYTES = 1_048_487
"""Firestore's limit on one string or bytes value (1 MiB - 89 bytes)."""

COMMIT_BUDGET = 3 * 1024 * 1024
"""Bytes of documents one transaction of several roots may write; a chunk whose writes are more
is split. Firestore takes requests up to 10 MiB, the emulator up to 4 MiB (its gRPC limit); a
commit over that limit fails for every root in it, though each root alone fits."""

DOCUMENT_OVERHEAD = 32
"""Bytes Firestore adds to every document's size."""

NAME_OVERHEAD = 16
"""Bytes Firestore adds to every document name's size."""

MAX_DEPTH = 20
"""Maps and lists one field's value may nest (the emulator refuses a 21st level)."""

RESERVED_NAME = re.compile(r"^__.*__$")
"""Field names Firestore reserves (``__name__``)."""

_INT64 = (-(2**63), 2**63 - 1)


def name_size(path: str) -> int:
    """Storage size of the document name ``path`` (``users/ada/meeting_sessions/m1``)."""
    return sum(_utf8(part) + 1 for part in path.split("/")) + NAME_OVERHEAD


def document_size(path: str, data: Mapping[str, Any]) -> int:
    """Storage size of the document ``path`` holding ``data``, as Firestore counts it (values
    Firestore would refuse are counted too)."""
    return name_size(path) + _fields(data, ()) + DOCUMENT_OVERHEAD


@dataclass(frozen=True)
class Measured:
    """A document's data as the limits see it: the size of its fields, and the first value
    Firestore would refuse whatever the document's name."""

    fields: int
    """Storage size of the fields: each name and value."""

    problem: str | None
    """Why a value cannot be stored (named by its field path), or None."""

    def size(self, path: str) -> int:
        """The size of the document ``path`` holding this data."""
        return name_size(path) + self.fields + DOCUMENT_OVERHEAD


def measure(data: Mapping[str, Any]) -> Measured:
    """Measure ``data`` once; the documents holding it differ only by their names (a view's
    copies share their content)."""
    refused: list[str] = []
    size = _fields(data, refused)
    return Measured(size, refused[0] if refused else None)


def problem(path: str, measured: Measured) -> str | None:
    """Why Firestore would refuse the document ``path`` holding data ``measured``; None when
    it would not (as far as these rules tell)."""
    if measured.problem is not None:
        return f"{path}: {measured.problem}"
    size = measured.size(path)
    if size > MAX_DOCUMENT_BYTES:
        return (
            f"{path} would be {size:,} bytes, over Firestore's limit of "
            f"{MAX_DOCUMENT_BYTES:,} bytes per document"
        )
    return None


class _Refused(Exception):
    """A value Firestore cannot store; ``parts`` is its field path, innermost first."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.parts: list[str] = []

    def message(self) -> str:
        return f"field {'.'.join(reversed(self.parts))} {self.reason}"


def _fields(data: Mapping[str, Any], refused: list[str] | tuple[()]) -> int:
    """Storage size of a map's entries; the first refused value is appended to ``refused``
    (a tuple: not looked for)."""
    try:
        return _map(data, isinstance(refused, list), 0)
    except _Refused as exc:
        if isinstance(refused, list):
            refused.append(exc.message())
        return _map(data, False, 0)


def _map(data: Mapping[str, Any], check: bool, depth: int) -> int:
    """Storage size of a map's entries; ``depth`` is the map's (0: a document's fields)."""
    size = 0
    for key, value in data.items():
        name = str(key)
        try:
            if check and (not name or RESERVED_NAME.match(name)):
                raise _Refused("is a field name Firestore refuses (empty, or reserved: __name__)")
            size += _utf8(name) + 1 + _value(value, check, False, depth)
        except _Refused as exc:
            exc.parts.append(name)
            raise
    return size


def _value(value: Any, check: bool, in_list: bool, depth: int) -> int:
    """Storage size of one value; ``depth``: how many maps and lists hold it within its field."""
    kind = type(value)
    if kind is str or kind is bytes or kind is bytearray:
        length = _utf8(value) if kind is str else len(value)
        if check and length > MAX_VALUE_BYTES:
            raise _Refused(
                f"holds {length:,} bytes, over Firestore's limit of {MAX_VALUE_BYTES:,} bytes "
                "per value"
            )
        return length + 1 if kind is str else length
    if kind is bool or value is None:
        return 1
    if kind is int:
        if check and not _INT64[0] <= value <= _INT64[1]:
            raise _Refused(f"holds {value}, which does not fit in 64 bits")
        return 8
    if kind is float:
        return 8
    container = kind is dict or kind is list or kind is tuple or isinstance(value, Mapping)
    if check and container and depth >= MAX_DEPTH:
        raise _Refused(f"nests maps and lists deeper than {MAX_DEPTH} levels")
    if kind is dict or isinstance(value, Mapping):
        return _map(value, check, depth + 1)
    if kind is list or kind is tuple:
        if check and in_list:
            raise _Refused("is a list directly inside a list, which Firestore cannot store")
        size = 0
        for index, item in enumerate(value):
            try:
                size += _value(item, check, True, depth + 1)
            except _Refused as exc:
                exc.parts.append(str(index))
                raise
        return size
    if isinstance(value, Ref):
        return name_size(value.path)
    if isinstance(value, datetime):
        return 8
    if hasattr(value, "latitude") and hasattr(value, "longitude"):
        return 16
    return 8


def _utf8(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode())
