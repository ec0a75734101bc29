"""The wheel ``python -m build`` makes: complete, installable into a fresh virtualenv outside the
repository (dependencies from the package index, as a user installs it), and working there."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

import boiler_core

PACKAGE = Path(boiler_core.__file__).resolve().parent
VERSION = boiler_core.__version__


def source_files() -> list[str]:
    """Every file of the package in this checkout, as the wheel names it."""
    return sorted(
        f"boiler_core/{path.relative_to(PACKAGE).as_posix()}"
        for path in PACKAGE.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix not in {".pyc", ".pyo"}
        and not path.name.startswith(".")
    )


def wheel_files(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return sorted(n for n in archive.namelist() if n.startswith("boiler_core/"))


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    [found] = dist.glob("boiler_core-*.whl")
    return found


def test_the_dist_holds_one_wheel_and_one_sdist_of_this_version(dist: Path, wheel: Path) -> None:
    assert wheel.name == f"boiler_core-{VERSION}-py3-none-any.whl"
    assert [p.name for p in dist.glob("*.tar.gz")] == [f"boiler_core-{VERSION}.tar.gz"]


def test_the_wheel_carries_every_file_of_the_package(wheel: Path) -> None:
    assert wheel_files(wheel) == source_files()


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh virtualenv, outside the repository, with the wheel installed."""
    venv = tmp_path_factory.mktemp("user") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "--disable-pip-version-check", str(wheel)], check=True, timeout=900)
    return venv / "bin"


def run(program: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run(
        [str(program), *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def test_the_installed_boiler_runs_outside_the_repository(installed: Path, tmp_path: Path) -> None:
    version = run(installed / "boiler", "--version", cwd=tmp_path)
    assert version.returncode == 0, version.stderr
    assert version.stdout == f"boiler, version {VERSION}\n"
    deploy = run(installed / "boiler", "deploy", "--help", cwd=tmp_path)
    assert deploy.returncode == 0, deploy.stderr
    assert "--dry-run" in deploy.stdout
    where = run(
        installed / "python", "-c", "import boiler_core; print(boiler_core.__file__)", cwd=tmp_path
    )
    assert Path(where.stdout.strip()).is_relative_to(installed.parent)


def test_the_installed_boiler_makes_a_wheel_of_itself_with_the_same_files(
    installed: Path, wheel: Path, tmp_path: Path
) -> None:
    code = (
        "import pathlib; from boiler_core.deploy.wheel import build_wheel; "
        "print(build_wheel(pathlib.Path('wheels')).path)"
    )
    made = run(installed / "python", "-c", code, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert wheel_files(tmp_path / made.stdout.strip()) == wheel_files(wheel)


def test_a_new_app_from_the_wheel_alone_serves_live_views_and_plans_a_deploy(
    installed: Path, tmp_path: Path
) -> None:
    """In an empty folder, with only the wheel installed: init, dev with the seed file serving
    live view documents, and the app's deploy.sh --dry-run."""
    made = run(installed / "boiler", "init", "shop", cwd=tmp_path)
    assert made.returncode == 0, made.stdout + made.stderr
    app = tmp_path / "shop"
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["PATH"] = f"{installed}{os.pathsep}{env['PATH']}"
    dev = subprocess.Popen(
        ["boiler", "dev", "--seed", "seed.yaml", "--free-ports"],
        cwd=app,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    host, output = None, []
    try:
        assert dev.stdout is not None
        for line in dev.stdout:
            output.append(line)
            found = re.search(r"FIRESTORE_EMULATOR_HOST=(\S+)\)", line)
            if found:  # printed once ready, after the seed was written and handled
                host = found.group(1)
                break
        assert host is not None, "".join(output)
        url = f"http://{host}/v1/projects/demo-shop/databases/(default)/documents"
        request = urllib.request.Request(
            f"{url}/users/grace/project_boards/engine", headers={"Authorization": "Bearer owner"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            fields = json.load(answer)["fields"]
        assert fields["name"] == {"stringValue": "Analytical Engine"}
        assert fields["open_tasks"] == {"integerValue": "2"}
    finally:
        os.killpg(dev.pid, signal.SIGINT)
        assert dev.wait(timeout=60) == 0
        if dev.stdout is not None:
            dev.stdout.close()
    plan = subprocess.run(
        ["./deploy.sh", "--dry-run"], cwd=app, env=env, capture_output=True, text=True, timeout=900
    )
    assert plan.returncode == 0, plan.stdout[-4000:] + plan.stderr[-4000:]
    assert "nothing uploaded" in plan.stdout
