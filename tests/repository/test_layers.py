"""``make lint`` enforces the layers: a copy of the package with a forbidden import fails it.

The package and pyproject.toml (its ``[tool.importlinter]`` contracts) are copied to a temporary
folder; lint-imports runs there on the copy (first on the path, ahead of the installed
boiler_core). The unmodified copy keeps every contract; an I/O import added to the pure core,
or an import of an upper layer added to a lower one, breaks the contract that names it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PURE = "The pure core (manifest, engine, documents) does no I/O and knows no store adapter"
LAYERS = "Lower layers never import upper ones"
CODEGEN = (
    "Rendering files (codegen) loads no web runtime, Firebase or Google Cloud client, or "
    "Firestore backend"
)


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """The package and its contracts, copied to ``tmp_path``."""
    shutil.copytree(
        REPO / "boiler_core",
        tmp_path / "boiler_core",
        ignore=shutil.ignore_patterns("__pycache__", "templates"),
    )
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_imports(folder: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def add_import(module: Path, line: str) -> None:
    """Add ``line`` after the module's ``from __future__`` import."""
    text = module.read_text(encoding="utf-8")
    future = "from __future__ import annotations\n"
    assert future in text, module
    module.write_text(text.replace(future, future + line + "\n", 1), encoding="utf-8")


def broken(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The names of the contracts lint-imports reports broken."""
    lines = " ".join(result.stdout.split())  # contract names wrap on narrow terminals
    names = (PURE, LAYERS, CODEGEN)
    return [name for name in names if f"{name} BROKEN" in lines]


def test_unmodified_package_keeps_every_contract(package_copy: Path) -> None:
    result = lint_imports(package_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("manifest/model.py", "import google.cloud.firestore", PURE),
        ("engine/links.py", "import subprocess", PURE),
        ("engine/reads.py", "from boiler_core.store import firestore", PURE),
        ("manifest/model.py", "from boiler_core import engine", LAYERS),
        ("store/port.py", "from boiler_core.http import api", LAYERS),
        ("codegen/rules.py", "from boiler_core.http import factory", CODEGEN),
        ("codegen/indexes.py", "import firebase_admin", CODEGEN),
    ],
)
def test_forbidden_import_breaks_the_contract_naming_it(
    package_copy: Path, module: str, line: str, contract: str
) -> None:
    add_import(package_copy / "boiler_core" / module, line)
    result = lint_imports(package_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert contract in broken(result), result.stdout
    assert f"boiler_core.{module.removesuffix('.py').replace('/', '.')}" in result.stdout
