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

DEFAULT_CODEBASE = "default"
"""The codebase of a firebase.json functions entry without ``codebase``."""

DEFAULT_IGNORE = ("node_modules", ".git")
"""What firebase-tools leaves out of a codebase whose entry has no ``ignore``."""

_PYTHON_RUNTIME = re.compile(r"^python3(\d{1,2})$")
_CODEBASE = re.compile(r"^[a-z0-9_-]{1,63}$")
_EXAMPLES = {
    "source": '"functions"',
    "runtime": '"python311"',
    "rules": '"firestore.rules"',
    "indexes": '"firestore.indexes.json"',
}


@dataclass(frozen=True)
class FunctionsConfig:
    """boiler's functions codebase in firebase.json: the entry of ``"functions"`` whose
    ``source`` is views.yaml's ``project.functions_dir``."""

    source: str
    """Folder uploaded by ``firebase deploy``, relative to the project root (``functions``)."""

    codebase: str
    """Codebase name (``default`` when the entry has none); a deploy names it
    (``--only functions:NAME``), so functions of other codebases are left alone."""

    runtime: str
    """Cloud Functions runtime, e.g. ``python311``; pinned, as the venv is built for it."""

    ignore: tuple[str, ...]
    """Globs of files not uploaded, as firebase-tools applies them (see bundle.upload_files);
    :data:`DEFAULT_IGNORE` when the entry has none."""

    other_codebases: tuple[str, ...] = ()
    """The other codebases firebase.json lists (a project's own functions), not deployed."""

    config_dir: str | None = None
    """``configDir``: the folder of the dotenv files firebase deploy reads, relative to the
    project root (None: the source folder)."""


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

    @property
    def dotenv_dir(self) -> Path:
        """The folder whose dotenv files firebase deploy reads for boiler's functions."""
        return self.root / (self.functions.config_dir or self.functions.source)


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


def load_firebase_config(
    path: Path, *, functions_dir: str = "functions", runtime: str = "python311"
) -> FirebaseConfig:
    """Read and check ``path`` (a firebase.json) for the codebase whose ``source`` is
    ``functions_dir`` (views.yaml's ``project.functions_dir``); :class:`DeployError` lists every
    problem (``runtime``, views.yaml's, goes into the entry a problem suggests adding). Other
    codebases (a project's own functions) are left alone."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeployError(
            f"{path}: not found; boiler deploy runs in the app folder, beside firebase.json "
            "and views.yaml"
        ) from None
    except (OSError, ValueError) as exc:
        raise DeployError(f"{path}: cannot be read as JSON: {exc}") from None
    if not isinstance(data, dict):
        raise DeployError(f"{path}: expected a JSON object at the top")
    problems: list[str] = []
    functions = _functions(data.get("functions"), path, (functions_dir, runtime), problems)
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


def codebase_entries(value: Any) -> list[dict[str, Any]]:
    """The entries of firebase.json's ``functions`` (one object or a list of them)."""
    entries = [value] if isinstance(value, dict) else value
    if not isinstance(entries, list):
        return []
    return [entry for entry in entries if isinstance(entry, dict)]


def same_folder(a: str, b: str) -> bool:
    """Whether two folder names relative to the app folder name the same folder."""
    return _folder(a) == _folder(b)


def suggested_entry(functions_dir: str, runtime: str) -> str:
    """The firebase.json codebase entry to add for boiler's functions, as JSON text."""
    entry = {
        "source": _folder(functions_dir),
        "codebase": "boiler",
        "runtime": runtime,
        "ignore": ["venv", "__pycache__", "*.pyc"],
    }
    return json.dumps(entry)


def _functions(
    value: Any, path: Path, wanted: tuple[str, str], problems: list[str]
) -> FunctionsConfig | None:
    functions_dir, wanted_runtime = wanted
    entries = codebase_entries(value)
    matching = [e for e in entries if same_folder(str(e.get("source", "")), functions_dir)]
    if not matching:
        sources = ", ".join(repr(str(e.get("source"))) for e in entries) or "none"
        problems.append(
            f'{path}: no functions codebase has "source": "{_folder(functions_dir)}" '
            f"(views.yaml's project.functions_dir; sources listed: {sources}); add "
            f'{suggested_entry(functions_dir, wanted_runtime)} to "functions" (a list)'
        )
        return None
    if len(matching) > 1:
        problems.append(
            f'{path}: {len(matching)} functions codebases have "source": '
            f'"{_folder(functions_dir)}"; keep one (firebase deploy refuses duplicate sources)'
        )
        return None
    entry = matching[0]
    source = _string(entry, "source", path, problems, where="functions")
    runtime = _string(entry, "runtime", path, problems, where="functions")
    if runtime is not None:
        try:
            python_for_runtime(runtime)
        except DeployError as exc:
            problems.extend(exc.problems)
    ignore = entry.get("ignore", list(DEFAULT_IGNORE))
    if not isinstance(ignore, list) or not all(isinstance(i, str) for i in ignore):
        problems.append(f'{path}: functions "ignore" must be a list of globs')
        ignore = []
    config_dir = entry.get("configDir")
    if config_dir is not None and not (isinstance(config_dir, str) and config_dir.strip()):
        problems.append(f'{path}: functions "configDir" must be a folder name')
        config_dir = None
    codebase = entry.get("codebase", DEFAULT_CODEBASE)
    if not isinstance(codebase, str) or not _CODEBASE.match(codebase):
        problems.append(
            f"{path}: functions codebase {codebase!r} is not a codebase name firebase deploy "
            "accepts (lowercase letters, digits, _ and -, at most 63)"
        )
        return None
    if source is None or runtime is None:
        return None
    others = tuple(str(e.get("codebase", DEFAULT_CODEBASE)) for e in entries if e is not entry)
    return FunctionsConfig(
        source=_folder(source),
        codebase=codebase,
        runtime=runtime,
        ignore=tuple(ignore),
        other_codebases=others,
        config_dir=_folder(config_dir) if config_dir is not None else None,
    )


def _folder(path: str) -> str:
    return path.strip().rstrip("/").removeprefix("./") or "."


def _string(
    section: dict[str, Any], key: str, path: Path, problems: list[str], *, where: str
) -> str | None:
    value = section.get(key)
    if isinstance(value, str) and value:
        return value
    hint = _EXAMPLES.get(key, '"..."')
    problems.append(f'{path}: {where} needs "{key}" (a string such as {hint})')
    return None
