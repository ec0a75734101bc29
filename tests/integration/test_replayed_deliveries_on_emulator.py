"""Duplicated and reordered deliveries on the real emulator leave the views as in-order ones.

The emulator delivers each write once, in order, so duplication and reordering cannot be forced
through it. The dispatcher records every delivery exactly as received; these tests run a story
with in-order single delivery, then POST its recorded deliveries to the dispatcher again,
reversed and each twice, and compare the views with the in-order result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from emulator_reads import MASTER, get, update_times, views
from google.cloud.firestore import Client
from meeting_room.fixture import EXPECTED_MEETING_SESSION, MEETING_ID, fixture_documents

from boiler_core.dispatch import Delivery, LocalRuntime
from boiler_core.store.codec import to_firestore

pytestmark = pytest.mark.integration


def play_story(db: Client, runtime: LocalRuntime, wait_for: Callable[..., Any]) -> list[Delivery]:
    """Seed, then a participant leaving, a rename, a participant removed and the meeting reset to
    not started, with in-order single delivery; return their deliveries."""
    start = len(runtime.deliveries())
    batch = db.batch()
    for path, data in fixture_documents().items():
        batch.set(db.document(path), to_firestore(data, db))
    batch.commit()
    wait_for(lambda: get(db, MASTER) == EXPECTED_MEETING_SESSION, what="the seeded view")
    db.document("tickets/tj_t").update({"attendance": False})
    db.document("users/thomasina").update({"last_name": "Manes-Kennedy"})
    db.document(f"meetings/{MEETING_ID}").update({"users": [db.document("users/thomasina")]})
    db.document(f"meetings/{MEETING_ID}").update({"status": "closed"})
    runtime.settle()
    deliveries = runtime.deliveries()[start:]
    assert len(deliveries) == len(fixture_documents()) + 4
    return deliveries


def reversed_twice(deliveries: list[Delivery]) -> list[Delivery]:
    """Every delivery twice, the whole sequence in reverse order: d_n, d_n, ..., d_1, d_1."""
    return [d for delivery in reversed(deliveries) for d in (delivery, delivery)]


def test_s13_duplicated_reversed_deliveries_change_no_view(
    app_db: Client, runtime: LocalRuntime, wait_for: Callable[..., Any]
) -> None:
    deliveries = play_story(app_db, runtime, wait_for)
    in_order = views(app_db)
    written = update_times(app_db)

    statuses = runtime.replay(reversed_twice(deliveries))

    assert statuses == [200] * (2 * len(deliveries))
    assert views(app_db) == in_order
    assert update_times(app_db) == written  # nothing was even rewritten


def test_s13_duplicated_reversed_deliveries_rebuild_lost_views_exactly(
    app_db: Client, runtime: LocalRuntime, wait_for: Callable[..., Any]
) -> None:
    deliveries = play_story(app_db, runtime, wait_for)
    in_order = views(app_db)
    batch = app_db.batch()
    for path in in_order:
        batch.delete(app_db.document(path))
    batch.commit()
    assert views(app_db) == {}

    runtime.replay(reversed_twice(deliveries))

    assert views(app_db) == in_order


def test_overlapping_duplicated_deliveries_converge_to_the_in_order_views(
    app_db: Client, runtime: LocalRuntime, wait_for: Callable[..., Any]
) -> None:
    deliveries = play_story(app_db, runtime, wait_for)
    in_order = views(app_db)
    batch = app_db.batch()
    for path in in_order:
        batch.delete(app_db.document(path))
    batch.commit()

    statuses = runtime.replay(reversed_twice(deliveries), concurrency=3)

    assert statuses == [200] * (2 * len(deliveries))
    assert views(app_db) == in_order
