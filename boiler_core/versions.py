"""View document versions: a digest of a view document's content, shared by engine and API.

A view document's **version** is the SHA-256 of its fields as canonical JSON (sorted keys, no
spaces; NaN and the infinities written as the bare tokens ``NaN``, ``Infinity`` and
``-Infinity``, which no other value gives), first 32 hex digits. Fields whose name starts with
``_`` are bookkeeping (``_members`` for the security rules, ``_version`` itself) and belong neither
to the content nor to its version.

The engine stores the version in every view document it writes, as ``_version``, so a front end
reading through a Firestore SDK sees the version it may send as ``If-Match``; the HTTP API serves
the same value as ``ETag``. Being a function of the content, it changes exactly when the content
does, so it never causes a write of its own.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from boiler_core.documents import Ref

VERSION_DIGITS = 32
VERSION_FIELD = "_version"
"""Bookkeeping field holding a view document's version."""


def public_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields the API serves: all but bookkeeping fields (names starting with ``_``)."""
    return {key: value for key, value in data.items() if not key.startswith("_")}


def to_json(value: Any, *, finite: bool = True) -> Any:
    """A Firestore value as JSON: timestamps as RFC 3339 text, bytes as base64, references as
    paths, geo points as ``{latitude, longitude}``, non-finite numbers as null (kept as they are
    with ``finite=False``, for :func:`version_of`)."""
    kind = type(value)  # exact types first: nearly every value is one (a view has thousands)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return {str(key): to_json(item, finite=finite) for key, item in value.items()}
    if kind is list:
        return [to_json(item, finite=finite) for item in value]
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) or not finite else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Ref):
        return value.path
    if isinstance(value, Mapping):
        return {str(key): to_json(item, finite=finite) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item, finite=finite) for item in value]
    if hasattr(value, "latitude") and hasattr(value, "longitude"):
        return {"latitude": value.latitude, "longitude": value.longitude}
    path = getattr(value, "path", None)
    return path if isinstance(path, str) else str(value)


def version_of(data: Mapping[str, Any]) -> str:
    """The version of a view document with fields ``data`` (bookkeeping fields ignored); NaN,
    infinities and null give three different versions."""
    canonical = json.dumps(
        to_json(public_fields(data), finite=False),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=True,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:VERSION_DIGITS]
