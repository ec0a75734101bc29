"""Checking views.yaml again and regenerating after an edit, inside the running ``boiler dev``.

:func:`rebuild` is ``boiler check`` followed by ``boiler generate``: it loads views.yaml (which
imports the hooks, schemas and mutation handlers it names) and writes the generated files that
changed. Python keeps imported modules, so first the app's own modules (those loaded from the
functions folder) are dropped from the import cache: the check sees the code as it is now. A
file with problems changes nothing: :class:`Rejected` carries every problem.
"""

from __future__ import annotations

import importlib
import os
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from boiler_core.codegen.files import Planned, plan
from boiler_core.codegen.placement import Refusal
from boiler_core.errors import GenerateError, ManifestError, Problem
from boiler_core.manifest import Manifest, load_manifest
from boiler_core.manifest.imports import importable_from


@dataclass(frozen=True)
class Rebuilt:
    """views.yaml is valid; the generated files are current."""

    manifest: Manifest
    written: tuple[str, ...]
    """Generated files that changed and were written (or merged into), relative to the folder of
    views.yaml."""


@dataclass(frozen=True)
class Rejected:
    """views.yaml (or code it names) has problems; nothing was written."""

    problems: tuple[Problem, ...]


def rebuild(manifest_path: Path, functions_dir: Path) -> Rebuilt | Rejected:
    """Check ``manifest_path`` with the app's modules in ``functions_dir`` imported afresh, then
    write the generated files that differ, as ``boiler generate`` does (a file boiler did not
    generate is refused, and then nothing is written)."""
    forget_app_modules(functions_dir)
    root = manifest_path.parent
    try:
        manifest = load_manifest(manifest_path)
        with importable_from(manifest_path.resolve().parent / manifest.project.functions_dir):
            planned, refused = plan(manifest, root)
    except ManifestError as exc:
        return Rejected(tuple(exc.problems))
    except GenerateError as exc:
        return Rejected((Problem(str(manifest_path), 1, 1, f"cannot generate: {exc}"),))
    if refused:
        return Rejected(tuple(_refusal(root, refusal) for refusal in refused))
    return Rebuilt(manifest, tuple(write_planned(planned)))


def write_planned(planned: list[Planned]) -> list[str]:
    """Write the planned files that change; their paths as shown (relative to the project)."""
    written = []
    for item in planned:
        if item.placement.action == "unchanged":
            continue
        item.path.parent.mkdir(parents=True, exist_ok=True)
        item.path.write_text(item.placement.text, encoding="utf-8")
        written.append(item.shown)
    return written


def _refusal(root: Path, refusal: Refusal) -> Problem:
    hint = f"{refusal.fix}; `boiler generate --force` replaces it"
    return Problem(str(root / refusal.path), 1, 1, refusal.reason, hint)


def forget_app_modules(functions_dir: Path) -> list[str]:
    """Drop from ``sys.modules`` every module loaded from a file under ``functions_dir`` (but
    not boiler's own, nor installed packages, should they live there); the names dropped."""
    folder = functions_dir.resolve()
    prefixes = {str(folder), os.path.abspath(functions_dir)}
    installed = {Path(p).resolve() for p in sysconfig.get_paths().values()}
    installed |= {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    forgotten = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file or name == "boiler_core" or name.startswith("boiler_core."):
            continue
        if not any(os.path.abspath(file).startswith(prefix) for prefix in prefixes):
            continue  # cheap test first: most modules are installed packages elsewhere
        path = Path(file).resolve()
        if not path.is_relative_to(folder):
            continue
        if any(path.is_relative_to(place) for place in installed if place.is_relative_to(folder)):
            continue
        del sys.modules[name]
        forgotten.append(name)
    importlib.invalidate_caches()
    return sorted(forgotten)
