"""What a deploy needs before anything is checked or built, every problem found at once.

* firebase.json beside views.yaml, with boiler's codebase (the entry whose ``source`` is
  views.yaml's ``project.functions_dir``) pinned to a Python runtime;
* that runtime's Python (``python3.11`` for ``python311``, or ``$PYTHON``), of that version:
  ``firebase deploy`` discovers the functions with it from the functions venv;
* and, unless it is a dry run: the Firebase CLI (``$FIREBASE``, default ``firebase``) that runs;
  a project id that is valid and not a ``demo-`` one; ``GOOGLE_APPLICATION_CREDENTIALS`` naming a
  readable, non-empty file outside the functions folder (which is uploaded).

:func:`preflight` runs the tools it looks for (``--version``) but changes nothing; the caller passes
the environment explicitly.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from boiler_core.deploy.config import (
    FIREBASE_JSON,
    FirebaseConfig,
    load_firebase_config,
    python_for_runtime,
)
from boiler_core.deploy.errors import DeployError

PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
"""A Google Cloud project id: 6-30 lowercase letters, digits and hyphens, starting with a letter,
not ending with a hyphen."""

_VERSION = "import sys; print('%d.%d' % sys.version_info[:2])"


@dataclass(frozen=True)
class Preflight:
    """What the preflight found; a deploy goes on only when :attr:`problems` is empty."""

    problems: tuple[str, ...]
    config: FirebaseConfig | None
    """firebase.json as read for boiler's codebase."""

    python: str | None
    """The runtime's Python (a path), when found with the right version."""

    python_version: str
    """``3.11`` and so on: the version firebase.json's runtime asks for."""

    firebase: str | None
    """The Firebase CLI (a path), when found."""

    firebase_version: str | None
    """Its ``--version``, when it runs."""

    project: str | None
    credentials: Path | None
    """The credential file, absolute (symlinks resolved), when usable."""


def preflight(
    manifest_path: Path, env: Mapping[str, str], *, project: str | None, dry_run: bool
) -> Preflight:
    """Check what a deploy of the app of ``manifest_path`` needs, with ``env`` as environment
    (``PATH``, ``PYTHON``, ``FIREBASE``, ``GOOGLE_APPLICATION_CREDENTIALS``)."""
    problems: list[str] = []
    root = manifest_path.parent
    config = None
    python = None
    wanted = ""
    if not manifest_path.is_file():
        problems.append(
            f"no {manifest_path}: run boiler deploy in the app folder (the folder of views.yaml "
            "and firebase.json), or pass -f PATH/views.yaml"
        )
    else:
        functions_dir, runtime = _project_settings(manifest_path)
        try:
            config = load_firebase_config(
                root / FIREBASE_JSON, functions_dir=functions_dir, runtime=runtime
            )
        except DeployError as exc:
            problems.extend(exc.problems)
    if config is not None:
        runtime = config.functions.runtime
        wanted = python_for_runtime(runtime).removeprefix("python")
        python = _python(env, runtime, wanted, problems)
    firebase_name = env.get("FIREBASE") or "firebase"
    firebase = shutil.which(firebase_name, path=env.get("PATH", ""))
    firebase_version = _firebase_version(firebase, env) if firebase else None
    credentials = None
    if not dry_run:
        if firebase is None:
            problems.append(
                f"no Firebase CLI: '{firebase_name}' is not on PATH; install it with "
                "'npm install -g firebase-tools' (or set FIREBASE=/path/to/firebase)"
            )
        elif firebase_version is None:
            problems.append(
                f"the Firebase CLI '{firebase_name}' does not run ('{firebase_name} --version' "
                "failed); reinstall it with 'npm install -g firebase-tools'"
            )
        problems.extend(_project_problems(project))
        source = config.functions.source if config else "functions"
        credentials = _credentials(env, root / source, source, problems)
    return Preflight(
        problems=tuple(problems),
        config=config,
        python=python,
        python_version=wanted,
        firebase=firebase,
        firebase_version=firebase_version,
        project=project or None,
        credentials=credentials,
    )


def _project_settings(manifest_path: Path) -> tuple[str, str]:
    """views.yaml's ``project.functions_dir`` and ``project.runtime``, read leniently (with their
    defaults when the file has problems: ``boiler check`` reports those)."""
    try:
        data: Any = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        data = None
    project = data.get("project") if isinstance(data, dict) else None
    settings = project if isinstance(project, dict) else {}
    functions_dir = settings.get("functions_dir")
    runtime = settings.get("runtime")
    return (
        functions_dir if isinstance(functions_dir, str) else "functions",
        runtime if isinstance(runtime, str) else "python311",
    )


def _python(env: Mapping[str, str], runtime: str, wanted: str, problems: list[str]) -> str | None:
    name = env.get("PYTHON") or f"python{wanted}"
    found = shutil.which(name, path=env.get("PATH", ""))
    if found is None:
        problems.append(
            f"wrong Python: firebase.json's runtime {runtime} needs Python {wanted}, and '{name}' "
            f"is not on PATH; install Python {wanted} (firebase deploy runs python{wanted} from "
            f"the functions venv) or set PYTHON=/path/to/python{wanted}"
        )
        return None
    version = _output([found, "-c", _VERSION], env) or "?"
    if version != wanted:
        problems.append(
            f"wrong Python: '{name}' is Python {version}, firebase.json's runtime {runtime} needs "
            f"{wanted}; install Python {wanted} or set PYTHON=/path/to/python{wanted}"
        )
        return None
    return found


def _firebase_version(firebase: str, env: Mapping[str, str]) -> str | None:
    text = _output([firebase, "--version"], env)
    return text.splitlines()[-1].strip() if text else None


def _project_problems(project: str | None) -> list[str]:
    if not project:
        return [
            "no project: pass --project ID or set PROJECT to the Firebase project id to deploy to"
        ]
    if project.startswith("demo-"):
        return [
            f"project '{project}' is a demo project (emulators only) and cannot be deployed to; "
            "pass the id of a real Firebase project"
        ]
    if not PROJECT_ID.match(project):
        return [
            f"project '{project}' is not a valid project id (6-30 lowercase letters, digits and "
            "hyphens, starting with a letter)"
        ]
    return []


def _credentials(
    env: Mapping[str, str], functions_dir: Path, source: str, problems: list[str]
) -> Path | None:
    name = env.get("GOOGLE_APPLICATION_CREDENTIALS", "")
    if not name:
        problems.append(
            "no credentials: set GOOGLE_APPLICATION_CREDENTIALS to the credential file of a "
            "service account allowed to deploy (docs/deploy.md lists its roles)"
        )
        return None
    path = Path(name)
    try:
        usable = path.is_file() and path.stat().st_size > 0 and os.access(path, os.R_OK)
    except OSError:
        usable = False
    if not usable:
        problems.append(
            f"no credentials: GOOGLE_APPLICATION_CREDENTIALS={name} is not a readable, "
            "non-empty file"
        )
        return None
    absolute = path.resolve()
    if absolute.is_relative_to(functions_dir.resolve()):
        problems.append(
            f"the credential file {name} is inside {source}/, which is uploaded; move it out of "
            f"the {source}/ folder"
        )
        return None
    return absolute


def _output(argv: list[str], env: Mapping[str, str]) -> str | None:
    """Standard output of ``argv`` (stripped), or None when it fails or cannot start."""
    try:
        done = subprocess.run(
            argv,
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None
