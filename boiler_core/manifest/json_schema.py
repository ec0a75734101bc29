"""The JSON Schema of views.yaml that editors validate with, shipped in the package.

An app keeps a copy beside its views.yaml (``boiler schema -o views.schema.json``, done by
``boiler init``) and names it on views.yaml's first line, so the YAML language server finds it
without network access; ``boiler generate`` keeps that copy current.
"""

from __future__ import annotations

import json
from importlib import resources

SCHEMA_FILE = "views.schema.json"
"""Name of the schema in the package and of an app's copy beside views.yaml."""

SCHEMA_ID = "https://boiler.dev/schemas/views.schema.json"
"""The schema's ``$id``: how boiler recognizes its own copy."""

MODELINE = f"# yaml-language-server: $schema={SCHEMA_FILE}"
"""The first line of a views.yaml whose schema copy lies beside it."""


def schema_text() -> str:
    """The schema as shipped."""
    return (resources.files("boiler_core.manifest") / SCHEMA_FILE).read_text(encoding="utf-8")


def is_boiler_schema(text: str) -> bool:
    """True when ``text`` is a copy of boiler's schema (of any version)."""
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("$id") == SCHEMA_ID
