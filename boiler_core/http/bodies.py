"""Request bodies: size (413), media type (415), JSON syntax (400), the declared schema (422).

A body cut short (the client disconnected before sending Content-Length bytes) is 400, a
compressed one (``Content-Encoding`` other than ``identity``) 415.

A mutation with a ``body:`` schema takes a JSON object, loaded by a fresh instance of that
marshmallow Schema; marshmallow's default ``unknown = RAISE`` refuses fields the schema does not
declare, and every problem comes back at once in ``fields``. Booleans and numbers are strict, in
every body schema: JSON ``true`` and ``false`` only, never ``"yes"`` or ``1``; numbers as JSON
numbers, never ``"5"``, and no fraction for an integer (:mod:`.scalars`). A mutation
without a schema takes no body. JSON is parsed strictly: UTF-8, no ``NaN``/``Infinity``, numbers
that fit a float, no key twice in one object, no lone UTF-16 surrogate escape (``"\\ud800"``,
which no store can hold).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

from marshmallow import Schema, ValidationError
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.wrappers import Request

from boiler_core.http.problems import ApiError
from boiler_core.http.scalars import merged, scalar_problems

MAX_BODY_BYTES = 64 * 1024
"""Largest request body accepted; larger ones get 413, however they are sent: before reading
when ``Content-Length`` says so, else (chunked, no length) as soon as one byte more arrives."""

UTF8 = ("utf-8", "utf8")
IDENTITY = "identity"


MAX_DEPTH = 64
"""Deepest nesting of arrays and objects a JSON body may have (Firestore stores 20 levels of maps;
deeper bodies are refused as malformed, the same on every Python)."""


def read_body(request: Request, schema: type[Schema] | None, *, limit: int) -> dict[str, Any]:
    """The validated body of a mutation request (``{}`` for mutations without a schema)."""
    raw = _raw_body(request, limit)
    coding = request.headers.get("Content-Encoding", "").strip().lower()
    if raw and coding not in ("", IDENTITY):
        raise ApiError(415, f"compressed bodies are not accepted (Content-Encoding: {coding})")
    if not raw:
        if schema is not None:
            raise ApiError(400, "this operation needs a JSON body (Content-Type: application/json)")
        return {}
    if not is_json(request):
        raise ApiError(
            415,
            f"the body must be JSON (Content-Type: application/json), not '{request.mimetype}'",
        )
    charset = request.mimetype_params.get("charset")
    if charset is not None and charset.lower() not in UTF8:
        raise ApiError(415, f"JSON bodies must be UTF-8, not '{charset}'")
    if schema is None:
        raise ApiError(400, "this operation takes no request body; send none")
    payload = parse_json(raw)
    instance = schema()
    try:
        coerced = scalar_problems(instance, payload)
        loaded: dict[str, Any] = instance.load(payload)
    except ValidationError as exc:
        raise _invalid(schema, merged(_messages(exc), coerced)) from exc
    except (OverflowError, RecursionError) as exc:  # marshmallow lets these through
        raise ApiError(
            422, f"a value of the body is out of range for {schema.__name__}", code="invalid_body"
        ) from exc
    if coerced:
        raise _invalid(schema, coerced)
    return loaded


def _invalid(schema: type[Schema], messages: dict[str, Any]) -> ApiError:
    return ApiError(
        422, f"the body does not match {schema.__name__}", code="invalid_body", fields=messages
    )


def is_json(request: Request) -> bool:
    """True for ``application/json`` and ``application/*+json`` bodies."""
    mimetype = request.mimetype
    return mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


def parse_json(raw: bytes) -> Any:
    """Strictly parsed JSON; 400 naming the problem."""
    try:
        value = json.loads(
            raw.decode("utf-8"),
            parse_constant=_refuse_constant,
            parse_float=_finite,
            object_pairs_hook=_unique_keys,
        )
        if _deeper_than(value, MAX_DEPTH):
            raise RecursionError  # Python versions differ in how deep json.loads goes
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # every string is valid Unicode
    except UnicodeDecodeError as exc:
        raise ApiError(400, "the body is not valid UTF-8", code="invalid_json") from exc
    except UnicodeEncodeError as exc:
        raise ApiError(
            400,
            "the body is not valid JSON text: it escapes a lone UTF-16 surrogate (\\ud800 to "
            "\\udfff without its pair)",
            code="invalid_json",
        ) from exc
    except RecursionError as exc:
        raise ApiError(
            400,
            f"the JSON body is nested deeper than {MAX_DEPTH} levels",
            code="invalid_json",
        ) from exc
    except ValueError as exc:
        raise ApiError(400, f"the body is not valid JSON: {exc}", code="invalid_json") from exc
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether arrays and objects in ``value`` nest more than ``limit`` levels (iteratively)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return False


def _raw_body(request: Request, limit: int) -> bytes:
    length = request.content_length
    if length is not None and length > limit:
        raise _too_large(limit)
    # A body without Content-Length (chunked) is read up to one byte past the limit: Werkzeug
    # stops quietly at max_content_length, so reading exactly `limit` bytes would cut a larger
    # body to size instead of showing it is too large.
    request.max_content_length = limit + 1
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge as exc:
        raise _too_large(limit) from exc
    except ClientDisconnected as exc:  # the connection closed before Content-Length bytes came
        raise ApiError(400, "the request body ended before its Content-Length") from exc
    if len(raw) > limit:
        raise _too_large(limit)
    return raw


def _too_large(limit: int) -> ApiError:
    return ApiError(413, f"the body is larger than the {limit} bytes this API accepts")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are unique (parsers disagree on which duplicate wins)."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        counted = Counter(key for key, _ in pairs)
        twice = next(key for key, count in counted.items() if count > 1)
        raise ValueError(f"the key '{twice}' appears twice in one object")
    return obj


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text} is too large")
    return value


def _messages(exc: ValidationError) -> dict[str, Any]:
    messages = exc.normalized_messages()  # type: ignore[no-untyped-call]
    return {str(key): value for key, value in messages.items()}
