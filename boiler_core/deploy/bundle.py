"""The functions folder as ``firebase deploy`` uploads it: boiler_core vendored in, the files
that ship, and the files that must never ship.

Only the functions folder is uploaded, so the ``boiler_core`` package the generated ``main.py``
imports is copied into it (:func:`vendor_package`) before a deploy, and removed afterwards
(:func:`remove_vendored`): left in place it would shadow the working copy of boiler_core for
anything that puts the functions folder first on ``sys.path`` (pytest's ``pythonpath``).

:func:`upload_files` applies firebase.json's ``ignore`` globs as firebase-tools does: each entry
of the folder, directories included, is tested with minimatch (``matchBase``, ``dot``) against its
absolute path; a glob without ``/`` therefore matches the entry's name, and an ignored directory
is not entered. Brace and extended globs are not supported here (none is needed).
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

VENDORED_PACKAGE = "boiler_core"
"""Name of the package copied into the functions folder."""

ALWAYS_IGNORED = ("firebase-debug.log", "firebase-debug.*.log", ".runtimeconfig.json")
"""Files firebase-tools leaves out of every functions upload, whatever firebase.json says."""

SECRET_GLOBS = (
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "*service-account*.json",
    "*service_account*.json",
    "*serviceaccount*.json",
    "*credentials*.json",
    "gha-creds-*.json",
    ".env.local",
    ".secret.local",
)
"""Names of key and credential files: a bundle that would upload one is refused (matched
case-insensitively against each file's name)."""

_NOT_VENDORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", "*.egg-info")
_Rule: TypeAlias = Callable[[Path], bool]


@dataclass(frozen=True)
class UploadFile:
    """One file ``firebase deploy`` would upload."""

    path: str
    """Path relative to the functions folder, with ``/`` separators."""

    size: int
    """Size in bytes."""


def vendor_package(package_dir: Path, functions_dir: Path) -> Path:
    """Copy the package at ``package_dir`` into ``functions_dir`` (replacing an older copy),
    without bytecode caches; return the copy's path."""
    target = functions_dir / package_dir.name
    remove_vendored(functions_dir, package_dir.name)
    shutil.copytree(package_dir, target, ignore=_NOT_VENDORED)
    return target


def remove_vendored(functions_dir: Path, name: str = VENDORED_PACKAGE) -> bool:
    """Remove the vendored copy ``functions_dir/name``; True when there was one."""
    target = functions_dir / name
    if target.is_symlink() or target.is_file():
        target.unlink()
        return True
    if target.is_dir():
        shutil.rmtree(target)
        return True
    return False


@dataclass(frozen=True)
class Upload:
    """What a deploy of the functions folder takes, and what firebase.json's ignore leaves out."""

    files: tuple[UploadFile, ...]
    """Every file uploaded, sorted by path."""

    left_out: tuple[str, ...]
    """Ignored entries, relative paths (an ignored folder is listed, not its content)."""

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


def upload_files(functions_dir: Path, ignore: Sequence[str]) -> Upload:
    """The files a deploy of ``functions_dir`` uploads with firebase.json's ``ignore``."""
    globs = [*ignore, *ALWAYS_IGNORED]
    rules = [_matcher(glob) for glob in globs]
    root = functions_dir.resolve()
    found: list[UploadFile] = []
    left_out: list[str] = []

    def walk(folder: Path) -> None:
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            path = Path(entry.path)
            relative = path.relative_to(root).as_posix()
            if any(rule(path) for rule in rules):
                left_out.append(relative + ("/" if entry.is_dir() else ""))
            elif entry.is_dir():
                walk(path)
            elif entry.is_file():
                found.append(UploadFile(relative, entry.stat().st_size))

    walk(root)
    return Upload(tuple(found), tuple(left_out))


def secret_files(files: Iterable[UploadFile]) -> list[str]:
    """The files among ``files`` whose name looks like a key or a credential file."""
    return [
        f.path
        for f in files
        if any(fnmatch.fnmatchcase(Path(f.path).name.lower(), glob) for glob in SECRET_GLOBS)
    ]


def _matcher(glob: str) -> _Rule:
    """A test of an absolute path against ``glob`` as minimatch(matchBase, dot) applies it."""
    if "/" not in glob.strip("/"):
        pattern = _glob_regex(glob.strip("/"))
        return lambda path: pattern.fullmatch(path.name) is not None
    pattern = _glob_regex(glob)
    return lambda path: pattern.fullmatch(path.as_posix()) is not None


def _glob_regex(glob: str) -> re.Pattern[str]:
    """``*`` and ``?`` within one path segment, ``**`` across segments, ``[...]`` classes."""
    out = []
    i = 0
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = glob.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = glob[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))
