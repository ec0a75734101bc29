"""The queries both Firestore paths run, built with the library's public ``Query`` API.

:mod:`.fast` runs them raw; :mod:`.public` streams them through the library.
"""

from __future__ import annotations

from typing import Any

from google.cloud.firestore import Client, FieldFilter

from boiler_core.store.codec import to_firestore
from boiler_core.store.port import QueryOp

OPERATORS: dict[str, str] = {"==": "==", "array-contains": "array_contains"}
"""Port operators as the Python client spells them."""

DOCUMENT_ID = "__name__"
"""The pseudo field of a document's name (``FieldPath.document_id()``); paging orders by it."""


def where(
    client: Client,
    collection: str,
    field: str,
    op: QueryOp,
    value: Any,
    after: str | None,
    limit: int | None,
) -> Any:
    """Documents of the top-level ``collection`` whose ``field`` ``op`` ``value``; a page of them
    ordered by document name with ``after`` and ``limit``."""
    query: Any = client.collection(collection).where(
        filter=FieldFilter(field, OPERATORS[op], to_firestore(value, client))
    )
    if after is not None or limit is not None:
        query = paged(client, query, after, limit)
    return query


def page(client: Client, collection: str, group: bool, after: str | None, limit: int) -> Any:
    """``collection`` (a collection path, or with ``group`` a collection id whose collections
    are listed together) ordered by document name, after ``after``, at most ``limit``."""
    source = client.collection_group(collection) if group else collection_of(client, collection)
    return paged(client, source, after, limit)


def collection_of(client: Client, path: str) -> Any:
    """The library's reference to the collection at ``path`` (``users/ada/meeting_sessions``)."""
    return client.collection(*path.split("/"))


def paged(client: Client, query: Any, after: str | None, limit: int | None) -> Any:
    """``query`` ordered by document name, after the path ``after``, at most ``limit``."""
    query = query.order_by(DOCUMENT_ID)
    if after is not None:
        query = query.start_after({DOCUMENT_ID: client.document(after)})
    if limit is not None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        query = query.limit(limit)
    return query
