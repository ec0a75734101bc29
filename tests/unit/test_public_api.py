"""The public API: what ``boiler_core`` and ``boiler_core.testing`` name in ``__all__``.

Apps, their hooks and their tests import only these names; the lists change only on purpose (and
then CHANGELOG.md says so). Importing ``boiler_core`` stays light: it loads no Firestore client,
Firebase SDK or web framework until a name that needs one is used.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import boiler_core
import boiler_core.testing

PUBLIC = [
    "BoilerError",
    "CheckpointError",
    "ComputeError",
    "Conflict",
    "ContentionError",
    "DeployedApi",
    "Doc",
    "EmulatorInDeployment",
    "GenerateError",
    "HookError",
    "ManifestError",
    "MutationContext",
    "NotFound",
    "NotQueued",
    "Problem",
    "Ref",
    "Reference",
    "Refused",
    "Rejected",
    "SeedError",
    "Sources",
    "StoreError",
    "StoryError",
    "Triggers",
    "Unfinished",
    "WrittenEvent",
    "__version__",
    "ref_id",
    "testing",
]
TESTING = ["App", "Harness", "delete", "emulator_id_token", "update", "visible", "write"]
HEAVY = ("flask", "werkzeug", "firebase_admin", "firebase_functions", "google.cloud.firestore")


def test_public_names_are_the_expected_list() -> None:
    assert boiler_core.__all__ == PUBLIC
    assert boiler_core.testing.__all__ == TESTING


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(boiler_core, name) is not None
    assert name in dir(boiler_core)


@pytest.mark.parametrize("name", TESTING)
def test_every_testing_name_resolves(name: str) -> None:
    assert callable(getattr(boiler_core.testing, name))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Engine'"):
        _ = boiler_core.Engine  # type: ignore[attr-defined]


def test_public_names_are_the_library_objects() -> None:
    from boiler_core.engine.sources import Sources
    from boiler_core.errors import NotFound

    assert boiler_core.Sources is Sources
    assert boiler_core.NotFound is NotFound


def loaded_after(statement: str) -> list[str]:
    """The heavy modules a fresh interpreter has loaded after running ``statement``."""
    code = textwrap.dedent(f"""
        import sys
        {statement}
        print(" ".join(m for m in {HEAVY!r} if m in sys.modules))
    """)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return result.stdout.split()


def test_importing_boiler_core_loads_no_client_or_web_framework() -> None:
    assert loaded_after("import boiler_core; boiler_core.__version__") == []


def test_names_for_hooks_and_handlers_load_no_client_or_web_framework() -> None:
    statement = "from boiler_core import Conflict, MutationContext, Reference, Sources, ref_id"
    assert loaded_after(statement) == []


def test_rendering_files_loads_no_web_framework() -> None:
    loaded = loaded_after("import boiler_core.codegen")
    assert "flask" not in loaded
    assert "werkzeug" not in loaded
    assert "firebase_functions" not in loaded


REPO = Path(__file__).resolve().parents[2]
INTERNAL_IMPORT = re.compile(r"^\s*(from|import) boiler_core\.(?!testing import)[\w.]+", re.M)
USER_FACING = sorted(
    [
        REPO / "README.md",
        *(REPO / "docs").glob("*.md"),
        *(p for p in (REPO / "boiler_core" / "templates" / "starter").rglob("*") if p.is_file()),
        *(REPO / "tests" / "apps" / "meeting_room" / "functions").rglob("*.py"),
        REPO / "tests" / "unit" / "golden" / "functions" / "main.py",
    ]
)


@pytest.mark.parametrize("path", USER_FACING, ids=lambda p: str(p.relative_to(REPO)))
def test_apps_docs_and_generated_code_import_only_the_public_api(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    assert [m.group(0).strip() for m in INTERNAL_IMPORT.finditer(text)] == []
