"""What the store contract's tests (tests/contract) share: the store under test, and writing
documents through the port."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.cloud.firestore import Client

from boiler_core.store.port import ListingStore, Transaction


@dataclass
class Subject:
    """One store under test, with what the tests need to know about its kind."""

    kind: str
    store: ListingStore
    client: Client | None
    """The Firestore client of the Firestore kinds (None for memory)."""
    conflict: Callable[[str], None]
    """Called inside a transaction that read ``path``: makes that attempt conflict (memory:
    another writer changes the document; Firestore: the server's answer to a conflict,
    ``Aborted``)."""

    @property
    def on_firestore(self) -> bool:
        return self.client is not None


def put(store: ListingStore, documents: dict[str, dict[str, Any]]) -> None:
    """Write ``documents`` in one transaction, through the port."""

    def write(tx: Transaction) -> None:
        for path, data in documents.items():
            tx.set(path, data)

    store.run_transaction(write)
