"""HTTP error answers: :class:`ApiError` and the JSON body every error response carries.

Every error the API answers has the same shape, whatever its status::

    {"error": {"code": "conflict", "message": "a meeting whose status is 'closed' ...",
               "fields": {"inSession": ["Not a valid boolean."]}}}

``code`` is a stable machine-readable word (:data:`CODES`), ``message`` a sentence for people,
``fields`` (only for invalid bodies or parameters) marshmallow's messages keyed by field, and
``id`` (only for 500) the identifier under which the trace was logged. Messages never contain
internal details: handlers' :class:`~boiler_core.errors.Refused` messages are written for clients,
and anything unexpected is answered by :func:`internal_error` with an id only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Response

from boiler_core.errors import Refused

JSON_TYPE = "application/json"

CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    500: "internal",
    503: "unavailable",
}
"""The default ``code`` of each status the API answers."""


class ApiError(Refused):
    """Raised inside the HTTP layer to answer a 4xx (or 503) with a JSON error body.

    A :class:`~boiler_core.errors.Refused` subclass, so it travels through a mutation's
    transaction like a handler's refusal: the transaction rolls back and nothing is written.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        fields: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message
        self.fields = dict(fields) if fields is not None else None
        self.headers = dict(headers or {})


def from_refusal(exc: Refused) -> ApiError:
    """The API error for a refusal raised by a handler or a policy hook."""
    if isinstance(exc, ApiError):
        return exc
    status = exc.status if exc.status in CODES else 422
    return ApiError(status, str(exc) or "the request was refused")


def json_response(
    payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """A JSON response (UTF-8, compact, keys in insertion order) that no cache stores."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    response = Response(body, status=status, mimetype=JSON_TYPE)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_body(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The JSON body of an error response (``extra`` entries with a None value are left out)."""
    error: dict[str, Any] = {"code": code, "message": message}
    error.update({key: value for key, value in extra.items() if value is not None})
    return {"error": error}


def error_response(error: ApiError) -> Response:
    """The response answering ``error``."""
    body = error_body(error.status, error.code, error.message, fields=error.fields)
    return json_response(body, error.status, error.headers)


MISCONFIGURED = "misconfigured"
"""The ``code`` of the 503 a deployed function answers when its environment names an emulator."""


def misconfigured() -> Response:
    """The 503 of a function that refuses to serve (:mod:`boiler_core.deployment`): the reason
    is in its log, not in the answer."""
    message = "this service is misconfigured and refuses requests; its operators can see why"
    return json_response(error_body(503, MISCONFIGURED, message), 503)


def internal_error(error_id: str) -> Response:
    """The generic 500 answer: no detail, only the id under which the trace was logged."""
    message = f"internal error; the server logged it under id {error_id}"
    return json_response(error_body(500, CODES[500], message, id=error_id), 500)
