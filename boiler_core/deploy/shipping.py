"""What boiler's functions folder may ship: an allow-list. Pure: paths in, words out.

A file of the upload ships when it is one of:

* a file ``boiler generate`` writes there (:data:`GENERATED`);
* boiler's wheel (``wheels/boiler_core-VERSION-py3-none-any.whl``, put there by ``boiler deploy``);
* a Python source (``*.py``), anywhere in the folder: the app's hooks, schemas, mutations and
  the modules they import;
* a file ``firebase init`` puts there (:data:`ALSO_SHIPPED`);
* a data file the functions read, declared in views.yaml's ``project.data_files`` (globs relative
  to the functions folder; a folder ships what it holds).

Anything else is refused by name, with the fix: firebase.json's ``ignore`` (what the functions do
not need) or ``project.data_files`` (what they read). Key stores (:data:`KEY_STORES`) are refused
even when declared: they are encrypted, so their content cannot be checked. What every shipped
file holds is checked too (:mod:`boiler_core.deploy.secrets`).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath

GENERATED = ("main.py", "requirements.txt", "openapi.json")
"""What ``boiler generate`` writes into the functions folder."""

ALSO_SHIPPED = (".gitignore",)
"""Harmless files ``firebase init`` writes into a functions folder."""

KEY_STORES = ("*.p12", "*.pfx", "*.jks", "*.jceks", "*.keystore", "*.bks")
"""Binary, encrypted key containers: refused by name, declared or not."""

KEY_NAMES = (
    "*.pem",
    "*.key",
    "*.ppk",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "id_*_sk",
    "*service-account*.json",
    "*service_account*.json",
    "*serviceaccount*.json",
    "*firebase-adminsdk*.json",
    "*credentials*",
    "gha-creds-*.json",
    "client_secret*.json",
    "*key.json",
    "*token*.json",
    "*secret*",
    ".env",
    ".env.*",
    "*.env",
    "*.local",
    ".netrc",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    ".htpasswd",
    *KEY_STORES,
)
"""Names of key and credential files (matched case-insensitively): a file so named that is not on
the allow-list is refused with words that say so."""

PYCACHE = "__pycache__"

GROUP_OVER = 3
"""A top-level folder with more refused files than this is named once, with their count."""


@dataclass(frozen=True)
class Allowed:
    """The allow-list of one deploy."""

    wheel: str
    """boiler's wheel, relative to the functions folder."""

    data_files: tuple[str, ...] = ()
    """views.yaml's ``project.data_files``."""

    @cached_property
    def _data_patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(data_file_pattern(glob) for glob in self.data_files)

    def reason(self, path: str) -> str | None:
        """Why ``path`` (relative, ``/``-separated) ships, or None when it must not."""
        name = PurePosixPath(path).name
        if _matches(name, KEY_STORES):
            return None
        if path in GENERATED:
            return "generated"
        if path == self.wheel:
            return "boiler's wheel"
        if self.declared(path):
            return "data file"
        if name.endswith(".py") and PYCACHE not in path.split("/"):
            return "Python source"
        if name in ALSO_SHIPPED:
            return "firebase init"
        return None

    def declared(self, path: str) -> bool:
        """Whether a glob of ``project.data_files`` matches ``path`` or a folder above it."""
        return any(_declares(pattern, path) for pattern in self._data_patterns)

    def unmatched(self, paths: Iterable[str]) -> list[str]:
        """The globs of ``project.data_files`` that match none of ``paths``."""
        listed = list(paths)
        return [
            glob
            for glob, pattern in zip(self.data_files, self._data_patterns, strict=True)
            if not any(_declares(pattern, path) for path in listed)
        ]


def _declares(pattern: re.Pattern[str], path: str) -> bool:
    parts = path.split("/")
    return any(pattern.fullmatch("/".join(parts[: i + 1])) for i in range(len(parts)))


def data_file_pattern(glob: str) -> re.Pattern[str]:
    """A ``project.data_files`` glob as a regex on relative paths: ``*`` and ``?`` within a
    segment, ``**`` any number of segments (``**/`` also none), ``[...]`` a class."""
    out = []
    i = 0
    text = glob.strip().strip("/")
    while i < len(text):
        if text.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
            continue
        if text.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        char = text[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (end := text.find("]", i + 1)) != -1:
            body = text[i + 1 : end].replace("\\", "\\\\")
            out.append(f"[^{body[1:]}]" if body.startswith("!") else f"[{body}]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))


def refused(source: str, paths: Sequence[str], allowed: Allowed) -> list[str]:
    """Every reason not to ship ``paths`` (the upload, relative to the functions folder
    ``source``): key stores, and files off the allow-list, grouped so that a cache or a folder
    of many files is one line."""
    problems = []
    off_list = []
    for path in paths:
        name = PurePosixPath(path).name
        if _matches(name, KEY_STORES):
            problems.append(
                f"{source}/{path} would be uploaded: it is a key store, encrypted, so what it "
                f"holds cannot be checked; keys never ship: keep it out of {source}/"
            )
        elif allowed.reason(path) is None:
            off_list.append(path)
    caches = [p for p in off_list if PYCACHE in p.split("/")]
    if caches:
        problems.append(
            f"{source}/: {_count(len(caches), 'bytecode file')} in {PYCACHE} folders would be "
            f'uploaded ({_some(caches)}): add "{PYCACHE}" to firebase.json\'s ignore'
        )
    by_top: dict[str, list[str]] = {}
    for path in off_list:
        if path not in caches:
            by_top.setdefault(path.split("/")[0], []).append(path)
    for top, files in by_top.items():
        if len(files) > GROUP_OVER:
            inside = [f.removeprefix(f"{top}/") for f in files]
            problems.append(
                f"{source}/{top}/ would upload {_count(len(files), 'file')} the functions do not "
                f'need ({_some(inside)}): add "{top}" to firebase.json\'s ignore, or list the '
                "ones the functions read in views.yaml's project.data_files"
            )
        else:
            problems.extend(_one_file(source, path) for path in files)
    return problems


def _one_file(source: str, path: str) -> str:
    glob = path if "/" not in path else f"**/{path}"
    if _matches(PurePosixPath(path).name, KEY_NAMES):
        return (
            f"{source}/{path} would be uploaded: it is named like a key or credential file, "
            f'which never ships; move it out of {source}/ (or add "{glob}" to firebase.json\'s '
            "ignore)"
        )
    return (
        f"{source}/{path} would be uploaded, but the functions do not need it: add "
        f'"{glob}" to firebase.json\'s ignore, or, if the functions read it, list it in '
        "views.yaml's project.data_files"
    )


def _matches(name: str, globs: Iterable[str]) -> bool:
    lowered = name.lower()
    return any(fnmatch.fnmatchcase(lowered, glob) for glob in globs)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'s' if number != 1 else ''}"


def _some(paths: Sequence[str], shown: int = 3) -> str:
    listed = ", ".join(paths[:shown])
    return listed + (f" and {len(paths) - shown:,} more" if len(paths) > shown else "")
