"""One trigger delivery: the emulator's binary-mode CloudEvent, decoded for a Python function.

The Firestore emulator POSTs each matching write to
``/functions/projects/{project}/triggers/{trigger_id}`` with the event's attributes as ``ce-*``
headers, ``Content-Type: application/protobuf``, and a body holding the serialized
``DocumentEventData`` as BASE64 TEXT (production sends the raw bytes). A :class:`Delivery` keeps
the request exactly as received, so it can be recorded and replayed; :func:`to_cloud_event` turns
it into what a ``firestore_fn.on_document_written`` function takes.
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cloudevents.http import CloudEvent

PROTOBUF = "application/protobuf"
"""Content type of Firestore event data (``google.events.cloud.firestore.v1.DocumentEventData``)."""

_TRIGGER_PATH = re.compile(r"^/functions/projects/([^/]+)/triggers/([^/?]+)$")
_BASE64 = re.compile(rb"^[A-Za-z0-9+/]*={0,2}$")
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Delivery:
    """A trigger delivery as received over HTTP: path, headers and body, unchanged."""

    path: str
    """Request path, ``/functions/projects/{project}/triggers/{trigger_id}``."""

    headers: tuple[tuple[str, str], ...]
    """Request headers, names lower-cased, in the order received."""

    body: bytes
    """Request body as received (base64 text from the emulator, raw protobuf in production)."""

    @classmethod
    def received(cls, path: str, headers: Mapping[str, str], body: bytes) -> Delivery:
        """Build from a request's path, headers and body."""
        return cls(path, tuple((k.lower(), v) for k, v in headers.items()), body)

    def header(self, name: str) -> str | None:
        """The first header called ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)

    @property
    def target(self) -> tuple[str, str] | None:
        """``(project, trigger_id)`` from the path, or None when the path is not a trigger's."""
        return parse_trigger_path(self.path)

    @property
    def document(self) -> str:
        """The written document's path (``meetings/meeting_1``), from ``ce-document``."""
        return self.header("ce-document") or (self.header("ce-subject") or "").removeprefix(
            "documents/"
        )

    @property
    def event_id(self) -> str | None:
        """The CloudEvent id (``ce-id``)."""
        return self.header("ce-id")

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (the body base64-encoded) for recording; see :meth:`from_json`."""
        return {
            "path": self.path,
            "headers": [list(pair) for pair in self.headers],
            "body": base64.b64encode(self.body).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Delivery:
        """Inverse of :meth:`to_json`."""
        headers = tuple((str(k), str(v)) for k, v in data["headers"])
        return cls(str(data["path"]), headers, base64.b64decode(data["body"]))

    def post(self, base_url: str, timeout: float = 60.0) -> int:
        """Send this delivery again to a dispatcher at ``base_url``; return the HTTP status."""
        skip = {"host", "content-length", "connection", "accept-encoding"}
        request = urllib.request.Request(f"{base_url}{self.path}", data=self.body, method="POST")
        for key, value in self.headers:
            if key not in skip:
                request.add_header(key, value)
        try:
            with _NO_PROXY.open(request, timeout=timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)


def parse_trigger_path(path: str) -> tuple[str, str] | None:
    """``(project, trigger_id)`` of ``/functions/projects/{project}/triggers/{trigger_id}``."""
    match = _TRIGGER_PATH.match(path)
    return (match.group(1), match.group(2)) if match else None


def event_data(body: bytes) -> bytes:
    """The serialized ``DocumentEventData`` in a delivery body.

    The emulator sends it as base64 text, production as raw bytes. Raw ``DocumentEventData`` never
    looks like base64: it starts with a field tag (``0x0a`` or ``0x12``), outside the alphabet.
    """
    if body[:1] in (b"\x0a", b"\x12"):
        return body
    text = body.strip()
    if text and _BASE64.match(text):
        try:
            return base64.b64decode(text, validate=True)
        except binascii.Error:
            return body
    return body


def to_cloud_event(delivery: Delivery) -> CloudEvent:
    """The CloudEvent a Firestore trigger function receives: the ``ce-*`` headers as attributes,
    protobuf data, ``datacontenttype`` ``application/protobuf``."""
    attributes = {key[3:]: value for key, value in delivery.headers if key.startswith("ce-")}
    attributes["datacontenttype"] = PROTOBUF
    return CloudEvent(attributes, event_data(delivery.body))
