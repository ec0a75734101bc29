"""The errors the HTTP API answers with, as values: :class:`ApiError` and its JSON body.

No Flask here: the routes and the access checks raise these, and the OpenAPI document describes
them, without loading the web runtime (:mod:`.problems` turns them into responses). Every error
the API answers has the same shape, whatever its status::

    {"error": {"code": "conflict", "message": "a meeting whose status is 'closed' ...",
               "fields": {"inSession": ["Not a valid boolean."]}}}

``code`` is a stable machine-readable word (:data:`CODES`), ``message`` a sentence for people,
``fields`` (only for invalid bodies or parameters) marshmallow's messages keyed by field, and
``id`` (only for 500) the identifier under which the trace was logged. Messages never contain
internal details: handlers' :class:`~boiler_core.errors.Refused` messages are written for clients,
and anything unexpected is answered with an id only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boiler_core.errors import Refused

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


def error_body(status: int, code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The JSON body of an error response (``extra`` entries with a None value are left out)."""
    error: dict[str, Any] = {"code": code, "message": message}
    error.update({key: value for key, value in extra.items() if value is not None})
    return {"error": error}


def require_uid(uid: str | None) -> str:
    """``uid``, or 401 when the caller is anonymous."""
    if uid is None:
        raise unauthenticated("this operation needs a Firebase ID token (Authorization: Bearer)")
    return uid


def unauthenticated(message: str) -> ApiError:
    """The 401 asking for a Firebase ID token."""
    return ApiError(401, message, headers={"WWW-Authenticate": 'Bearer realm="boiler"'})
