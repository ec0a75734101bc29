"""The ``ETag`` / ``If-Match`` handling of view documents.

A view document's version is :func:`boiler_core.versions.version_of` its content; the engine
stores it as ``_version`` in every view document. The API agrees with it from two places:

* ``GET`` serves the stored view document with ``ETag: "<version>"``;
* a mutation with ``If-Match`` recomputes, inside its transaction, what the view document holds
  for the current domain state (the engine's own computation) and compares versions, so a
  client that saw an older state gets 412 even while the triggers have not caught up yet.

Both headers are parsed strictly (:func:`conditions`): ``*`` or a comma-separated list of one or
more entity tags (``"v"`` or ``W/"v"``). Anything else (``"abc``, an empty value, ``,,,``) is 400,
so a precondition the client meant to set is never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import ETags

from boiler_core.http.problems import ApiError
from boiler_core.versions import VERSION_DIGITS, public_fields, to_json, version_of

__all__ = [
    "VERSION_DIGITS",
    "check_if_match",
    "conditions",
    "etag",
    "not_modified",
    "public_fields",
    "to_json",
    "version_of",
]


_ENTITY_TAG = re.compile(r'[ \t]*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*')
"""One entity tag of RFC 9110 (``W/"..."`` or ``"..."``), with the spaces around it."""

_EMPTY_ITEM = re.compile(r"[ \t]*")


def conditions(header: str, value: str | None) -> ETags:
    """The entity tags of an ``If-Match`` or ``If-None-Match`` header value (empty when the
    header is absent); 400 naming the header when the value is not ``*`` or a list of at least
    one entity tag."""
    if value is None:
        return ETags()
    if value.strip() == "*":
        return ETags(star_tag=True)
    strong: list[str] = []
    weak: list[str] = []
    position = 0
    while position <= len(value):
        tag = _ENTITY_TAG.match(value, position)
        if tag is not None:
            (weak if tag.group(1) else strong).append(tag.group(2))
            position = tag.end()
        else:
            position = _EMPTY_ITEM.match(value, position).end()  # type: ignore[union-attr]
        if position == len(value):
            break
        if value[position] != ",":
            raise _malformed(header, value)
        position += 1
    if not strong and not weak:
        raise _malformed(header, value)
    return ETags(strong, weak)


def _malformed(header: str, value: str) -> ApiError:
    shown = value if len(value) <= 80 else value[:77] + "..."
    return ApiError(
        400,
        f"the {header} header '{shown}' is malformed: send * or entity tags as the ETag header "
        'gave them, e.g. "3f2a..." (quotes included), separated by commas',
    )


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
