"""boiler's own tests never read the repository's top-level app (tests/support/root_app_guard.py).

The guard runs in every test process; these tests show it is installed and live, what it counts
as reading the root app, and that no test source outside ``tests/app/`` names a root app path.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from root_app_guard import GUARD, ROOT, RootAppGuard, RootAppRead

HERE = Path(__file__).resolve()
ROOT_APP_PATH = re.compile(
    r"""(parents\[\d\]|\bREPO|\bROOT|\bPROJECT_ROOT)\s*/\s*["']"""
    r"""(views\.yaml|functions|firestore\.rules|firestore\.indexes\.json|seed\.yaml)["']"""
)


def test_the_session_guard_stops_a_read_of_the_root_views_yaml() -> None:
    try:
        with pytest.raises(RootAppRead, match=r"read the root app \(open .*views\.yaml\)"):
            (ROOT / "views.yaml").read_text(encoding="utf-8")
        with pytest.raises(RootAppRead, match="read the root app"):
            os.listdir(ROOT / "functions")
    finally:
        offences = GUARD.take()  # this test's own reads, not to fail it afterwards
    assert offences == [f"open {ROOT / 'views.yaml'}", f"os.listdir {ROOT / 'functions'}"]


def test_the_session_guard_stops_a_subprocess_pointed_at_the_root_app() -> None:
    try:
        with pytest.raises(RootAppRead, match="subprocess given a root app path"):
            subprocess.run(["cat", str(ROOT / "firestore.rules")], check=False)
    finally:
        offences = GUARD.take()
    assert len(offences) == 1


@pytest.fixture
def guard(tmp_path: Path) -> RootAppGuard:
    """A guard (not installed) for a repository at tmp_path."""
    (tmp_path / "functions").mkdir()
    return RootAppGuard(tmp_path)


@pytest.mark.parametrize(
    "relative",
    [
        "views.yaml",
        "functions",
        "functions/main.py",
        "functions/meeting_room/__pycache__/hooks.cpython-311.pyc",
        "firestore.rules",
        "firestore.indexes.json",
        "seed.yaml",
        "demo.yaml",
    ],
)
def test_the_root_app_files_are_guarded(guard: RootAppGuard, tmp_path: Path, relative: str) -> None:
    assert guard.offence("open", (str(tmp_path / relative), "r", 0)) is not None


@pytest.mark.parametrize(
    "relative",
    [
        "views.yaml.bak",
        "functions_elsewhere/main.py",
        "tests/apps/meeting_room/views.yaml",
        "tests/apps/meeting_room/functions/meeting_room/hooks.py",
        "boiler_core/manifest/views.schema.json",
        "firebase.json",
        "pyproject.toml",
    ],
)
def test_library_files_and_the_tests_copy_are_not(
    guard: RootAppGuard, tmp_path: Path, relative: str
) -> None:
    assert guard.offence("open", (str(tmp_path / relative), "r", 0)) is None


def test_relative_paths_are_taken_from_the_working_folder(
    guard: RootAppGuard, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert guard.offence("open", ("views.yaml", "r", 0)) == f"open {tmp_path / 'views.yaml'}"
    assert guard.offence("os.scandir", ("functions",)) is not None
    assert guard.offence("os.listdir", (3,)) is None  # a folder by descriptor
    # os.open (mode None) of a relative name may be relative to a dir_fd: not decided here
    assert guard.offence("open", ("views.yaml", None, os.O_RDONLY)) is None
    assert guard.offence("open", (str(tmp_path / "views.yaml"), None, os.O_RDONLY)) is not None


@pytest.mark.parametrize(
    ("argv", "cwd", "offends"),
    [
        (["boiler", "dev"], ".", True),
        (["/venv/bin/boiler", "verify", "--project", "p"], ".", True),
        (["boiler", "check", "-f", "elsewhere/views.yaml"], ".", False),
        (["boiler", "emulator-path"], ".", False),
        (["boiler", "--help"], ".", False),
        (["ruff", "check", "--stdin-filename", "functions/main.py", "-"], ".", False),
        (["python", "-c", "import main"], "functions", True),
        (["cat", "{root}/views.yaml"], "/", True),
        (["boiler", "dev"], "/", False),
    ],
)
def test_subprocesses_started_in_or_pointed_at_the_root_app(
    guard: RootAppGuard, tmp_path: Path, argv: list[str], cwd: str, offends: bool
) -> None:
    argv = [word.format(root=tmp_path) for word in argv]
    folder = tmp_path / cwd if cwd != "/" else Path("/")
    found = guard.offence("subprocess.Popen", (argv[0], argv, str(folder), None))
    assert (found is not None) == offends, found


def test_other_events_and_a_paused_guard_pass(guard: RootAppGuard, tmp_path: Path) -> None:
    guard.activate(True)
    guard("compile", (b"x = 1", str(tmp_path / "views.yaml")))
    with guard.paused():
        guard("open", (str(tmp_path / "views.yaml"), "r", 0))
    assert guard.take() == []
    with pytest.raises(RootAppRead):
        guard("open", (str(tmp_path / "views.yaml"), "r", 0))
    assert guard.take() == [f"open {tmp_path / 'views.yaml'}"]


def test_no_test_source_outside_tests_app_names_a_root_app_path() -> None:
    tests = ROOT / "tests"
    sources = [p for p in tests.rglob("*.py") if not p.is_relative_to(tests / "app")]
    assert HERE in sources
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        if path != HERE
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ROOT_APP_PATH.search(line)
    ]
    assert found == []
    assert ROOT_APP_PATH.search('text = (REPO / "views.yaml").read_text()')
    assert ROOT_APP_PATH.search("base = Path(__file__).resolve().parents[2] / 'functions'")
