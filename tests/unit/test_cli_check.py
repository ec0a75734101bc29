"""``boiler check`` as a user runs it: exit codes, output format, no tracebacks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from meeting_room_app import FUNCTIONS_DIR, VIEWS_YAML

from boiler_core.cli import main


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the tests' meeting-room app (views.yaml + functions/) as the current folder."""
    shutil.copy(VIEWS_YAML, tmp_path / "views.yaml")
    shutil.copytree(FUNCTIONS_DIR / "meeting_room", tmp_path / "functions" / "meeting_room")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_accepts_the_shipped_manifest_with_a_summary(project: Path) -> None:
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "views.yaml: ok: 4 collections, 2 views (1 per-member copy), 2 mutations\n"
    )


def test_check_lists_problems_and_exits_1(project: Path) -> None:
    text = (project / "views.yaml").read_text()
    text = text.replace("root: meetings", "root: meeting").replace(
        "region: us-central1", "region: 5"
    )
    (project / "bad.yaml").write_text(text)
    result = CliRunner().invoke(main, ["check", "-f", "bad.yaml"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "bad.yaml:6:11: error: project.region must be a string, not an integer",
        "bad.yaml:29:11: error: root of view 'meeting_sessions' names unknown collection "
        "'meeting' (did you mean 'meetings'?)",
        "bad.yaml: 2 problems found",
    ]
    assert "Traceback" not in result.output


def test_check_reports_a_missing_file_without_traceback(project: Path) -> None:
    result = CliRunner().invoke(main, ["check", "-f", "nowhere.yaml"])
    assert result.exit_code == 1
    assert result.output.startswith(
        "nowhere.yaml:1:1: error: cannot read nowhere.yaml: No such file or directory"
    )
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_check_reports_a_hook_whose_import_fails_with_the_import_error(project: Path) -> None:
    (project / "functions" / "broken_hooks.py").write_text("import not_a_module\n")
    text = (
        (project / "views.yaml")
        .read_text()
        .replace("meeting_room.hooks:attending", "broken_hooks:attending")
    )
    (project / "views.yaml").write_text(text)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert (
        "cannot import module 'broken_hooks' for 'broken_hooks:attending': "
        "ModuleNotFoundError: No module named 'not_a_module'" in result.output
    )
