"""Pages of a collection ordered by document id: the one read the storage port does not offer.

:class:`PageReader` is a port of its own, so the engine's port stays as small as the engine
needs: :class:`FirestorePages` runs ``order_by(__name__).start_after(id).limit(n)`` on a
google-cloud-firestore client, :class:`MemoryPages` reads a
:class:`~boiler_core.store.memory.MemoryStore` for tests. Cursors are opaque to clients
(:func:`encode_cursor`): the base64url of the last id of the previous page.
"""

from __future__ import annotations

import base64
import binascii
from typing import Protocol

from google.cloud.firestore import Client

from boiler_core.documents import Doc
from boiler_core.http.problems import ApiError
from boiler_core.http.routes import document_id_problem
from boiler_core.store.firestore import to_neutral
from boiler_core.store.memory import MemoryStore


class PageReader(Protocol):
    """Reads a collection in pages, by ascending document id."""

    def page(self, collection: str, start_after: str | None, limit: int) -> list[Doc]:
        """Up to ``limit`` documents of ``collection`` (a path such as ``users/ada/sessions``)
        whose ids sort after ``start_after`` (from the first when None)."""
        ...


class FirestorePages:
    """:class:`PageReader` on a google-cloud-firestore ``Client``."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def page(self, collection: str, start_after: str | None, limit: int) -> list[Doc]:
        """One query: ordered by ``__name__``, after the cursor, limited."""
        query = self.client.collection(collection).order_by("__name__")
        if start_after is not None:
            query = query.start_after({"__name__": start_after})
        docs = []
        for snapshot in query.limit(limit).stream():
            if snapshot.exists:
                data = to_neutral(snapshot.to_dict() or {})
                docs.append(Doc(snapshot.reference.path, data))
        return docs


class MemoryPages:
    """:class:`PageReader` on a :class:`~boiler_core.store.memory.MemoryStore`."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    def page(self, collection: str, start_after: str | None, limit: int) -> list[Doc]:
        """The store's documents directly in ``collection``, by id."""
        depth = collection.count("/") + 2
        docs = []
        for path, data in self.store.dump(collection + "/").items():
            doc = Doc(path, data)
            if path.count("/") + 1 != depth or (start_after is not None and doc.id <= start_after):
                continue
            docs.append(doc)
        docs.sort(key=lambda d: d.id)
        return docs[:limit]


def encode_cursor(doc_id: str) -> str:
    """The opaque cursor that continues after ``doc_id``."""
    return base64.urlsafe_b64encode(doc_id.encode("utf-8")).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> str:
    """The id a cursor continues after; 400 for a cursor this API did not issue."""
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        doc_id = base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise ApiError(400, "the cursor is not one this API issued", code="invalid_cursor") from exc
    if encode_cursor(doc_id) != cursor or "/" in doc_id or document_id_problem(doc_id):
        raise ApiError(400, "the cursor is not one this API issued", code="invalid_cursor")
    return doc_id
