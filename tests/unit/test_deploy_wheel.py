"""The wheel of the running boiler that ``boiler deploy`` puts into the functions folder: made
offline from the installed package, the same bytes every time, installable by pip, and made the
same way again from a wheel install."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import sysconfig
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

import boiler_core
from boiler_core.deploy.wheel import build_wheel, remove_wheel, wheel_name

PACKAGE = Path(boiler_core.__file__).resolve().parent


def package_files() -> list[str]:
    return sorted(
        f"boiler_core/{path.relative_to(PACKAGE).as_posix()}"
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def test_the_same_code_gives_the_same_bytes(tmp_path: Path) -> None:
    first = build_wheel(tmp_path / "a")
    second = build_wheel(tmp_path / "b")
    assert first.path.name == second.path.name == wheel_name(boiler_core.__version__)
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sha256 == second.sha256 == hashlib.sha256(first.path.read_bytes()).hexdigest()
    assert not list((tmp_path / "a").glob("*.part"))


def test_it_holds_every_package_file_and_a_record_of_each(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    dist_info = f"boiler_core-{boiler_core.__version__}.dist-info"
    with zipfile.ZipFile(wheel.path) as archive:
        names = archive.namelist()
        assert sorted(n for n in names if n.startswith("boiler_core/")) == package_files()
        assert "boiler_core/manifest/views.schema.json" in names
        assert "boiler_core/py.typed" in names
        assert wheel.files == len(package_files())
        metadata = HeaderParser().parsestr(archive.read(f"{dist_info}/METADATA").decode())
        assert (metadata["Name"], metadata["Version"]) == ("boiler-core", boiler_core.__version__)
        assert (
            "boiler = boiler_core.cli:main"
            in archive.read(f"{dist_info}/entry_points.txt").decode()
        )
        assert b"Tag: py3-none-any\n" in archive.read(f"{dist_info}/WHEEL")
        record = archive.read(f"{dist_info}/RECORD").decode().splitlines()
        assert len(record) == len(names)
        for line in record:
            name, digest, size = line.rsplit(",", 2)
            if name.endswith("RECORD"):
                continue
            data = archive.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert (digest, int(size)) == (f"sha256={expected.decode()}", len(data))


def test_it_replaces_a_wheel_of_another_version_and_leaves_other_files(tmp_path: Path) -> None:
    (tmp_path / "boiler_core-0.0.1-py3-none-any.whl").write_text("old")
    (tmp_path / "theirs-1.0-py3-none-any.whl").write_text("x")
    wheel = build_wheel(tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([wheel.path.name, "theirs-1.0-py3-none-any.whl"])


def test_removing_it_removes_the_folder_only_when_empty(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "wheels")
    remove_wheel(wheel.path)
    assert not (tmp_path / "wheels").exists()
    wheel = build_wheel(tmp_path / "wheels")
    (tmp_path / "wheels" / "theirs.whl").write_text("x")
    remove_wheel(wheel.path)
    assert [p.name for p in (tmp_path / "wheels").iterdir()] == ["theirs.whl"]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A fresh venv with the wheel pip-installed offline (no index, no dependencies); this
    environment's site-packages reachable from it through a .pth file for the dependencies (its
    editable boiler is not: the .pth files of a folder added that way are not run)."""
    root = tmp_path_factory.mktemp("installed")
    wheel = build_wheel(root / "dist")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-qq", "--disable-pip-version-check"]
    subprocess.run([*pip, "--no-index", "--no-deps", str(wheel.path)], check=True, timeout=120)
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python, wheel.path


def run_in(python: Path, code: str, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    done = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_pip_installs_it_with_the_package_data(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    python, _ = installed
    code = (
        "import boiler_core, pathlib; p = pathlib.Path(boiler_core.__file__).parent; "
        "print(boiler_core.__version__, p.parent.name, "
        "(p / 'manifest/views.schema.json').is_file())"
    )
    assert run_in(python, code, tmp_path) == f"{boiler_core.__version__} site-packages True"


def test_a_wheel_install_makes_the_same_wheel_again(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    python, original = installed
    code = (
        "import pathlib, boiler_core; from boiler_core.deploy.wheel import build_wheel; "
        "w = build_wheel(pathlib.Path('out')); "
        "print(pathlib.Path(boiler_core.__file__).parent.parent.name, w.path)"
    )
    where, rebuilt = run_in(python, code, tmp_path).split()
    assert where == "site-packages"
    assert Path(tmp_path / rebuilt).read_bytes() == original.read_bytes()
