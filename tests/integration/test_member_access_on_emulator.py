"""Who may read a meeting session follows its membership, as the triggers maintain it.

Domain writes go through a server client and the generated triggers; reads go through the REST API
as end users (:mod:`end_user`), so the emulator applies the generated ``firestore.rules``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from emulator_reads import MASTER, MEETING, copy_of
from end_user import EndUser
from google.cloud.firestore import ArrayRemove, ArrayUnion, Client
from meeting_room.fixture import fixture_documents

from boiler_core.dispatch import LocalRuntime
from boiler_core.store.codec import to_firestore

pytestmark = pytest.mark.integration

Wait = Callable[..., Any]


def members(db: Client) -> list[str] | None:
    snapshot = db.document(MASTER).get()
    return (snapshot.to_dict() or {}).get("_members") if snapshot.exists else None


def test_leaving_member_loses_read_access_and_joining_member_gains_it(
    app_db: Client, runtime: LocalRuntime, wait_for: Wait
) -> None:
    def user(uid: str) -> EndUser:
        return EndUser(runtime.emulator_host, runtime.project, uid)

    batch = app_db.batch()
    for path, data in fixture_documents().items():
        batch.set(app_db.document(path), to_firestore(data, app_db))
    batch.set(app_db.document("users/lorenzo"), {"first_name": "Lorenzo", "last_name": "Ruiz"})
    batch.commit()
    wait_for(lambda: members(app_db) == ["joshua", "thomasina", "tijuana"], what="the seeded view")
    assert user("joshua").get(MASTER).allowed
    assert user("lorenzo").get(MASTER).denied

    app_db.document(MEETING).update({"users": ArrayUnion([app_db.document("users/lorenzo")])})
    app_db.document(MEETING).update({"users": ArrayRemove([app_db.document("users/joshua")])})
    wait_for(lambda: members(app_db) == ["lorenzo", "thomasina", "tijuana"], what="new members")
    runtime.settle()

    assert user("lorenzo").get(MASTER).allowed
    assert user("lorenzo").get(copy_of("lorenzo")).allowed
    assert user("joshua").get(MASTER).denied
    gone = user("joshua").get(copy_of("joshua"))
    assert gone.status == 404, gone  # his own path: readable, and the copy is deleted
    assert user("joshua").list("users/joshua", "meeting_sessions").documents() == {}
