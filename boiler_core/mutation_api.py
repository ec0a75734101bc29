"""What a mutation handler named in views.yaml receives: :class:`MutationContext`.

A handler is ``def handler(ctx: MutationContext, body: dict) -> object``. It reads and writes
domain documents through ``ctx`` and refuses a request by raising
:class:`~boiler_core.errors.Refused` (or its subclasses ``NotFound``, ``Conflict``). What it
returns (JSON-serializable, or None) is answered to the client as ``{"result": ...}``.

Everything a handler does through ``ctx`` happens in one serializable Firestore transaction,
together with the policy check and the ``If-Match`` check of the request: reads see one
consistent state, writes are buffered and committed together, and when anything raises, nothing
is written. The transaction may run the handler more than once (after a conflict), so a handler
must have no side effects outside ``ctx``. Handlers write domain documents only; the triggers
write the views. A policy hook (``policy: {hook: module:function}``) is
``def hook(ctx: MutationContext) -> bool`` and runs in the same transaction before the handler.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from boiler_core.documents import Doc


class MutationContext(Protocol):
    """Transactional access to domain documents for one request."""

    @property
    def params(self) -> Mapping[str, str]:
        """Route variables, e.g. ``{"meeting": "meeting_1"}``."""
        ...

    @property
    def uid(self) -> str | None:
        """The caller's Firebase uid, or None for an anonymous caller."""
        ...

    def get(self, path: str) -> Doc | None:
        """Read a document in the request's transaction (including this request's own writes)."""
        ...

    def update(self, path: str, fields: Mapping[str, Any]) -> None:
        """Replace top-level ``fields`` of an existing document; NotFound (404) when missing."""
        ...

    def create(self, path: str, data: Mapping[str, Any]) -> None:
        """Create a document; Conflict (409) when it already exists."""
        ...

    def set(self, path: str, data: Mapping[str, Any]) -> None:
        """Create or replace a document."""
        ...

    def delete(self, path: str) -> None:
        """Delete a document (nothing happens when it does not exist)."""
        ...
