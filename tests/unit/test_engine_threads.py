"""An engine's threads: made when a change needs them, stopped when the engine is closed."""

from __future__ import annotations

import threading

import pytest
from meeting_room.fixture import MEETING_ID, fixture_documents

from boiler_core.engine import Engine
from boiler_core.manifest import Manifest
from boiler_core.store.memory import MemoryStore
from boiler_core.testing import Harness, update


def boiler_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("boiler-")}


def seeded_store(manifest: Manifest) -> MemoryStore:
    """The fixture and four more meetings of the same users, their views built."""
    app = Harness(manifest)
    documents = fixture_documents()
    for path, data in documents.items():
        app.write(path, data)
    for index in range(4):
        app.write(f"meetings/extra{index}", documents[f"meetings/{MEETING_ID}"])
    return app.store


def test_closing_an_engine_stops_the_threads_its_views_and_chunks_ran_on(
    manifest: Manifest,
) -> None:
    store = seeded_store(manifest)
    before = boiler_threads()
    with Engine(manifest, store, log=lambda entry: None, chunk_size=1) as engine:
        # users feed two views; thomasina is in five meetings: chunks of one root each
        engine.handle(update(store, "users/thomasina", {"last_name": "Manes-Kennedy"}))
        started = boiler_threads() - before
        assert any(thread.name.startswith("boiler-view") for thread in started)
        assert any(thread.name.startswith("boiler-chunk") for thread in started)
    assert not [thread for thread in started if thread.is_alive()]
    with pytest.raises(RuntimeError, match="closed"):
        engine.handle(update(store, "users/thomasina", {"last_name": "Manes"}))
    engine.close()  # again: nothing to do


def test_an_engine_of_one_thread_starts_none(manifest: Manifest) -> None:
    store = seeded_store(manifest)
    before = boiler_threads()
    engine = Engine(manifest, store, log=lambda entry: None, chunk_size=1, parallel=1)
    engine.handle(update(store, "users/thomasina", {"last_name": "Manes-Kennedy"}))
    assert not boiler_threads() - before
    engine.close()
