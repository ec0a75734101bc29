"""Helpers for tests of apps built on boiler: apply a domain write, get the Change it delivers.

Tests drive the engine the way triggers do, with the before and after of real writes::

    store = MemoryStore()
    engine = Engine(manifest, store, log=lines.append)
    engine.handle(write(store, "users/tijuana", {"first_name": "Tijuana", ...}))
    engine.handle(update(store, "tickets/tj_t", {"attendance": False}))

or, with every write delivered at once, through :class:`Harness`. :func:`visible` leaves out the
bookkeeping fields the engine adds (``_members``), for comparisons with the fields a view declares.
:class:`App` (:mod:`.app`) is what the tests ``boiler init`` writes use: views.yaml, seed and
story valid, generated files current, views converging. :func:`emulator_id_token` signs a
caller in to the HTTP API on the Auth emulator.

This module is public (``__all__``); :mod:`.app` is imported on first use of ``App``, so a test
of the engine alone loads neither the emulator tools nor pytest.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from boiler_core.engine.change import Change
from boiler_core.engine.cost import Cost
from boiler_core.engine.engine import Engine
from boiler_core.engine.outputs import without_sources
from boiler_core.manifest.model import Manifest
from boiler_core.store.memory import MemoryStore

if TYPE_CHECKING:
    from boiler_core.http.auth import emulator_id_token
    from boiler_core.testing.app import App


def write(
    store: MemoryStore, path: str, data: Mapping[str, Any] | None, *, event_id: str | None = None
) -> Change:
    """Set the top-level document at ``path`` to ``data`` (None deletes it); return the Change."""
    collection, doc_id = _split(path)
    before = store.doc(path)
    if data is None:
        store.remove(path)
    else:
        store.put(path, data)
    return Change(
        collection,
        doc_id,
        before,
        store.doc(path),
        event_id=event_id,
    )


def update(
    store: MemoryStore, path: str, fields: Mapping[str, Any], *, event_id: str | None = None
) -> Change:
    """Merge ``fields`` into the existing document at ``path``; return the Change."""
    current = store.doc(path)
    if current is None:
        raise KeyError(f"cannot update '{path}': no such document (use write() to create it)")
    return write(store, path, {**current, **fields}, event_id=event_id)


def delete(store: MemoryStore, path: str, *, event_id: str | None = None) -> Change:
    """Delete the document at ``path``; return the Change."""
    return write(store, path, None, event_id=event_id)


class Harness:
    """A :class:`MemoryStore` and an :class:`Engine` wired like triggers: each write is delivered.

    ``logs`` collects the engine's log entries instead of printing them.
    """

    def __init__(self, manifest: Manifest, *, store: MemoryStore | None = None) -> None:
        self.manifest = manifest
        self.store = store if store is not None else MemoryStore()
        self.logs: list[dict[str, Any]] = []
        self.engine = Engine(manifest, self.store, log=self.logs.append)

    def write(self, path: str, data: Mapping[str, Any]) -> Cost:
        """Create or replace a domain document and handle its change."""
        return self.engine.handle(write(self.store, path, data))

    def update(self, path: str, fields: Mapping[str, Any]) -> Cost:
        """Merge fields into a domain document and handle its change."""
        return self.engine.handle(update(self.store, path, fields))

    def delete(self, path: str) -> Cost:
        """Delete a domain document and handle its change."""
        return self.engine.handle(delete(self.store, path))

    def views(self) -> dict[str, dict[str, Any]]:
        """Every document that is not domain data (view documents and their copies), by path,
        without the masters' records (``_deep_sources``)."""
        return {
            path: without_sources(data)
            for path, data in self.store.dump().items()
            if path.split("/")[0] not in self.manifest.collections or path.count("/") > 1
        }


def visible(data: Mapping[str, Any]) -> dict[str, Any]:
    """A view document's declared fields: ``data`` without boiler's bookkeeping fields (names
    starting with ``_``, which views.yaml reserves)."""
    return {name: value for name, value in data.items() if not name.startswith("_")}


def _split(path: str) -> tuple[str, str]:
    parts = path.split("/")
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"'{path}' is not a top-level document path (collection/id)")
    return parts[0], parts[1]


def __getattr__(name: str) -> Any:
    if name == "App":
        return importlib.import_module("boiler_core.testing.app").App
    if name == "emulator_id_token":
        return importlib.import_module("boiler_core.http.auth").emulator_id_token
    raise AttributeError(f"module 'boiler_core.testing' has no attribute {name!r}")


__all__ = ["App", "Harness", "delete", "emulator_id_token", "update", "visible", "write"]
