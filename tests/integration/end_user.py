"""Calling the emulator's REST API as an end user, so that its security rules apply.

Server client libraries bypass security rules, so they prove nothing about them. An
:class:`EndUser` sends each request with an unsigned ID token (``alg: none``) carrying its uid and
custom claims, as the emulator accepts; ``EndUser(..., uid=None)`` sends no token (signed out) and
:data:`OWNER` sends ``Bearer owner``, which bypasses the rules (for seeding only).

Imported by the test modules of this folder (pytest puts the folder on ``sys.path``).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

OWNER = "owner"
"""The uid that makes :class:`EndUser` an administrator (``Bearer owner``): rules do not apply."""

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_OPS = {"==": "EQUAL", "array-contains": "ARRAY_CONTAINS"}


@dataclass(frozen=True)
class Answer:
    """The emulator's answer: HTTP status and decoded JSON body."""

    status: int
    body: Any

    @property
    def allowed(self) -> bool:
        return 200 <= self.status < 300

    @property
    def denied(self) -> bool:
        """True when the rules refused the request (403 PERMISSION_DENIED)."""
        return self.status == 403

    def documents(self) -> dict[str, dict[str, Any]]:
        """``{path: fields as Python values}`` of a get or a query answer."""
        items = self.body if isinstance(self.body, list) else [{"document": self.body}]
        found = {}
        for item in items:
            doc = item.get("document")
            if doc:
                path = doc["name"].split("/documents/", 1)[1]
                found[path] = {k: decode(v) for k, v in doc.get("fields", {}).items()}
        return found


@dataclass(frozen=True)
class EndUser:
    """One end user of project ``project`` on the emulator at ``host`` (``127.0.0.1:PORT``)."""

    host: str
    project: str
    uid: str | None
    claims: Mapping[str, Any] = field(default_factory=dict)

    def get(self, path: str) -> Answer:
        return self._call("GET", f"/{path}")

    def list(self, parent: str, collection: str, *where: tuple[str, str, Any]) -> Answer:
        """Query ``collection`` under ``parent`` ("" for top level) with ``(field, op, value)``
        filters; a ``__name__`` filter takes a document path."""
        return self._query(parent, collection, where, all_descendants=False)

    def list_group(self, collection: str, *where: tuple[str, str, Any]) -> Answer:
        """A collection group query over every collection called ``collection``."""
        return self._query("", collection, where, all_descendants=True)

    def set(self, path: str, data: Mapping[str, Any]) -> Answer:
        """Create or replace the document at ``path``."""
        fields = {k: encode(v) for k, v in data.items()}
        return self._call("PATCH", f"/{path}", {"fields": fields})

    def delete(self, path: str) -> Answer:
        return self._call("DELETE", f"/{path}")

    def _query(
        self,
        parent: str,
        collection: str,
        where: tuple[tuple[str, str, Any], ...],
        *,
        all_descendants: bool,
    ) -> Answer:
        source: dict[str, Any] = {"collectionId": collection}
        if all_descendants:
            source["allDescendants"] = True
        query: dict[str, Any] = {"from": [source]}
        filters = [self._filter(*condition) for condition in where]
        if len(filters) == 1:
            query["where"] = filters[0]
        elif filters:
            query["where"] = {"compositeFilter": {"op": "AND", "filters": filters}}
        suffix = f"/{parent}:runQuery" if parent else ":runQuery"
        return self._call("POST", suffix, {"structuredQuery": query})

    def _filter(self, name: str, op: str, value: Any) -> dict[str, Any]:
        if name == "__name__":
            value = {"referenceValue": f"{self._documents}/{value}"}
        else:
            value = encode(value)
        return {"fieldFilter": {"field": {"fieldPath": name}, "op": _OPS[op], "value": value}}

    @property
    def _documents(self) -> str:
        return f"projects/{self.project}/databases/(default)/documents"

    def _call(self, method: str, suffix: str, body: Any = None) -> Answer:
        data = None if body is None else json.dumps(body).encode()
        url = f"http://{self.host}/v1/{self._documents}{suffix}"
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.uid is not None:
            request.add_header("Authorization", f"Bearer {self._token()}")
        try:
            with _NO_PROXY.open(request, timeout=10) as response:
                return Answer(int(response.status), json.loads(response.read() or b"{}"))
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, json.loads(exc.read() or b"{}"))

    def _token(self) -> str:
        if self.uid == OWNER:
            return OWNER
        claims = {
            "sub": self.uid,
            "user_id": self.uid,
            "aud": self.project,
            "iss": f"https://securetoken.google.com/{self.project}",
            "iat": 1,
            "auth_time": 1,
            "exp": 4102444800,
            "firebase": {"sign_in_provider": "custom", "identities": {}},
            **self.claims,
        }
        parts = [{"alg": "none", "typ": "JWT"}, claims]
        return ".".join(_b64(json.dumps(p).encode()) for p in parts) + "."


def encode(value: Any) -> dict[str, Any]:
    """A Python value as a Firestore REST ``Value``."""
    if value is None:
        return {"nullValue": None}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"integerValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, list | tuple):
        return {"arrayValue": {"values": [encode(v) for v in value]}}
    if isinstance(value, Mapping):
        return {"mapValue": {"fields": {k: encode(v) for k, v in value.items()}}}
    raise TypeError(f"cannot encode {type(value).__name__} for the REST API")


def decode(value: Mapping[str, Any]) -> Any:
    """A Firestore REST ``Value`` as a Python value (references as document paths)."""
    ((kind, inner),) = value.items()
    if kind == "integerValue":
        return int(inner)
    if kind == "arrayValue":
        return [decode(v) for v in inner.get("values", [])]
    if kind == "mapValue":
        return {k: decode(v) for k, v in inner.get("fields", {}).items()}
    if kind == "referenceValue":
        return str(inner).split("/documents/", 1)[1]
    return inner


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
