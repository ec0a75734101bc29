"""The ``ETag`` / ``If-Match`` handling of view documents.

A view document's version is :func:`boiler_core.versions.version_of` its content; the engine
stores it as ``_version`` in every view document. The API agrees with it from two places:

* ``GET`` serves the stored view document with ``ETag: "<version>"``;
* a mutation with ``If-Match`` recomputes, inside its transaction, what the view document holds
  for the current domain state (the engine's own computation) and compares versions, so a
  client that saw an older state gets 412 even while the triggers have not caught up yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import ETags

from boiler_core.http.problems import ApiError
from boiler_core.versions import VERSION_DIGITS, public_fields, to_json, version_of

__all__ = [
    "VERSION_DIGITS",
    "check_if_match",
    "etag",
    "not_modified",
    "public_fields",
    "to_json",
    "version_of",
]


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
