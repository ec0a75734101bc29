"""The starter app ``boiler init`` writes, from the templates shipped in the package.

The templates (``boiler_core/templates/starter``) are a small app of its own: users, projects
and tasks, with a view that joins a project's owner, counts its open tasks, lists its tasks with
their assignees, computes its progress in a hook and keeps a copy for each member; one HTTP
mutation; a seed file; the app tests; a README; a CI workflow. ``@@name@@`` marks the values of
one app (its name, its emulator project id, its Python).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

TEMPLATE = "starter"
_MARK = re.compile(r"@@([a-z_]+)@@")
_RENAMED = {
    "gitignore": ".gitignore",
    "github/workflows/boiler.yml": ".github/workflows/boiler.yml",
}
"""Template files stored without their leading dot (package data skips dot files)."""


@dataclass(frozen=True)
class Values:
    """What differs from one app to the next."""

    app_name: str
    project_id: str
    """The emulator project id, ``demo-...``."""
    runtime: str
    """The Cloud Functions runtime, ``python311``."""
    functions_dir: str
    boiler_version: str

    @property
    def python_version(self) -> str:
        """``3.11`` for ``python311``."""
        digits = self.runtime.removeprefix("python")
        return f"{digits[0]}.{digits[1:]}"


def starter_files(values: Values) -> dict[str, str]:
    """``{path relative to the app root: text}`` of every starter file, values filled in."""
    root = resources.files("boiler_core.templates") / TEMPLATE
    files = {}
    for relative, node in sorted(_walk(root, "")):
        if "__pycache__" in relative or relative.endswith(".pyc"):
            continue
        target = _RENAMED.get(relative, relative)
        if target.startswith("functions/"):
            target = f"{values.functions_dir}/{target.removeprefix('functions/')}"
        files[target] = fill(node.read_text(encoding="utf-8"), values)
    return files


def fill(text: str, values: Values) -> str:
    """``text`` with every ``@@name@@`` replaced by that value (KeyError for an unknown one)."""
    known = {
        "app_name": values.app_name,
        "project_id": values.project_id,
        "runtime": values.runtime,
        "functions_dir": values.functions_dir,
        "boiler_version": values.boiler_version,
        "python_version": values.python_version,
    }
    return _MARK.sub(lambda match: known[match.group(1)], text)


def _walk(node: Traversable, prefix: str) -> list[tuple[str, Traversable]]:
    found = []
    for child in node.iterdir():
        name = f"{prefix}{child.name}"
        if child.is_dir():
            found += _walk(child, f"{name}/")
        else:
            found.append((name, child))
    return found
