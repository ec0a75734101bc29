"""Reading the meeting-room views back from the emulator, for the integration tests' assertions.

Imported by the test modules of this folder (pytest puts the folder on ``sys.path``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.cloud.firestore import Client
from meeting_room.fixture import MEETING_ID

from boiler_core.engine.outputs import without_sources
from boiler_core.testing import visible
from boiler_core.versions import VERSION_FIELD, version_of

MASTER = f"meeting_sessions/{MEETING_ID}"
MEETING = f"meetings/{MEETING_ID}"


def copy_of(user: str) -> str:
    """Path of a participant's copy of the meeting session."""
    return f"users/{user}/meeting_sessions/{MEETING_ID}"


def get(db: Client, path: str) -> dict[str, Any] | None:
    """A document's data without bookkeeping fields (``_members``), or None when it does not
    exist."""
    snapshot = db.document(path).get()
    return visible(snapshot.to_dict() or {}) if snapshot.exists else None


def views(db: Client) -> dict[str, dict[str, Any]]:
    """Every view document: meeting sessions (masters and copies) and user profiles, by path,
    with every field but ``_version`` and ``_deep_sources`` (bookkeeping such as ``_members``
    included; the version is checked by :func:`versions_match`)."""
    return {path: without_sources(without_version(data)) for path, data in raw_views(db).items()}


def raw_views(db: Client) -> dict[str, dict[str, Any]]:
    """Every view document with every field, by path."""
    snapshots = [*db.collection_group("meeting_sessions").stream()]
    snapshots += [*db.collection("user_profiles").stream()]
    return {s.reference.path: s.to_dict() or {} for s in snapshots}


def without_version(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without the stored content version."""
    return {name: value for name, value in data.items() if name != VERSION_FIELD}


def versions_match(db: Client) -> bool:
    """True when every view document stores the version of its own content."""
    return all(
        data.get(VERSION_FIELD) == version_of(visible(data)) for data in raw_views(db).values()
    )


def update_times(db: Client) -> dict[str, datetime]:
    """The server update time of every view document, by path."""
    snapshots = [*db.collection_group("meeting_sessions").stream()]
    snapshots += [*db.collection("user_profiles").stream()]
    return {s.reference.path: s.update_time for s in snapshots}


def sessions(db: Client) -> dict[str, dict[str, Any]]:
    """The master meeting session of meeting_1 and every per-user copy of it, by path, without
    bookkeeping fields."""
    return {
        p: visible(d) for p, d in views(db).items() if p.endswith(f"meeting_sessions/{MEETING_ID}")
    }
