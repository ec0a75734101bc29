"""What a page served by ``boiler dev`` learns from ``/config.json``: where everything runs.

The runtime picks free ports, so a page cannot hard-code them. It fetches ``config.json`` instead
(relative to itself). In production the same file is a static one deployed with the page, naming
the real project and the function URLs and no emulator (docs/frontend.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PageConfig:
    """The contents of ``config.json``."""

    project_id: str
    """The Firebase project id (the emulator's ``demo-*`` id locally)."""

    firestore_emulator: str | None
    """``127.0.0.1:PORT`` of the Firestore emulator; None in production."""

    functions: Mapping[str, str] = field(default_factory=dict)
    """Base URL of each HTTP function by name: ``{"api": "/api"}`` (same-origin locally)."""

    def to_json(self) -> str:
        """The JSON text served (keys in camelCase, as JavaScript reads them)."""
        data: dict[str, Any] = {"projectId": self.project_id, "functions": dict(self.functions)}
        if self.firestore_emulator is not None:
            host, _, port = self.firestore_emulator.rpartition(":")
            data["firestoreEmulator"] = {"host": host, "port": int(port)}
        return json.dumps(data, indent=2, sort_keys=True) + "\n"
