"""The functions folder as ``firebase deploy`` uploads it, and what must not ship from it.

Only the functions folder is uploaded; boiler reaches Cloud Build as a wheel in its ``wheels/``
folder (see :mod:`boiler_core.deploy.wheel`). :func:`upload_problems` refuses an upload that holds
a file off the allow-list (:mod:`boiler_core.deploy.shipping`), a file whose content holds a key
or credential (:mod:`boiler_core.deploy.secrets`), the venv or an old copy of boiler, or that
leaves out what the build needs. :func:`dotenv_problems` reads the dotenv files ``firebase
deploy`` turns into the functions' environment variables, uploaded or not.

:func:`upload_files` applies firebase.json's ``ignore`` globs as firebase-tools does: each entry
of the folder, directories included, is tested with minimatch (``matchBase``, ``dot``) against its
absolute path; a glob without ``/`` therefore matches the entry's name, and an ignored directory
is not entered. Brace and extended globs are not supported here (none is needed).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from boiler_core.deploy.secrets import scan_file
from boiler_core.deploy.shipping import Allowed, refused

STALE_COPY = "boiler_core"
"""A folder of this name in the functions folder is a copy of boiler's source that an older
deploy script left behind; it would shadow the installed wheel."""

PYVENV_CFG = "pyvenv.cfg"
"""The file at the top of every virtualenv."""

DOTENV_EMULATOR = ".env.local"
"""The dotenv file only the Functions emulator reads."""

ALWAYS_IGNORED = ("firebase-debug.log", "firebase-debug.*.log", ".runtimeconfig.json")
"""Files firebase-tools leaves out of every functions upload, whatever firebase.json says."""

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


def upload_problems(
    folder: Path, source: str, upload: Upload, wheel: str, data_files: Sequence[str] = ()
) -> list[str]:
    """Every reason not to upload ``upload`` of the functions folder ``folder`` (``source`` in
    firebase.json): a virtualenv (named once, its files neither listed nor read), files holding
    a key or credential, files off the allow-list, a stale copy of boiler's source, and the wheel
    or requirements.txt left out by the ignore globs (Cloud Build could not install boiler then).
    ``wheel`` is the wheel's path relative to the folder; ``data_files`` are views.yaml's
    ``project.data_files``."""
    problems = []
    paths = [f.path for f in upload.files]
    venvs = sorted({p.rpartition("/")[0] for p in paths if p.rpartition("/")[2] == PYVENV_CFG})
    in_venv = {p for p in paths if any(p.startswith(f"{venv}/") for venv in venvs)}
    for venv in venvs:
        name = venv.rpartition("/")[2] or venv
        problems.append(
            f"{source}/{venv}/ would be uploaded: a virtualenv, which Cloud Build makes from "
            f'requirements.txt; add "{name}" to firebase.json\'s ignore'
        )
    holding = set()
    for file in upload.files:
        if file.path in in_venv:
            continue
        found = _scan(folder / file.path)
        if found:
            holding.add(file.path)
            problems.append(
                f"{source}/{file.path} would be uploaded and holds {found}: keys and credentials "
                "never ship; take the secret out of the file (keep it in Secret Manager and read "
                f"it at run time) or keep the file out of {source}/"
            )
    allowed = Allowed(wheel, tuple(data_files))
    problems += refused(source, [p for p in paths if p not in holding | in_venv], allowed)
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


def dotenv_problems(folder: Path, shown: str, checked: Collection[str] = ()) -> list[str]:
    """Credentials in the dotenv files of ``folder`` (the codebase's ``configDir``, else its
    source; ``shown`` as the user names it) that ``firebase deploy`` reads into the deployed
    functions' environment, whether the upload holds them or not; ``checked`` names those the
    upload holds, already checked with it. ``.env.local`` is read by the emulator only."""
    problems = []
    for path in sorted(folder.glob(".env*")):
        name = path.name
        if not path.is_file() or name == DOTENV_EMULATOR or name in checked:
            continue
        found = _scan(path)
        if found:
            problems.append(
                f"{shown}/{name} holds {found}: firebase deploy sets every variable of it on the "
                "deployed functions, where anyone who may view them reads it (firebase.json's "
                "ignore does not change that); keep secrets in Secret Manager and read them at "
                "run time"
            )
    return problems


def _scan(path: Path) -> str:
    """What ``path`` holds that never ships, in words; empty when nothing."""
    try:
        findings = scan_file(path)
    except OSError as exc:
        return f"something boiler cannot read ({exc.strerror or exc})"
    return "; ".join(str(f) for f in findings)
