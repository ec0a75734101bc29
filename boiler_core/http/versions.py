"""View documents as JSON, and their versions (the ``ETag`` / ``If-Match`` values).

A view document's **version** is a digest of its content: the SHA-256 of its fields as canonical
JSON (sorted keys, no spaces), first 32 hex digits. Fields whose name starts with ``_`` are
bookkeeping (e.g. ``_members``, read by the security rules) and belong neither to the content the
API serves nor to its version.

Being a function of the content, the version needs no extra field or write, and the API can
compute it from two places that agree whenever the view is current:

* ``GET`` serves the stored view document with ``ETag: "<version>"``;
* a mutation with ``If-Match`` recomputes, inside its transaction, what the view document holds
  for the current domain state (the engine's own computation) and compares versions, so a
  client that saw an older state gets 412 even while the triggers have not caught up yet.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from werkzeug.datastructures import ETags

from boiler_core.documents import Ref
from boiler_core.http.problems import ApiError

VERSION_DIGITS = 32


def public_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields the API serves: all but bookkeeping fields (names starting with ``_``)."""
    return {key: value for key, value in data.items() if not key.startswith("_")}


def to_json(value: Any) -> Any:
    """A Firestore value as JSON: timestamps as RFC 3339 text, bytes as base64, references as
    paths, geo points as ``{latitude, longitude}``, non-finite numbers as null."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Ref):
        return value.path
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if hasattr(value, "latitude") and hasattr(value, "longitude"):
        return {"latitude": value.latitude, "longitude": value.longitude}
    path = getattr(value, "path", None)
    return path if isinstance(path, str) else str(value)


def version_of(data: Mapping[str, Any]) -> str:
    """The version of a view document with fields ``data`` (bookkeeping fields ignored)."""
    canonical = json.dumps(
        to_json(public_fields(data)), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:VERSION_DIGITS]


def etag(version: str) -> str:
    """The ``ETag`` header value of a version (a strong entity tag)."""
    return f'"{version}"'


def check_if_match(if_match: ETags, current: Mapping[str, Any] | None, what: str) -> None:
    """412 unless ``If-Match`` (when sent) names the version of ``current`` (None: missing)."""
    if not if_match:
        return
    if current is None:
        raise ApiError(412, f"If-Match failed: {what} does not exist")
    if if_match.star_tag:
        return
    if not if_match.contains(version_of(current)):
        raise ApiError(
            412,
            f"If-Match failed: {what} has changed since the version you sent; read it again "
            "and retry with its current ETag",
        )


def not_modified(if_none_match: ETags, version: str) -> bool:
    """True when ``If-None-Match`` names ``version`` (weak comparison, as RFC 9110 says)."""
    return bool(if_none_match) and if_none_match.contains_weak(version)
