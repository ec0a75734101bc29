"""Importing the Python objects views.yaml names as ``module:attribute`` (hooks, schemas).

Modules are imported from the project's functions folder, exactly as the deployed function will
import them, so an import that works in ``boiler check`` works in production.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from boiler_core.manifest.reader import did_you_mean

_SPEC = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$")


class ImportProblem(Exception):
    """Raised by :func:`import_object` with a message and a hint for views.yaml's error list."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def is_spec(text: str) -> bool:
    """True when ``text`` looks like ``package.module:name``."""
    return bool(_SPEC.match(text))


@contextmanager
def importable_from(folder: Path | None) -> Iterator[None]:
    """Make modules in ``folder`` importable for the duration of the block."""
    if folder is None:
        yield
        return
    entry = str(folder.resolve())
    added = entry not in sys.path
    if added:
        sys.path.insert(0, entry)
    try:
        yield
    finally:
        if added and entry in sys.path:
            sys.path.remove(entry)


def import_object(spec: str) -> Any:
    """Import ``module:name`` and return the attribute, or raise :class:`ImportProblem`."""
    if not is_spec(spec):
        raise ImportProblem(
            f"'{spec}' is not of the form module:name", "for example meeting_room.hooks:attending"
        )
    module_name, attribute = spec.split(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # any failure while importing user code is reported, not raised
        raise ImportProblem(
            f"cannot import module '{module_name}' for '{spec}': {type(exc).__name__}: {exc}",
            "the module must be importable from the functions folder",
        ) from exc
    try:
        return getattr(module, attribute)
    except AttributeError:
        public = [name for name in vars(module) if not name.startswith("_")]
        raise ImportProblem(
            f"module '{module_name}' has no attribute '{attribute}'",
            did_you_mean(attribute, public) or f"define {attribute} in {module_name}",
        ) from None
