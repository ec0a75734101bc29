"""The functions folder as ``firebase deploy`` uploads it: the files that ship, and the files that
must never ship.

Only the functions folder is uploaded; boiler reaches Cloud Build as a wheel in its ``wheels/``
folder (see :mod:`boiler_core.deploy.wheel`). :func:`upload_problems` refuses an upload that holds
a key file or the venv, or that leaves out what the build needs.

:func:`upload_files` applies firebase.json's ``ignore`` globs as firebase-tools does: each entry
of the folder, directories included, is tested with minimatch (``matchBase``, ``dot``) against its
absolute path; a glob without ``/`` therefore matches the entry's name, and an ignored directory
is not entered. Brace and extended globs are not supported here (none is needed).
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

STALE_COPY = "boiler_core"
"""A folder of this name in the functions folder is a copy of boiler's source that an older
deploy script left behind; it would shadow the installed wheel."""

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

_Rule: TypeAlias = Callable[[Path], bool]


@dataclass(frozen=True)
class UploadFile:
    """One file ``firebase deploy`` would upload."""

    path: str
    """Path relative to the functions folder, with ``/`` separators."""

    size: int
    """Size in bytes."""


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


def upload_problems(source: str, upload: Upload, wheel: str) -> list[str]:
    """Every reason not to upload ``upload`` of the functions folder ``source``: key files, the
    venv, a stale copy of boiler's source, and the wheel or requirements.txt left out by the
    ignore globs (Cloud Build could not install boiler then). ``wheel`` is the wheel's path
    relative to the functions folder."""
    problems = [
        f"{source}/{path} would be uploaded: it looks like a key or credential file; move it "
        "out of the functions folder (or add it to firebase.json's ignore)"
        for path in secret_files(upload.files)
    ]
    paths = {f.path for f in upload.files}
    if any(path.startswith("venv/") for path in paths):
        problems.append(f'{source}/venv would be uploaded: add "venv" to firebase.json\'s ignore')
    if any(path.startswith(f"{STALE_COPY}/") for path in paths):
        problems.append(
            f"{source}/{STALE_COPY}/ would be uploaded: a copy of boiler's source left by an "
            "older deploy script, which would shadow the installed boiler; delete that folder"
        )
    for needed in ("requirements.txt", wheel):
        if needed not in paths:
            problems.append(
                f"{source}/{needed} would not be uploaded (firebase.json's ignore leaves it out), "
                "so Cloud Build could not install boiler: remove the glob that matches it"
            )
    return problems
