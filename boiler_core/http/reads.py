"""``GET`` of a view document and of a page of a view collection, under the view's read policy.

A document answers ``{"id", "path", "version", "data"}`` with ``ETag: "<version>"``; a request
whose ``If-None-Match`` names the current version gets 304 without a body. A collection answers
``{"items": [document, ...], "next_cursor": "..." | null}``, ordered by document id, ``limit``
items at most (default 20, at most 100); pass ``next_cursor`` back as ``cursor`` for the next page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response
from werkzeug.datastructures import ETags, MultiDict

from boiler_core.documents import Doc
from boiler_core.http.access import DocReader, check_read
from boiler_core.http.pages import decode_cursor, encode_cursor
from boiler_core.http.problems import ApiError, json_response
from boiler_core.http.routes import DEFAULT_LIMIT, MAX_LIMIT, Operation
from boiler_core.http.versions import etag, not_modified, public_fields, to_json, version_of
from boiler_core.store.port import Lister

LIST_PARAMETERS = ("limit", "cursor")


def read_document(
    op: Operation,
    params: Mapping[str, str],
    uid: str | None,
    if_none_match: ETags,
    reader: DocReader,
) -> Response:
    """One view document (or copy), 404 when it does not exist (yet)."""
    assert op.view is not None
    check_read(op, params, uid, reader)
    path = op.template.format(params)
    doc = reader.get_all([path])[path]
    if doc is None:
        raise ApiError(
            404,
            f"no {op.view.name} document at /{path} (a new one appears once the triggers ran)",
        )
    version = version_of(doc.data)
    headers = {"ETag": etag(version), "Cache-Control": "private, no-cache"}
    if not_modified(if_none_match, version):
        response = Response(status=304)
        response.headers.update(headers)
        return response
    return json_response(document_json(doc), 200, headers)


def list_documents(
    op: Operation,
    params: Mapping[str, str],
    args: MultiDict[str, str],
    uid: str | None,
    reader: DocReader,
    lister: Lister,
) -> Response:
    """A page of a view collection (or of a member's copies)."""
    check_read(op, params, uid, reader)
    check_query(args, LIST_PARAMETERS)
    limit = _limit(args.get("limit"))
    cursor = args.get("cursor")
    start_after = decode_cursor(cursor) if cursor is not None else None
    collection = op.template.format(params)
    after = None if start_after is None else f"{collection}/{start_after}"
    docs = lister.list_documents(collection, after=after, limit=limit + 1)
    shown = docs[:limit]
    next_cursor = encode_cursor(shown[-1].id) if len(docs) > limit else None
    body = {"items": [document_json(doc) for doc in shown], "next_cursor": next_cursor}
    return json_response(body, 200, {"Cache-Control": "private, no-cache"})


def document_json(doc: Doc) -> dict[str, Any]:
    """The API's representation of a stored view document."""
    return {
        "id": doc.id,
        "path": doc.path,
        "version": version_of(doc.data),
        "data": to_json(public_fields(doc.data)),
    }


def check_query(args: MultiDict[str, str], allowed: tuple[str, ...]) -> None:
    """400 for query parameters the operation does not declare, or declared more than once."""
    unknown = sorted(set(args) - set(allowed))
    if unknown:
        accepted = ", ".join(allowed) if allowed else "none"
        raise ApiError(
            400,
            f"unknown query parameter '{unknown[0]}' (accepted: {accepted})",
            code="invalid_parameter",
        )
    repeated = sorted(key for key in args if len(args.getlist(key)) > 1)
    if repeated:
        raise ApiError(
            400, f"query parameter '{repeated[0]}' given twice", code="invalid_parameter"
        )


def _limit(text: str | None) -> int:
    if text is None:
        return DEFAULT_LIMIT
    if not (text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= MAX_LIMIT):
        raise ApiError(
            400,
            f"limit must be a whole number from 1 to {MAX_LIMIT}, not '{text}'",
            code="invalid_parameter",
            fields={"limit": [f"Must be between 1 and {MAX_LIMIT}."]},
        )
    return int(text)
