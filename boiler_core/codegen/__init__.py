"""Rendering the files derived from views.yaml (functions/main.py, requirements, indexes).

:func:`render_all` is pure: manifest in, ``{relative path: content}`` out. Only the CLI writes.
Each file has its own module: :mod:`.main_py` (with :mod:`.embed` and :mod:`.names`),
:mod:`.requirements`, :mod:`.indexes`.
"""

from __future__ import annotations

from boiler_core.codegen.indexes import render_indexes
from boiler_core.codegen.main_py import render_main_py
from boiler_core.codegen.requirements import render_requirements
from boiler_core.manifest import Manifest

INDEXES_FILE = "firestore.indexes.json"


def render_all(manifest: Manifest) -> dict[str, str]:
    """Every generated file, keyed by its path relative to the folder of views.yaml."""
    functions_dir = manifest.project.functions_dir.rstrip("/") or "."
    return {
        f"{functions_dir}/main.py": render_main_py(manifest),
        f"{functions_dir}/requirements.txt": render_requirements(),
        INDEXES_FILE: render_indexes(manifest),
    }


__all__ = ["render_all"]
