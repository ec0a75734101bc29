"""firebase.json for a boiler app: a new one, or boiler's part added to a project's own.

boiler's functions are a codebase of their own (``source``: the app's functions folder), so they
deploy beside a project's own functions and ``firebase deploy --only functions:CODEBASE`` deploys
them alone. Merging only adds: the codebase, a ``firestore`` section when there is none, and the
emulators boiler's local runtime uses when the project names none. Pure: data in, data out.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

FUNCTIONS_IGNORE = (
    "venv",
    ".venv",
    "__pycache__",
    "*.pyc",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "*.local",
    "*.pem",
    "*.key",
    "*.p12",
    "*service-account*.json",
    "*service_account*.json",
    "*serviceAccount*.json",
    "*credentials*.json",
    "gha-creds-*.json",
    "firebase-debug.log",
    "firestore-debug.log",
)
"""What ``firebase deploy`` must not upload from boiler's functions folder: environments,
caches, logs, and files named like keys."""

EMULATORS: dict[str, Any] = {
    "singleProjectMode": True,
    "firestore": {"host": "127.0.0.1", "port": 8080},
    "functions": {"host": "127.0.0.1", "port": 5001},
    "auth": {"host": "127.0.0.1", "port": 9099},
    "ui": {"enabled": False},
}
"""The emulators of a new app: loopback only, Firebase's usual ports."""

FIRESTORE = {"rules": "firestore.rules", "indexes": "firestore.indexes.json"}


@dataclass
class Merged:
    """firebase.json after boiler's part was added, and what was added, in words."""

    config: dict[str, Any]
    changes: list[str] = field(default_factory=list)


def new_config(functions_dir: str, runtime: str, codebase: str = "default") -> dict[str, Any]:
    """firebase.json of a new app."""
    return merge_config({}, functions_dir, runtime, codebase).config


def merge_config(
    existing: dict[str, Any], functions_dir: str, runtime: str, codebase: str
) -> Merged:
    """``existing`` with boiler's codebase, a firestore section and emulators added where
    missing; nothing of the project's is changed or removed."""
    config = copy.deepcopy(existing)
    merged = Merged(config)
    functions = config.get("functions")
    entries: list[Any] = (
        [] if functions is None else [functions] if isinstance(functions, dict) else functions
    )
    ours = [e for e in entries if isinstance(e, dict) and _source(e) == functions_dir]
    if not ours:
        taken = {str(e.get("codebase", "default")) for e in entries if isinstance(e, dict)}
        name = codebase if codebase not in taken else "boiler"
        entries.append(
            {
                "source": functions_dir,
                "codebase": name,
                "runtime": runtime,
                "ignore": list(FUNCTIONS_IGNORE),
            }
        )
        merged.changes.append(
            f"added functions codebase '{name}' (source {functions_dir}/, runtime {runtime})"
        )
        config["functions"] = entries
    if "firestore" not in config:
        config["firestore"] = dict(FIRESTORE)
        merged.changes.append("added the firestore section (rules and indexes files)")
    emulators = config.setdefault("emulators", {})
    if isinstance(emulators, dict):
        added = [name for name in EMULATORS if name not in emulators]
        for name in added:
            emulators[name] = copy.deepcopy(EMULATORS[name])
        if added and len(added) == len(EMULATORS):
            merged.changes.append("added the emulators section")
        elif added:
            merged.changes.append(f"added emulators: {', '.join(added)}")
    return merged


def boiler_codebase(config: dict[str, Any], functions_dir: str) -> dict[str, Any] | None:
    """The functions entry of ``config`` whose source is ``functions_dir``, if any."""
    functions = config.get("functions")
    entries = [functions] if isinstance(functions, dict) else functions or []
    for entry in entries:
        if isinstance(entry, dict) and _source(entry) == functions_dir:
            return entry
    return None


def _source(entry: dict[str, Any]) -> str:
    return str(entry.get("source", "functions")).strip("/").removeprefix("./") or "."
