"""The functions venv: ``<functions>/venv``, built with the runtime's Python from the functions
folder's ``requirements.txt``, as ``firebase deploy`` needs it to discover the functions.

Building it takes a while (pip installs firebase-functions, firebase-admin, the Firestore client
and their dependencies), so a stamp file in it records what it was built from: the Python version,
the digest of requirements.txt and the digest of boiler's wheel. The same stamp means no work; a
new wheel alone (boiler's code changed, same version) reinstalls just boiler; anything else
rebuilds the venv from scratch.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from boiler_core.deploy.errors import DeployError

STAMP = ".boiler-requirements"
"""Stamp file in the venv."""

_PIP = ("-m", "pip", "install", "-qq", "--disable-pip-version-check")


@dataclass(frozen=True)
class VenvSource:
    """What the venv is built from."""

    python: str
    """The runtime's Python, a path."""

    python_version: str
    requirements: Path
    wheel: Path
    wheel_sha256: str

    def stamp(self) -> str:
        digest = hashlib.sha256(self.requirements.read_bytes()).hexdigest()
        return (
            f"python {self.python_version}\nrequirements {digest}\n"
            f"wheel {self.wheel.name} {self.wheel_sha256}\n"
        )


def ensure_venv(venv: Path, source: VenvSource, env: Mapping[str, str]) -> str:
    """Make ``venv`` match ``source``; return what was done, in words."""
    wanted = source.stamp()
    python = venv / "bin" / "python"
    stamp = venv / STAMP
    current = stamp.read_text(encoding="utf-8") if stamp.is_file() else ""
    if python.exists() and current == wanted:
        return "up to date (same Python, same requirements, same boiler)"
    if python.exists() and _without_wheel(current) == _without_wheel(wanted):
        _run(
            [str(python), *_PIP, "--no-deps", "--force-reinstall", str(source.wheel)],
            env,
            f"pip could not reinstall {source.wheel.name} into {venv}",
        )
        stamp.write_text(wanted, encoding="utf-8")
        return f"boiler reinstalled from {source.wheel.name} (its code changed)"
    shutil.rmtree(venv, ignore_errors=True)
    _run([source.python, "-m", "venv", str(venv)], env, f"'{source.python} -m venv {venv}' failed")
    _run(
        [str(python), *_PIP, "-r", str(source.requirements)],
        env,
        f"pip could not install {source.requirements} into {venv}",
    )
    stamp.write_text(wanted, encoding="utf-8")
    return "built"


def _without_wheel(stamp: str) -> str:
    return "".join(
        line for line in stamp.splitlines(keepends=True) if not line.startswith("wheel ")
    )


def _run(argv: list[str], env: Mapping[str, str], failure: str) -> None:
    """Run ``argv`` with its output on the terminal; :class:`DeployError` when it fails."""
    try:
        done = subprocess.run(argv, env=dict(env), check=False, stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise DeployError(f"{failure}: {exc}") from None
    if done.returncode != 0:
        raise DeployError(f"{failure} (exit code {done.returncode}; its output above)")
