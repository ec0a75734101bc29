"""deploy.sh: finds boiler and runs ``boiler deploy`` in its own folder with the arguments given.

Run for real with bash and a PATH holding only what each test puts there; the boilers are fakes
that print where they were found, the folder they run in and their arguments. What
``boiler deploy`` does is tested in test_deploy_command.py.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BASH = shutil.which("bash") or "/bin/bash"
FAKE_BOILER = f'#!{BASH}\necho "$0 in $PWD: $*"\nexit 3\n'


@pytest.fixture
def app(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    shutil.copy(REPO / "deploy.sh", root / "deploy.sh")
    return root


def fake_boiler(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FAKE_BOILER)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def run(app: Path, *args: str, path: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """deploy.sh run from another folder, as CI might."""
    return subprocess.run(
        [BASH, str(app / "deploy.sh"), *args],
        cwd=app.parent,
        env={"PATH": path, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_it_runs_the_boiler_of_the_active_environment_in_its_folder(
    app: Path, tmp_path: Path
) -> None:
    active = fake_boiler(tmp_path / "active" / "bin" / "boiler")
    fake_boiler(app / ".venv" / "bin" / "boiler")
    result = run(app, "--dry-run", "--project", "acme-prod", path=str(active.parent))
    assert result.returncode == 3  # the exit code of boiler deploy
    assert result.stdout == f"{active} in {app}: deploy --dry-run --project acme-prod\n"


@pytest.mark.parametrize("venv", [".venv", "venv"])
def test_without_boiler_on_path_it_takes_the_virtualenv_beside_it(app: Path, venv: str) -> None:
    fake_boiler(app / venv / "bin" / "boiler")
    result = run(app, "--help")
    found, rest = result.stdout.split(" in ", 1)
    assert Path(app, found).resolve() == (app / venv / "bin" / "boiler").resolve()
    assert rest == f"{app}: deploy --help\n"


def test_boiler_set_in_the_environment_comes_first(app: Path, tmp_path: Path) -> None:
    chosen = fake_boiler(tmp_path / "elsewhere" / "boiler")
    fake_boiler(app / ".venv" / "bin" / "boiler")
    result = run(app, BOILER=str(chosen))
    assert result.stdout == f"{chosen} in {app}: deploy\n"


def test_a_boiler_variable_that_names_nothing_is_refused(app: Path) -> None:
    result = run(app, BOILER="/nowhere/boiler")
    assert result.returncode == 2
    assert "BOILER=/nowhere/boiler is not an executable boiler" in result.stderr


def test_without_any_boiler_it_says_how_to_install_one(app: Path) -> None:
    result = run(app, "--dry-run")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("deploy.sh: error: boiler is not installed: no $BOILER")
    assert "python3 -m venv .venv && .venv/bin/pip install boiler_core-" in lines[1]
