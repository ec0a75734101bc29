"""One domain change as the engine receives it, whatever delivered it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Change:
    """A write to one source document: its state before and after (None when absent).

    Values are store-neutral (references as :class:`~boiler_core.documents.Ref`).
    """

    collection: str
    """Source collection id (``meetings``)."""

    doc_id: str
    """Document id (``meeting_1``)."""

    before: Mapping[str, Any] | None
    """Data before the write; None on create."""

    after: Mapping[str, Any] | None
    """Data after the write; None on delete."""

    event_id: str | None = None
    """The delivering event's id, for logs."""

    time: datetime | None = None
    """When the write happened, for latency figures."""

    @property
    def path(self) -> str:
        """Full document path."""
        return f"{self.collection}/{self.doc_id}"
