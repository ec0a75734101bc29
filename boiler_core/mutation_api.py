"""What a mutation handler named in views.yaml receives: :class:`MutationContext`.

A handler is ``def handler(ctx: MutationContext, body: dict) -> dict | None``. It reads and writes
domain documents through ``ctx`` (inside one transaction) and refuses a request by raising
:class:`~boiler_core.errors.Refused` (or its subclasses ``NotFound``, ``Conflict``). It never writes
view documents: the triggers do that.
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
        """Read a document in the request's transaction."""
        ...

    def update(self, path: str, fields: Mapping[str, Any]) -> None:
        """Update fields of an existing document when the transaction commits."""
        ...
