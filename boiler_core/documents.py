"""Store-neutral document values: :class:`Ref` (a reference) and :class:`Doc` (a snapshot).

The engine, hooks and the in-memory store see only these types; the Firestore adapter converts
``DocumentReference`` values to :class:`Ref` on the way in and back on the way out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, order=True)
class Ref:
    """A reference to a document by its full path, e.g. ``Ref("users/tijuana")``."""

    path: str

    @property
    def id(self) -> str:
        """The last path segment."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def collection(self) -> str:
        """The path without its last segment."""
        return self.path.rsplit("/", 1)[0]

    @classmethod
    def to(cls, collection: str, doc_id: str) -> Ref:
        """Reference to ``collection/doc_id``."""
        return cls(f"{collection}/{doc_id}")


@dataclass(frozen=True)
class Doc:
    """An existing document: its path and its data (a read-only view, never mutated)."""

    path: str
    data: Mapping[str, Any]
    update_time: int | None = field(default=None, compare=False)
    """When the document was last written, as an opaque increasing integer: Firestore's
    ``update_time`` in nanoseconds since the epoch, the in-memory store's commit counter. None
    when the store did not say. Two reads of a document give the same value exactly when no write
    came between them."""

    @property
    def id(self) -> str:
        """The document id (last path segment)."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def ref(self) -> Ref:
        """A reference to this document."""
        return Ref(self.path)

    def get(self, field_path: str, default: Any = None) -> Any:
        """Value at a dotted path (``location.address``); ``$id`` is the document id."""
        if field_path == "$id":
            return self.id
        value: Any = self.data
        for part in field_path.split("."):
            if not (type(value) is dict or isinstance(value, Mapping)) or part not in value:
                return default
            value = value[part]
        return value


def ref_id(value: Any) -> str | None:
    """The document id a link field holds: a :class:`Ref`, a path string or a bare id; None when
    it holds none (null, a number, an empty string) or an id no Firestore document can have
    (``.``, ``..``, ``__name__``, an empty last segment): such a link leads nowhere."""
    if isinstance(value, Ref):
        doc_id = value.path.rsplit("/", 1)[-1]
    elif isinstance(value, str):
        doc_id = value.rsplit("/", 1)[-1]
    else:
        return None
    reserved = len(doc_id) >= 4 and doc_id.startswith("__") and doc_id.endswith("__")
    return None if not doc_id or doc_id in (".", "..") or reserved else doc_id


def update_time_ns(value: Any) -> int | None:
    """A Firestore update time as :attr:`Doc.update_time` holds it: nanoseconds since the epoch.

    ``value`` is a protobuf ``Timestamp`` (``seconds``, ``nanos``), a datetime (a
    ``DatetimeWithNanoseconds`` keeps its nanoseconds; a naive one is taken as UTC), or None.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        delta = aware - _EPOCH
        nanos = getattr(value, "nanosecond", None)
        fraction = nanos if isinstance(nanos, int) else delta.microseconds * 1000
        return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + fraction
    seconds, nanos = getattr(value, "seconds", None), getattr(value, "nanos", None)
    if isinstance(seconds, int) and isinstance(nanos, int):
        return seconds * 1_000_000_000 + nanos
    raise TypeError(f"not an update time: {value!r}")
