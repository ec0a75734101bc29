"""The baseline: the hand-written triggers most Firebase apps start with, for the meeting-room app.

Each trigger re-reads every source document one at a time (``ref.get()``), recomputes the whole
view and writes every view document blindly (``set()``, one call per document), whether or not
its content changed. It produces the same documents as boiler's views (``meeting_sessions/{m}``,
``users/{u}/meeting_sessions/{m}``, ``user_profiles/{u}``) so the benchmark reads both the same
way. It is correct for the benchmark's events (membership changes delete the copies of users who
left) but keeps no stale-write guard: concurrent or reordered events can leave views stale.

Like boiler's engine it prints one Cloud Logging JSON line per invocation with its billed reads,
writes, deletes and queries, so the dispatcher pairs the cost with the invocation.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any

from firebase_functions import firestore_fn
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.cloud.firestore import FieldFilter

_client: firestore.Client | None = None
_lock = threading.Lock()


class Counted:
    """A Firestore client used one call at a time, counting what Firestore bills."""

    def __init__(self, db: firestore.Client) -> None:
        self.db = db
        self.reads = self.writes = self.deletes = self.queries = 0

    def get(self, path: str) -> dict[str, Any] | None:
        self.reads += 1
        snapshot = self.db.document(path).get()
        return snapshot.to_dict() if snapshot.exists else None

    def where(self, collection: str, field: str, op: str, value: Any) -> list[Any]:
        query = self.db.collection(collection).where(filter=FieldFilter(field, op, value))
        found = list(query.stream())
        self.queries += 1
        self.reads += max(1, len(found))
        return found

    def set(self, path: str, data: dict[str, Any]) -> None:
        self.writes += 1
        self.db.document(path).set(data)

    def delete(self, path: str) -> None:
        self.deletes += 1
        self.db.document(path).delete()


def client() -> firestore.Client:
    global _client
    with _lock:
        if _client is None:
            project = os.environ.get("GCLOUD_PROJECT")
            if os.environ.get("FIRESTORE_EMULATOR_HOST"):
                _client = firestore.Client(project=project, credentials=AnonymousCredentials())
            else:
                _client = firestore.Client(project=project)
        return _client


def _ids(refs: Any) -> list[str]:
    return [ref.id for ref in refs or []]


def rebuild_meeting(db: Counted, meeting_id: str, former_users: list[str]) -> None:
    """Recompute meeting_sessions/{meeting_id} and every participant's copy, writing all."""
    meeting = db.get(f"meetings/{meeting_id}")
    if meeting is None:
        db.delete(f"meeting_sessions/{meeting_id}")
        for user_id in former_users:
            db.delete(f"users/{user_id}/meeting_sessions/{meeting_id}")
        return
    location = db.get(meeting["location"].path) if meeting.get("location") else None
    user_ids = _ids(meeting.get("users"))
    users = {uid: db.get(f"users/{uid}") for uid in user_ids}
    tickets = [db.get(ref.path) for ref in meeting.get("tickets") or []]
    present = {t["user"].id for t in tickets if t and t.get("attendance") is True and t.get("user")}
    attending = []
    if meeting.get("status") != "not-started":
        for uid in sorted(user_ids):
            user = users[uid]
            if user is not None and uid in present:
                attending.append(
                    {
                        "name": f"{user.get('first_name')} {user.get('last_name')}",
                        "organization": user.get("organization"),
                        "hearing_aid_requested": bool(user.get("hearing_aid_requested")),
                    }
                )
    view = {
        "latitude": (location or {}).get("latitude"),
        "longitude": (location or {}).get("longitude"),
        "address": (location or {}).get("address"),
        "inSession": meeting.get("status") == "in-session",
        "attending": attending,
        "numHearingAidRequested": sum(1 for a in attending if a["hearing_aid_requested"]),
    }
    members = sorted(uid for uid in user_ids if users[uid] is not None)
    db.set(f"meeting_sessions/{meeting_id}", {**view, "_members": members})
    for uid in members:
        db.set(f"users/{uid}/meeting_sessions/{meeting_id}", view)
    for uid in former_users:
        if uid not in members:
            db.delete(f"users/{uid}/meeting_sessions/{meeting_id}")


def rebuild_profile(db: Counted, user_id: str) -> None:
    """Recompute user_profiles/{user_id} from the user and every meeting listing them."""
    user = db.get(f"users/{user_id}")
    if user is None:
        db.delete(f"user_profiles/{user_id}")
        return
    meetings = db.where("meetings", "users", "array_contains", db.db.document(f"users/{user_id}"))
    items = []
    for snapshot in sorted(meetings, key=lambda s: s.id):
        data = snapshot.to_dict() or {}
        location = db.get(data["location"].path) if data.get("location") else None
        items.append(
            {
                "meeting": snapshot.id,
                "status": data.get("status"),
                "address": (location or {}).get("address"),
            }
        )
    db.set(
        f"user_profiles/{user_id}",
        {
            "first_name": user.get("first_name"),
            "last_name": user.get("last_name"),
            "organization": user.get("organization"),
            "hearing_aid_requested": user.get("hearing_aid_requested"),
            "meetings": items,
        },
    )


def _data(snapshot: Any) -> dict[str, Any]:
    return (snapshot.to_dict() or {}) if snapshot is not None and snapshot.exists else {}


def _report(db: Counted, event: Any, started: float) -> None:
    payload = {
        "event_id": event.id,
        "reads": db.reads,
        "writes": db.writes,
        "deletes": db.deletes,
        "queries": db.queries,
        "ms": round((time.perf_counter() - started) * 1000, 3),
    }
    line = {"severity": "INFO", "message": f"handwritten {event.document}", "boiler": payload}
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


@firestore_fn.on_document_written(document="meetings/{meeting}")
def on_meeting_written(event: firestore_fn.Event[firestore_fn.Change[Any]]) -> None:
    started = time.perf_counter()
    db = Counted(client())
    meeting_id = event.params["meeting"]
    before = _ids(_data(event.data.before).get("users"))
    after = _ids(_data(event.data.after).get("users"))
    rebuild_meeting(db, meeting_id, before)
    for user_id in sorted(set(before) | set(after)):
        rebuild_profile(db, user_id)
    _report(db, event, started)


@firestore_fn.on_document_written(document="tickets/{ticket}")
def on_ticket_written(event: firestore_fn.Event[firestore_fn.Change[Any]]) -> None:
    started = time.perf_counter()
    db = Counted(client())
    ref = db.db.document(f"tickets/{event.params['ticket']}")
    for meeting in db.where("meetings", "tickets", "array_contains", ref):
        rebuild_meeting(db, meeting.id, _ids((meeting.to_dict() or {}).get("users")))
    _report(db, event, started)


@firestore_fn.on_document_written(document="users/{user}")
def on_user_written(event: firestore_fn.Event[firestore_fn.Change[Any]]) -> None:
    started = time.perf_counter()
    db = Counted(client())
    user_id = event.params["user"]
    ref = db.db.document(f"users/{user_id}")
    for meeting in db.where("meetings", "users", "array_contains", ref):
        rebuild_meeting(db, meeting.id, _ids((meeting.to_dict() or {}).get("users")))
    rebuild_profile(db, user_id)
    _report(db, event, started)


@firestore_fn.on_document_written(document="locations/{location}")
def on_location_written(event: firestore_fn.Event[firestore_fn.Change[Any]]) -> None:
    started = time.perf_counter()
    db = Counted(client())
    ref = db.db.document(f"locations/{event.params['location']}")
    users: set[str] = set()
    for meeting in db.where("meetings", "location", "==", ref):
        members = _ids((meeting.to_dict() or {}).get("users"))
        rebuild_meeting(db, meeting.id, members)
        users.update(members)
    for user_id in sorted(users):
        rebuild_profile(db, user_id)
    _report(db, event, started)
