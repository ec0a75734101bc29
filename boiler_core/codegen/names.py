"""Names of the generated Cloud Functions, one per source collection.

The deployed entry point of a function is its Python name, looked up on ``main.py``, and Cloud
Functions ids must match :data:`FUNCTION_ID`. Collection ids may contain ``-`` (not allowed in a
Python name) and may be long, so names are sanitized, shortened with a hash when needed, and made
unique with a hash when two collections sanitize to the same name. Every step is deterministic.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

FUNCTION_ID = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]{0,62}$")
"""What Cloud Functions accepts as a function id (checked again by ``firebase deploy``)."""

MAX_LENGTH = 63
_PREFIX = "on_"
_SUFFIX = "_written"
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def trigger_names(collections: Iterable[str]) -> dict[str, str]:
    """The ``on_<collection>_written`` function name of each collection, all distinct."""
    collections = sorted(set(collections))
    names = {c: _name(_UNSAFE.sub("_", c), c, force_hash=False) for c in collections}
    taken: dict[str, list[str]] = {}
    for collection, name in names.items():
        taken.setdefault(name, []).append(collection)
    for clashing in (group for group in taken.values() if len(group) > 1):
        for collection in clashing:
            names[collection] = _name(_UNSAFE.sub("_", collection), collection, force_hash=True)
    return names


def _name(stem: str, collection: str, *, force_hash: bool) -> str:
    name = f"{_PREFIX}{stem}{_SUFFIX}"
    if len(name) <= MAX_LENGTH and not force_hash:
        return name
    digest = hashlib.sha256(collection.encode()).hexdigest()[:8]
    room = MAX_LENGTH - len(_PREFIX) - len(_SUFFIX) - len(digest) - 1
    return f"{_PREFIX}{stem[:room]}_{digest}{_SUFFIX}"
