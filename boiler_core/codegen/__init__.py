"""Rendering the files derived from views.yaml (main.py, requirements, OpenAPI, indexes, rules).

:func:`render_all` is pure: manifest in, ``{relative path: content}`` out. Only the CLI writes.
Each file has its own module: :mod:`.main_py` (with :mod:`.embed` and :mod:`.names`),
:mod:`.requirements`, :mod:`.indexes`, :mod:`.rules`; ``openapi.json`` comes from
:func:`boiler_core.http.openapi.render_openapi`.
"""

from __future__ import annotations

from boiler_core.codegen.indexes import render_indexes
from boiler_core.codegen.main_py import render_main_py
from boiler_core.codegen.requirements import render_requirements
from boiler_core.codegen.rules import RULES_FILE, render_rules
from boiler_core.http.openapi import render_openapi
from boiler_core.http.routes import OPENAPI_FILE
from boiler_core.manifest import Manifest

INDEXES_FILE = "firestore.indexes.json"


def render_all(manifest: Manifest) -> dict[str, str]:
    """Every generated file, keyed by its path relative to the folder of views.yaml."""
    functions_dir = manifest.project.functions_dir.rstrip("/") or "."
    return {
        f"{functions_dir}/main.py": render_main_py(manifest),
        f"{functions_dir}/requirements.txt": render_requirements(app=manifest.project.requirements),
        f"{functions_dir}/{OPENAPI_FILE}": render_openapi(manifest),
        INDEXES_FILE: render_indexes(manifest),
        RULES_FILE: render_rules(manifest),
    }


__all__ = ["INDEXES_FILE", "render_all"]
