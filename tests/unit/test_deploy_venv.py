"""The functions venv is built only when what it is built from changes (``boiler deploy``).

The runtime's Python is a fake that logs its calls and makes a "venv" whose python logs pip."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from boiler_core.deploy.errors import DeployError
from boiler_core.deploy.venv import VenvSource, ensure_venv

BASH = shutil.which("bash") or "/bin/bash"
FAKE_PYTHON = f"""#!{BASH}
echo "python $*" >>"$FAKE_LOG"
if [ "$1 $2" = "-m venv" ]; then
    {shutil.which("mkdir")} -p "$3/bin"
    printf '#!{BASH}\\necho "venv $*" >>"$FAKE_LOG"\\n' >"$3/bin/python"
    printf 'exit "${{FAKE_PIP_EXIT:-0}}"\\n' >>"$3/bin/python"
    {shutil.which("chmod")} +x "$3/bin/python"
fi
"""


@pytest.fixture
def source(tmp_path: Path) -> VenvSource:
    python = tmp_path / "python3.12"
    python.write_text(FAKE_PYTHON)
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    requirements = tmp_path / "functions" / "requirements.txt"
    requirements.parent.mkdir()
    requirements.write_text("boiler-core==1.0\n")
    wheel = tmp_path / "functions" / "wheels" / "boiler_core-1.0-py3-none-any.whl"
    return VenvSource(str(python), "3.12", requirements, wheel, "a" * 64)


def calls(tmp_path: Path) -> list[str]:
    log = tmp_path / "log"
    lines = log.read_text().splitlines() if log.exists() else []
    log.unlink(missing_ok=True)
    return lines


def test_the_venv_is_built_then_reused_then_only_boiler_is_reinstalled(
    tmp_path: Path, source: VenvSource
) -> None:
    env = {"FAKE_LOG": str(tmp_path / "log")}
    venv = tmp_path / "functions" / "venv"
    assert ensure_venv(venv, source, env) == "built"
    pip = "-m pip install -qq --disable-pip-version-check"
    assert calls(tmp_path) == [f"python -m venv {venv}", f"venv {pip} -r {source.requirements}"]
    assert ensure_venv(venv, source, env).startswith("up to date")
    assert calls(tmp_path) == []
    new_wheel = VenvSource(**{**source.__dict__, "wheel_sha256": "b" * 64})
    assert ensure_venv(venv, new_wheel, env).startswith("boiler reinstalled")
    assert calls(tmp_path) == [f"venv {pip} --no-deps --force-reinstall {source.wheel}"]


@pytest.mark.parametrize("change", ["requirements", "python"])
def test_new_requirements_or_another_python_rebuild_the_venv(
    tmp_path: Path, source: VenvSource, change: str
) -> None:
    env = {"FAKE_LOG": str(tmp_path / "log")}
    venv = tmp_path / "functions" / "venv"
    ensure_venv(venv, source, env)
    (venv / "left-over").write_text("x")
    calls(tmp_path)
    if change == "requirements":
        source.requirements.write_text("boiler-core==1.1\n")
    else:
        source = VenvSource(**{**source.__dict__, "python_version": "3.13"})
    assert ensure_venv(venv, source, env) == "built"
    assert calls(tmp_path)[0] == f"python -m venv {venv}"
    assert not (venv / "left-over").exists()


def test_a_failing_pip_leaves_no_stamp_and_says_what_failed(
    tmp_path: Path, source: VenvSource
) -> None:
    env = {"FAKE_LOG": str(tmp_path / "log"), "FAKE_PIP_EXIT": "1"}
    venv = tmp_path / "functions" / "venv"
    with pytest.raises(DeployError, match=r"pip could not install .*requirements\.txt into"):
        ensure_venv(venv, source, env)
    env["FAKE_PIP_EXIT"] = "0"
    assert ensure_venv(venv, source, env) == "built"
