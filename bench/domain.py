"""The domain state a benchmark writes, kept as a model so expected views can be derived from it.

:class:`Domain` is the only writer of domain documents in a benchmark run: every write goes to the
emulator (through a plain google-cloud-firestore client, as an app would write) and to
:attr:`Domain.state`, a ``{path: data}`` model with store-neutral values
(:class:`~boiler_core.documents.Ref`). Batched seeding goes through :meth:`Domain.bulk`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from google.cloud.firestore import Client

from boiler_core.documents import Ref
from boiler_core.store.codec import to_firestore

Write = tuple[str, dict[str, Any] | None]
"""A domain write: the document path and its new data (None deletes it)."""

BATCH = 400
"""Writes per batch commit when seeding."""


class Domain:
    """Domain documents in the emulator and their model; see the module docstring."""

    def __init__(self, db: Client) -> None:
        self.db = db
        self.state: dict[str, dict[str, Any]] = {}

    def apply(self, path: str, data: Mapping[str, Any] | None) -> None:
        """Write one document (``set``, or ``delete`` for None) and record it in the model."""
        ref = self.db.document(path)
        if data is None:
            ref.delete()
            self.state.pop(path, None)
        else:
            ref.set(to_firestore(dict(data), self.db))
            self.state[path] = copy.deepcopy(dict(data))

    def update(self, path: str, fields: Mapping[str, Any]) -> None:
        """Merge ``fields`` into an existing document (``update``), in the model too."""
        self.db.document(path).update(to_firestore(dict(fields), self.db))
        self.state[path] = {**self.state[path], **copy.deepcopy(dict(fields))}

    def bulk(self, writes: Iterable[Write]) -> int:
        """Apply many writes in batch commits of :data:`BATCH`; return how many."""
        batch = self.db.batch()
        pending = total = 0
        for path, data in writes:
            ref = self.db.document(path)
            if data is None:
                batch.delete(ref)
                self.state.pop(path, None)
            else:
                batch.set(ref, to_firestore(data, self.db))
                self.state[path] = copy.deepcopy(data)
            pending += 1
            total += 1
            if pending == BATCH:
                batch.commit()
                batch, pending = self.db.batch(), 0
        if pending:
            batch.commit()
        return total

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """A deep copy of the model, for before/after comparisons."""
        return copy.deepcopy(self.state)


def ref(path: str) -> Ref:
    """A store-neutral reference."""
    return Ref(path)
