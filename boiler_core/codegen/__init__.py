"""Rendering the files derived from views.yaml (functions/main.py, requirements, indexes).

:func:`render_all` is pure: manifest in, ``{relative path: content}`` out. Only the CLI writes.
"""

from __future__ import annotations

from boiler_core.manifest import Manifest


def render_all(manifest: Manifest) -> dict[str, str]:
    """Every generated file, keyed by its path relative to the project root."""
    raise NotImplementedError("codegen is being written")
