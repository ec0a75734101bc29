"""NaN and infinities in domain data, through the generated triggers on the emulator.

Firestore stores NaN, and every read gives a new Python float, unequal to any other NaN: the
views must still be written once, ``boiler verify`` must find them current, and a later event
that changes nothing they show must write nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import meeting_room_app
import pytest
from click.testing import CliRunner
from emulator_reads import MASTER, raw_views, update_times, versions_match, views
from google.cloud.firestore import Client
from meeting_room.fixture import LOCATION_ID, fixture_documents

from boiler_core.cli import main
from boiler_core.dispatch import LocalRuntime
from boiler_core.store.codec import to_firestore

pytestmark = pytest.mark.integration

LOCATION = f"locations/{LOCATION_ID}"


def test_nan_and_infinities_are_written_once_and_verify_clean(
    app_db: Client, runtime: LocalRuntime, wait_for: Callable[..., Any]
) -> None:
    batch = app_db.batch()
    for path, data in fixture_documents().items():
        batch.set(app_db.document(path), to_firestore(data, app_db))
    batch.commit()
    wait_for(lambda: len(views(app_db)) == 7, what="the 7 view documents of the fixture")
    runtime.settle()

    app_db.document(LOCATION).update({"latitude": math.nan, "longitude": -math.inf})
    wait_for(
        lambda: math.isnan(raw_views(app_db)[MASTER].get("latitude", 0.0)),
        what="NaN in the meeting session",
    )
    runtime.settle()
    assert raw_views(app_db)[MASTER]["longitude"] == -math.inf
    assert versions_match(app_db)

    verified = CliRunner().invoke(main, ["verify", "-f", str(meeting_room_app.VIEWS_YAML)])
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.endswith("0 divergences in 2 views\n")

    before = update_times(app_db)
    app_db.document(LOCATION).update({"latitude": math.nan, "note": "not shown in any view"})
    runtime.settle()
    assert update_times(app_db) == before  # nothing the views show changed: nothing written


def test_a_zero_whose_sign_changes_reaches_the_views(
    app_db: Client, runtime: LocalRuntime, wait_for: Callable[..., Any]
) -> None:
    """Firestore keeps the sign of zero (``-0.0`` reads back as ``-0.0``), so a location moved
    from ``0.0`` to ``-0.0`` changes the view documents that show it."""
    batch = app_db.batch()
    for path, data in fixture_documents().items():
        batch.set(app_db.document(path), to_firestore(data, app_db))
    batch.commit()
    wait_for(lambda: len(views(app_db)) == 7, what="the 7 view documents of the fixture")
    app_db.document(LOCATION).update({"latitude": 0.0})
    wait_for(lambda: raw_views(app_db)[MASTER].get("latitude") == 0.0, what="latitude 0.0")
    runtime.settle()

    app_db.document(LOCATION).update({"latitude": -0.0})
    stored = app_db.document(LOCATION).get().to_dict() or {}
    assert math.copysign(1.0, stored["latitude"]) == -1.0  # the emulator keeps the sign
    wait_for(
        lambda: math.copysign(1.0, raw_views(app_db)[MASTER]["latitude"]) == -1.0,
        what="-0.0 in the meeting session",
    )
    runtime.settle()
    assert versions_match(app_db)
    verified = CliRunner().invoke(main, ["verify", "-f", str(meeting_room_app.VIEWS_YAML)])
    assert verified.exit_code == 0, verified.output
