"""``boiler generate`` and ``boiler generate --check`` as CI and users run them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from boiler_core.cli import main

HERE = Path(__file__).resolve().parent
GENERATED = (
    "firestore.indexes.json",
    "firestore.rules",
    "functions/main.py",
    "functions/openapi.json",
    "functions/requirements.txt",
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the library test app (views.yaml and its functions folder), not yet generated."""
    shutil.copytree(HERE / "data" / "library", tmp_path, dirs_exist_ok=True)
    return tmp_path


def generate(project: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["generate", "-f", str(project / "views.yaml"), *args])
    return result.exit_code, result.stdout, result.stderr


def test_generate_writes_every_file_then_reports_them_up_to_date(project: Path) -> None:
    code, out, _ = generate(project)
    assert code == 0
    assert out.splitlines() == [f"wrote {name}" for name in GENERATED]
    assert generate(project) == (0, f"{len(GENERATED)} generated files are up to date\n", "")


def test_check_exits_0_when_the_files_are_current(project: Path) -> None:
    generate(project)
    assert generate(project, "--check") == (
        0,
        f"{len(GENERATED)} generated files are up to date\n",
        "",
    )


def test_check_exits_1_naming_the_stale_file_and_writes_nothing(project: Path) -> None:
    generate(project)
    main_py = project / "functions" / "main.py"
    main_py.write_text(main_py.read_text() + "# hand edit\n")
    (project / "firestore.indexes.json").unlink()
    code, out, err = generate(project, "--check")
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "stale: firestore.indexes.json",
        "stale: functions/main.py",
        "generated files are out of date: run `boiler generate`",
    ]
    assert main_py.read_text().endswith("# hand edit\n")
    assert not (project / "firestore.indexes.json").exists()


def test_check_notices_a_views_yaml_change(project: Path) -> None:
    generate(project)
    views = project / "views.yaml"
    views.write_text(views.read_text().replace("region: europe-west1", "region: asia-east1"))
    code, _, err = generate(project, "--check")
    assert code == 1
    assert "stale: functions/main.py" in err.splitlines()
