"""The store contract on the lowest and the newest google-cloud-firestore pyproject.toml allows.

``make test-firestore`` (and ``.ci/run``) runs this. Each version gets a virtualenv of its own,
kept between runs (``.venv-firestore-lowest``, ``.venv-firestore-newest``): boiler installed
editable with its ``testing`` extra and, for the lowest, ``google-cloud-firestore==LOWER`` (the
range's lower bound); for the newest, the newest release the range allows, every other package
upgraded too. No pins: pip resolves the rest as it would for a user who has that version. Then
``python -m pytest tests/contract`` runs there, on the Firestore emulator, against the in-memory
store, the fast Firestore store (whose probe must pass on that version) and the public-API one.
It prints the versions each venv holds and each run's outcome, and exits 1 when one failed.

    python tests/contract/versions.py --python python3.11
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "google-cloud-firestore"
SHOWN = (PACKAGE, "google-api-core", "proto-plus", "protobuf", "grpcio", "firebase-admin")
"""The versions printed for each venv."""

PYTEST = [
    "-m",
    "pytest",
    "tests/contract",
    "-q",
    "-p",
    "no:cacheprovider",
    # google-api-core releases before 2.31 warn on import that Python 3.11 nears its end of life;
    # the tests turn warnings into errors
    "-W",
    "ignore:You are using a Python version:FutureWarning",
]


def allowed_range(pyproject: Path = ROOT / "pyproject.toml") -> tuple[str, str]:
    """The lower bound and the whole specifier of google-cloud-firestore in pyproject.toml."""
    dependencies = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    for dependency in dependencies:
        name, _, specifier = dependency.partition(">=")
        if name.strip() == PACKAGE:
            lower = re.split(r"[,;\s]", specifier, maxsplit=1)[0]
            return lower, f">={specifier}"
    raise SystemExit(f"{pyproject} has no '{PACKAGE}>=...' dependency")


def run(argv: list[str]) -> None:
    print("$", " ".join(argv), flush=True)
    subprocess.run(argv, cwd=ROOT, check=True)


def prepare(python: str, name: str, install: list[str]) -> Path:
    """The venv ``.venv-firestore-NAME`` with boiler and ``install`` in it."""
    venv = ROOT / f".venv-firestore-{name}"
    if not (venv / "bin" / "python").exists():
        run([python, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-qq"]
    run([*pip, "--disable-pip-version-check", "-e", ".[testing]", *install])
    return venv


def versions(venv: Path) -> str:
    script = (
        "from importlib.metadata import version\n"
        f"print(', '.join(f'{{n}} {{version(n)}}' for n in {SHOWN!r}))"
    )
    return subprocess.run(
        [str(venv / "bin" / "python"), "-c", script],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--python", default="python3.11", help="the Python of the venvs")
    args = parser.parse_args()
    lower, specifier = allowed_range()
    plans = {
        "lowest": [f"{PACKAGE}=={lower}"],
        "newest": ["--upgrade", "--upgrade-strategy", "eager", f"{PACKAGE}{specifier}"],
    }
    outcomes = []
    for name, install in plans.items():
        venv = prepare(args.python, name, install)
        installed = versions(venv)
        print(f"store contract, {name} allowed {PACKAGE} ({specifier}): {installed}", flush=True)
        code = subprocess.run([str(venv / "bin" / "python"), *PYTEST], cwd=ROOT).returncode
        outcomes.append(f"{name}: {installed}: {'passed' if code == 0 else f'FAILED ({code})'}")
    print("\n".join(["store contract by google-cloud-firestore version:", *outcomes]))
    return 0 if all(line.endswith("passed") for line in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
