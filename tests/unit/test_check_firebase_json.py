"""``boiler check`` compares firebase.json with views.yaml: boiler's codebase (the entry whose
source is ``project.functions_dir``) exists and pins ``project.runtime``; problems are located in
views.yaml and name firebase.json's value and the fix."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from boiler_core.cli import main

LIBRARY = Path(__file__).resolve().parent / "data" / "library"


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """The library test app (runtime python312 at views.yaml line 7, functions_dir at line 9)."""
    shutil.copytree(LIBRARY, tmp_path, dirs_exist_ok=True)
    return tmp_path


def write_firebase_json(app: Path, *entries: dict[str, Any]) -> None:
    (app / "firebase.json").write_text(json.dumps({"functions": list(entries)}), encoding="utf-8")


def check(app: Path) -> Result:
    return CliRunner().invoke(main, ["check", "-f", str(app / "views.yaml")])


def test_an_app_without_firebase_json_has_nothing_to_disagree_with(app: Path) -> None:
    result = check(app)
    assert result.exit_code == 0, result.output


def test_agreeing_files_pass_beside_a_projects_own_codebase(app: Path) -> None:
    write_firebase_json(
        app,
        {"source": "web-functions", "codebase": "web", "runtime": "nodejs22"},
        {"source": "functions", "codebase": "boiler", "runtime": "python312"},
    )
    result = check(app)
    assert result.exit_code == 0, result.output


def test_a_runtime_mismatch_is_located_at_project_runtime_with_both_fixes(app: Path) -> None:
    write_firebase_json(app, {"source": "functions", "codebase": "boiler", "runtime": "python311"})
    result = check(app)
    assert result.exit_code == 1
    views = app / "views.yaml"
    assert result.output.splitlines() == [
        f"{views}:7:12: error: project.runtime is 'python312', but {app / 'firebase.json'}'s "
        "codebase 'boiler' (source 'functions') has runtime 'python311' (set \"runtime\": "
        '"python312" in firebase.json, or runtime: python311 here; they must be equal)',
        f"{views}: 1 problem found",
    ]


def test_a_codebase_without_runtime_or_with_an_unsupported_one_gets_the_one_fix(
    app: Path,
) -> None:
    write_firebase_json(app, {"source": "functions", "runtime": "python310"})
    result = check(app)
    assert result.exit_code == 1
    assert "codebase 'default' (source 'functions') has runtime 'python310'" in result.output
    assert '(set "runtime": "python312" in firebase.json; they must be equal)' in result.output
    write_firebase_json(app, {"source": "functions"})
    assert 'has no runtime (set "runtime": "python312"' in check(app).output


def test_no_codebase_for_the_functions_dir_is_located_at_functions_dir(app: Path) -> None:
    write_firebase_json(app, {"source": "src", "runtime": "python312"})
    result = check(app)
    assert result.exit_code == 1
    [problem, _] = result.output.splitlines()
    assert problem.startswith(
        f"{app / 'views.yaml'}:9:18: error: {app / 'firebase.json'} has no functions codebase "
        "whose source is 'functions' (project.functions_dir; its sources: 'src')"
    )
    assert '(add {"source": "functions", "codebase": "boiler", "runtime": "python312"' in problem


def test_firebase_json_that_is_not_json_is_located_in_it(app: Path) -> None:
    (app / "firebase.json").write_text('{\n  "functions": [,]\n}\n')
    result = check(app)
    assert result.exit_code == 1
    assert result.output.startswith(f"{app / 'firebase.json'}:2:17: error: not valid JSON")


@pytest.mark.parametrize("runtime", ["python310", "python314", "nodejs22"])
def test_views_yaml_accepts_only_the_supported_runtimes(app: Path, runtime: str) -> None:
    views = app / "views.yaml"
    views.write_text(views.read_text().replace("runtime: python312", f"runtime: {runtime}"))
    result = check(app)
    assert result.exit_code == 1
    assert f"views.yaml:7:12: error: project.runtime '{runtime}' is not allowed" in result.output
