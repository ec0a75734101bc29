"""Which source files ``boiler dev`` watches, and what changed between two looks at them.

Watched: views.yaml and every ``*.py`` file under the functions folder (hooks, schemas, mutation
handlers, any module they import), except the generated ``main.py`` and folders that hold no
source of the app (``__pycache__``, virtualenvs, ``node_modules``, hidden folders, installed
packages). A look is a :class:`Snapshot` of each file's modification time and size; polling it a
few times a second costs a few ``stat`` calls and no dependency.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

SKIPPED_FOLDERS = frozenset(
    {"__pycache__", "venv", ".venv", "node_modules", "site-packages", "boiler_core"}
)
"""Folders never entered (besides hidden ones): caches, virtualenvs, installed or vendored code
(a deploy copies ``boiler_core`` into the functions folder)."""

Stamp = tuple[int, int]
"""A file's modification time (ns) and size."""


@dataclass(frozen=True)
class Snapshot:
    """Each watched file's :data:`Stamp` at one moment."""

    stamps: Mapping[Path, Stamp] = field(default_factory=dict)

    def changes(self, later: Snapshot) -> list[Path]:
        """Files added, removed or modified between this snapshot and ``later``, sorted."""
        paths = set(self.stamps) | set(later.stamps)
        return sorted(p for p in paths if self.stamps.get(p) != later.stamps.get(p))


@dataclass(frozen=True)
class WatchedFiles:
    """views.yaml and the app's Python files under the functions folder."""

    manifest: Path
    functions_dir: Path
    ignored: frozenset[Path] = frozenset()
    """Files written by boiler itself (the generated ``main.py``): never watched."""

    def files(self) -> Iterator[Path]:
        """Every watched file that exists now."""
        if self.manifest.is_file():
            yield self.manifest
        for path in _python_files(self.functions_dir):
            if path not in self.ignored and path != self.manifest:
                yield path

    def snapshot(self) -> Snapshot:
        """The stamps of every watched file now (a file removed meanwhile is left out)."""
        stamps: dict[Path, Stamp] = {}
        for path in self.files():
            try:
                stat = path.stat()
            except OSError:
                continue
            stamps[path] = (stat.st_mtime_ns, stat.st_size)
        return Snapshot(stamps)


def _python_files(folder: Path) -> Iterable[Path]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            if entry.name not in SKIPPED_FOLDERS and not _is_virtualenv(Path(entry.path)):
                yield from _python_files(Path(entry.path))
        elif entry.name.endswith(".py") and entry.is_file():
            yield Path(entry.path)


def _is_virtualenv(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file()


def describe_changes(changed: list[Path], base: Path) -> str:
    """``views.yaml, functions/app/hooks.py`` (paths relative to ``base`` where possible; at most
    three named, then how many more)."""
    names = []
    for path in changed:
        try:
            names.append(str(path.relative_to(base)))
        except ValueError:
            names.append(str(path))
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")
