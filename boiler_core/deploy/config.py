"""firebase.json as ``firebase deploy`` reads it: the functions folder, its runtime and ignore
list, and the Firestore rules and indexes files. Pure: reads the one file it is given.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boiler_core.deploy.errors import DeployError

FIREBASE_JSON = "firebase.json"
"""The Firebase CLI's project file, at the project root beside views.yaml."""

_PYTHON_RUNTIME = re.compile(r"^python3(\d{1,2})$")
_EXAMPLES = {
    "source": '"functions"',
    "runtime": '"python311"',
    "rules": '"firestore.rules"',
    "indexes": '"firestore.indexes.json"',
}


@dataclass(frozen=True)
class FunctionsConfig:
    """The one functions codebase of firebase.json (``"functions": [{...}]``)."""

    source: str
    """Folder uploaded by ``firebase deploy``, relative to the project root (``functions``)."""

    codebase: str
    """Codebase name (``default``); functions of other codebases are left alone by a deploy."""

    runtime: str
    """Cloud Functions runtime, e.g. ``python311``; pinned, as the venv is built for it."""

    ignore: tuple[str, ...]
    """Globs of files not uploaded, as firebase-tools applies them (see bundle.upload_files)."""


@dataclass(frozen=True)
class FirebaseConfig:
    """What a deploy of functions, rules and indexes needs from firebase.json."""

    path: Path
    """The firebase.json read."""

    functions: FunctionsConfig
    rules: str | None
    """``firestore.rules``: the rules file, relative to the project root."""

    indexes: str | None
    """``firestore.indexes``: the indexes file, relative to the project root."""

    @property
    def root(self) -> Path:
        """The project root: the folder of firebase.json."""
        return self.path.parent

    @property
    def functions_dir(self) -> Path:
        return self.root / self.functions.source


def python_for_runtime(runtime: str) -> str:
    """The interpreter ``firebase deploy`` runs for ``runtime``: ``python311`` -> ``python3.11``.

    Raises :class:`DeployError` for a runtime that is not a Python one.
    """
    match = _PYTHON_RUNTIME.match(runtime)
    if match is None:
        raise DeployError(
            f"firebase.json: functions runtime {runtime!r} is not a Python runtime; "
            'use e.g. "runtime": "python311"'
        )
    return f"python3.{match.group(1)}"


def load_firebase_config(path: Path) -> FirebaseConfig:
    """Read and check ``path`` (a firebase.json); :class:`DeployError` lists every problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeployError(
            f"{path}: not found; deploy.sh runs from the project root, beside firebase.json"
        ) from None
    except (OSError, ValueError) as exc:
        raise DeployError(f"{path}: cannot be read as JSON: {exc}") from None
    if not isinstance(data, dict):
        raise DeployError(f"{path}: expected a JSON object at the top")
    problems: list[str] = []
    functions = _functions(data.get("functions"), path, problems)
    firestore = data.get("firestore")
    rules = indexes = None
    if not isinstance(firestore, dict):
        problems.append(
            f'{path}: no "firestore" section; add {{"rules": "firestore.rules", '
            '"indexes": "firestore.indexes.json"}'
        )
    else:
        rules = _string(firestore, "rules", path, problems, where="firestore")
        indexes = _string(firestore, "indexes", path, problems, where="firestore")
    if problems or functions is None:
        raise DeployError(problems)
    return FirebaseConfig(path=path, functions=functions, rules=rules, indexes=indexes)


def _functions(value: Any, path: Path, problems: list[str]) -> FunctionsConfig | None:
    entries = [value] if isinstance(value, dict) else value
    if not isinstance(entries, list) or not entries:
        problems.append(f'{path}: no "functions" entry; add [{{"source": "functions", ...}}]')
        return None
    if len(entries) != 1 or not isinstance(entries[0], dict):
        problems.append(
            f'{path}: "functions" lists {len(entries)} codebases; deploy.sh deploys exactly one'
        )
        return None
    entry: dict[str, Any] = entries[0]
    source = _string(entry, "source", path, problems, where="functions")
    runtime = _string(entry, "runtime", path, problems, where="functions")
    if runtime is not None:
        try:
            python_for_runtime(runtime)
        except DeployError as exc:
            problems.extend(exc.problems)
    ignore = entry.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(i, str) for i in ignore):
        problems.append(f'{path}: functions "ignore" must be a list of globs')
        ignore = []
    codebase = entry.get("codebase", "default")
    if source is None or runtime is None:
        return None
    return FunctionsConfig(
        source=source.rstrip("/") or ".",
        codebase=str(codebase),
        runtime=runtime,
        ignore=tuple(ignore),
    )


def _string(
    section: dict[str, Any], key: str, path: Path, problems: list[str], *, where: str
) -> str | None:
    value = section.get(key)
    if isinstance(value, str) and value:
        return value
    hint = _EXAMPLES.get(key, '"..."')
    problems.append(f'{path}: {where} needs "{key}" (a string such as {hint})')
    return None
