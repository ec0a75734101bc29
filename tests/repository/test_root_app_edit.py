"""The repository's top-level app is the user's to edit: boiler's own tests do not depend on it.

A copy of the repository (its git files) gets a new view and a new field in its root views.yaml,
as a user adds them; ``boiler generate`` runs there, then the copy's unit tier runs green against
the copy's own boiler_core, and so do the app's own tests (``tests/app``, as ``boiler init``
writes them for any app: views.yaml valid, generated files current, views converging; the
emulator test is skipped where there is no emulator). This is the only test that reads the root app
(to copy it), hence the ``root_app`` mark.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from root_app_guard import ROOT

pytestmark = pytest.mark.root_app

NEW_FIELD = (
    "      address: location.address\n",
    "      address: location.address\n      meetingStatus: status\n",
)
NEW_VIEW = """
  user_cards:
    description: A user's name card.
    path: user_cards/{user}
    root: users
    fields:
      first_name: first_name
      organization: organization
    read: {owner: user}
"""
UNIT_TIER = ["-m", "pytest", "tests/unit", "-x", "-q", "-p", "no:cacheprovider"]
APP_TESTS = ["-m", "pytest", "tests/app", "-q", "-p", "no:cacheprovider"]
TIMEOUT = 900


def repository_copy(dest: Path) -> Path:
    """The files git knows of (tracked, and new ones not ignored), as they are on disk."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file() or source.is_symlink():  # not a file deleted in the working tree
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name, follow_symlinks=False)
    return dest


def run(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` in the copy, importing the copy's boiler_core."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = str(copy)
    return subprocess.run(
        [sys.executable, *args],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def test_a_view_and_a_field_added_to_the_root_app_leave_the_library_and_app_tests_green(
    tmp_path: Path,
) -> None:
    copy = repository_copy(tmp_path / "repo")
    views = copy / "views.yaml"
    text = views.read_text(encoding="utf-8")
    assert NEW_FIELD[0] in text
    assert "\nmutations:\n" in text
    views.write_text(
        text.replace(*NEW_FIELD).replace("\nmutations:\n", NEW_VIEW + "\nmutations:\n"),
        encoding="utf-8",
    )

    found = run(copy, "-c", "import boiler_core; print(boiler_core.__file__)")
    assert found.stdout.strip() == str(copy / "boiler_core" / "__init__.py"), found.stderr
    boiler = ["-c", "from boiler_core.cli import main; main()"]
    checked = run(copy, *boiler, "check")
    assert checked.returncode == 0, checked.stderr
    assert "3 views" in checked.stdout
    generated = run(copy, *boiler, "generate")
    assert generated.returncode == 0, generated.stderr
    assert "wrote functions/main.py" in generated.stdout.splitlines()
    assert "user_cards" in (copy / "firestore.rules").read_text(encoding="utf-8")

    unit = run(copy, *UNIT_TIER)
    assert unit.returncode == 0, unit.stdout[-6000:] + unit.stderr[-3000:]
    assert " passed" in unit.stdout.splitlines()[-1]

    app = run(copy, *APP_TESTS)  # the edited app's own tests: valid, generated, converging
    assert app.returncode == 0, app.stdout[-6000:] + app.stderr[-3000:]
    assert (
        "4 passed" in app.stdout.splitlines()[-1]
        or "3 passed, 1 skipped" in (app.stdout.splitlines()[-1])
    )
