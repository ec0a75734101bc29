"""Checking ``project.cors_origins``: the browser origins allowed to call the HTTP functions.

An origin is what a browser sends in its ``Origin`` header: ``scheme://host[:port]``, lower case,
without a path or a trailing slash. The list is an explicit allow-list; the default is empty (no
cross-origin calls). Plain ``http`` is accepted only for loopback development servers, and ``*``
(any origin) only alone, because mixing it with named origins would silently mean "any".
"""

from __future__ import annotations

import re

import yaml

from boiler_core.manifest.reader import Reader

ANY_ORIGIN = "*"
"""The one wildcard entry: every origin may call (for public APIs only)."""

_ORIGIN = re.compile(
    r"^(?P<scheme>https?)://(?P<host>[a-z0-9.-]+|\[[0-9a-f:]+\])(:(?P<port>\d+))?$"
)
_LOOPBACK = ("localhost", "127.0.0.1", "[::1]")
_EXAMPLE = "e.g. https://app.example.com or http://localhost:5173"


def read_cors_origins(reader: Reader, node: yaml.Node) -> tuple[str, ...] | None:
    """The checked origins of ``project.cors_origins``; None (with problems recorded) if invalid."""
    problems = len(reader.problems)
    listed = reader.strings(node, "project.cors_origins")
    if listed is None:
        return None
    seen: set[str] = set()
    for origin, item in listed:
        if origin in seen:
            reader.error(item, f"origin '{origin}' is listed twice in project.cors_origins")
        elif _check_origin(reader, item, origin, len(listed)):
            seen.add(origin)
    if len(reader.problems) != problems:
        return None
    return tuple(origin for origin, _ in listed)


def _check_origin(reader: Reader, node: yaml.Node, origin: str, count: int) -> bool:
    what = f"origin '{origin}' in project.cors_origins"
    if origin == ANY_ORIGIN:
        if count == 1:
            return True
        reader.error(
            node,
            f"{what} allows every origin, so the other entries mean nothing",
            "list the origins your front end is served from, or use '*' alone",
        )
        return False
    if origin != origin.lower():
        reader.error(node, f"{what} must be lower case", f"write '{origin.lower()}'")
        return False
    stripped = origin.rstrip("/")
    match = _ORIGIN.match(origin)
    if match is None:
        scheme, _, rest = stripped.partition("://")
        path_free = f"{scheme}://{rest.split('/')[0]}" if rest else None
        hint = (
            f"an origin has no path or trailing slash: write '{path_free}'"
            if path_free and _ORIGIN.match(path_free)
            else f"write scheme://host[:port], {_EXAMPLE}"
        )
        reader.error(node, f"{what} is not an origin", hint)
        return False
    if match.group("scheme") == "http" and match.group("host") not in _LOOPBACK:
        reader.error(
            node,
            f"{what} uses plain http",
            f"use https://{origin.removeprefix('http://')}; http is for localhost only",
        )
        return False
    return True
