"""Store-neutral document values as JSON that survives any JSON parser unchanged (pure).

A retry task carries the documents of an event from the trigger to the retry function through
Cloud Tasks (and, for the local emulators, through Node's ``JSON.parse`` and ``JSON.stringify``),
and a recorded event sits in a Firestore string field. Plain JSON would not bring every value
back as it was: ``1.0`` would come back as ``1`` (an int, another Firestore value), integers
beyond 2**53 would lose digits in JavaScript, NaN has no JSON form, and bytes, references, times
and geo points have none either. So numbers travel as text and every kind but strings, booleans,
null and arrays is a one-key object naming it::

    {"int": "42"}  {"float": "1.0"}  {"float": "NaN"}  {"bytes": "AAE="}
    {"ref": "users/ada"}  {"time": "2026-12-07T10:00:00.123456789Z"}
    {"geo": ["48.85", "2.35"]}  {"vector": ["0.5", "1.0"]}  {"map": {"name": "Ada"}}

:func:`decode` of :func:`encode` gives back an equal value of the same types (a time as
``DatetimeWithNanoseconds`` in UTC, with its nanoseconds). A value of any other type raises
:class:`Unencodable`.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud.firestore import GeoPoint
from google.cloud.firestore_v1.vector import Vector

from boiler_core.documents import Ref


class Unencodable(TypeError):
    """A value of a type :func:`encode` does not know (it names the type)."""


def encode(value: Any) -> Any:
    """``value`` as JSON data that :func:`decode` turns back into an equal value."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return {"int": str(value)}
    if isinstance(value, float):
        return {"float": _float(value)}
    if isinstance(value, Ref):
        return {"ref": value.path}
    if isinstance(value, Mapping):
        return {"map": {_key(key): encode(item) for key, item in value.items()}}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, datetime):
        return {"time": _time(value)}
    if type(value) is bytes:
        return {"bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, GeoPoint):
        return {"geo": [_float(value.latitude), _float(value.longitude)]}
    if isinstance(value, Vector):
        return {"vector": [_float(float(x)) for x in value]}
    raise Unencodable(f"a value of type {type(value).__name__} cannot be carried by a retry task")


def decode(data: Any) -> Any:
    """The value :func:`encode` made ``data`` from; ValueError when ``data`` is no such value."""
    if data is None or isinstance(data, bool | str):
        return data
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict) or len(data) != 1:
        raise ValueError(f"not an encoded value: {str(data)[:80]}")
    ((kind, body),) = data.items()
    try:
        return _DECODERS[kind](body)
    except KeyError:
        raise ValueError(f"unknown kind of encoded value {kind!r}") from None
    except (TypeError, AttributeError, IndexError, OverflowError) as exc:
        raise ValueError(f"malformed {kind} value: {exc}") from None


def _map(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise TypeError("a map holds an object")
    return {str(key): decode(item) for key, item in body.items()}


def _geo(body: Any) -> GeoPoint:
    latitude, longitude = body
    return GeoPoint(float(latitude), float(longitude))


def _bytes(body: Any) -> bytes:
    return base64.b64decode(str(body), validate=True)


def _vector(body: Any) -> Vector:
    return Vector([float(x) for x in body])


_DECODERS: dict[str, Any] = {
    "int": lambda body: int(str(body)),
    "float": lambda body: float(str(body)),
    "ref": lambda body: Ref(str(body)),
    "map": _map,
    "time": lambda body: DatetimeWithNanoseconds.from_rfc3339(str(body)),  # type: ignore[no-untyped-call]
    "bytes": _bytes,
    "geo": _geo,
    "vector": _vector,
}


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise Unencodable(f"a map key of type {type(key).__name__} cannot be carried")
    return key


def _float(value: float) -> str:
    """``repr`` (shortest text that reads back as the same float), or NaN/Infinity/-Infinity."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


def _time(value: datetime) -> str:
    """RFC 3339 in UTC with nanoseconds (a naive time counts as UTC, as Firestore's client
    library reads it)."""
    if isinstance(value, DatetimeWithNanoseconds):
        return str(value.rfc3339())  # type: ignore[no-untyped-call]
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    utc = aware.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}000Z"
