"""HTTP error answers: the JSON responses of :class:`~.api_error.ApiError` and of failures.

The shape of every error body is :mod:`.api_error`'s. Anything unexpected is answered by
:func:`internal_error` with an id only, under which the trace is logged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Response

from boiler_core.http.api_error import CODES, ApiError, error_body, from_refusal

JSON_TYPE = "application/json"


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


__all__ = [
    "CODES",
    "JSON_TYPE",
    "MISCONFIGURED",
    "ApiError",
    "error_body",
    "error_response",
    "from_refusal",
    "internal_error",
    "json_response",
    "misconfigured",
]
