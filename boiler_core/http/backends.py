"""Where the API reads and writes: a :class:`Backend` built on first use.

:func:`firestore_backend` is production's (and the emulator's, under ``FIRESTORE_EMULATOR_HOST``):
one Firestore client shared by the store (transactions, reads, listing) and the engine that computes
view contents for ``If-Match``. :func:`memory_backend` serves tests from a
:class:`~boiler_core.store.memory.MemoryStore`. Both are factories, called once, on the first
request that needs data, so importing ``main.py`` opens no connection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from boiler_core.engine.engine import Engine
from boiler_core.http.mutations import ViewContent
from boiler_core.manifest.model import Manifest
from boiler_core.store.firestore import FirestoreStore, firestore_client
from boiler_core.store.memory import MemoryStore
from boiler_core.store.port import ListingStore, Reader, Store


@dataclass(frozen=True)
class Backend:
    """The data access one API instance uses."""

    store: ListingStore
    """Transactions for mutations, reads, and the paged listing of view collections."""
    content: ViewContent
    """What a view document holds for the state a reader sees (for ``If-Match``)."""


BackendFactory = Callable[[], Backend]


def firestore_backend(manifest: Manifest, project: str | None) -> BackendFactory:
    """Firestore of ``project`` (None: the project of the environment, as deployed)."""

    def build() -> Backend:
        client = firestore_client(project)
        store = FirestoreStore(client)
        return Backend(store, view_content(manifest, store))

    return build


def memory_backend(manifest: Manifest, store: MemoryStore) -> BackendFactory:
    """An in-memory store, for tests."""

    def build() -> Backend:
        return Backend(store, view_content(manifest, store))

    return build


def view_content(manifest: Manifest, store: Store) -> ViewContent:
    """The engine's computation of a view document, through any reader (a transaction)."""
    engine = Engine(manifest, store, log=_discard)

    def content(view: str, root_id: str, reader: Reader) -> Mapping[str, Any] | None:
        return engine.content(view, root_id, reader)

    return content


def _discard(entry: Mapping[str, Any]) -> None:
    del entry  # content() never logs; the engine's cost lines belong to the triggers
