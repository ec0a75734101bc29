"""Domain writes of a story, and reads of the documents it checks, through a Firestore client.

The demo writes as an app would, with the Firestore client on the emulator, so every write runs
the generated triggers. A step's writes are committed in batches of up to :data:`BATCH_SIZE`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from google.cloud.firestore import Client

from boiler_core.demo.story import Document, Write
from boiler_core.store.codec import to_firestore, to_neutral

BATCH_SIZE = 500
"""Writes per batch (Firestore's limit)."""


def apply(client: Client, writes: Sequence[Write]) -> None:
    """Commit ``writes`` in order, a batch per :data:`BATCH_SIZE`."""
    for start in range(0, len(writes), BATCH_SIZE):
        batch = client.batch()
        for write in writes[start : start + BATCH_SIZE]:
            document = client.document(write.path)
            if write.kind == "delete":
                batch.delete(document)
            elif write.kind == "update":
                batch.update(document, to_firestore(dict(write.data), client))
            else:
                batch.set(document, to_firestore(dict(write.data), client))
        batch.commit()


def read(client: Client, path: str) -> Document:
    """The document at ``path`` as the story compares it (references as Ref); None if absent."""
    snapshot = client.document(path).get()
    return neutral(snapshot.to_dict()) if snapshot.exists else None


def neutral(data: dict[str, Any] | None) -> Document:
    """A snapshot's fields as the story compares them (references as Ref)."""
    if data is None:
        return None
    converted: dict[str, Any] = to_neutral(data)
    return converted


def view_documents(client: Client, collection_path: str, group: bool) -> list[tuple[str, Document]]:
    """Every document of a master collection (``group`` False) or a copy collection group,
    sorted by path."""
    query = (
        client.collection_group(collection_path) if group else client.collection(collection_path)
    )
    found = [(snapshot.reference.path, neutral(snapshot.to_dict())) for snapshot in query.stream()]
    return sorted(found)
