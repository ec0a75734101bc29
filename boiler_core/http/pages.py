"""Cursors of the paged listing of view collections.

Pages are read with the storage port's ``list_documents`` (ordered by document name, after a
cursor, never by offset). Cursors are opaque to clients (:func:`encode_cursor`): the base64url
of the last id of the previous page.
"""

from __future__ import annotations

import base64
import binascii

from boiler_core.http.problems import ApiError
from boiler_core.http.routes import document_id_problem


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
