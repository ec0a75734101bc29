"""What ``boiler dev`` watches, and the changes it sees between two looks."""

from __future__ import annotations

import os
from pathlib import Path

from boiler_core.devloop.watch import Snapshot, WatchedFiles, describe_changes


def app(tmp_path: Path) -> WatchedFiles:
    (tmp_path / "views.yaml").write_text("version: 1\n")
    package = tmp_path / "functions" / "shop"
    package.mkdir(parents=True)
    for name in ("__init__.py", "hooks.py", "schemas.py"):
        (package / name).write_text("")
    (tmp_path / "functions" / "main.py").write_text("# generated\n")
    for skipped in ("__pycache__", "venv/lib", ".hidden", "node_modules/x", "boiler_core"):
        (tmp_path / "functions" / skipped).mkdir(parents=True)
        (tmp_path / "functions" / skipped / "module.py").write_text("")
    (tmp_path / "functions" / "notes.txt").write_text("")
    return WatchedFiles(
        tmp_path / "views.yaml",
        tmp_path / "functions",
        frozenset({tmp_path / "functions" / "main.py"}),
    )


def touch(path: Path, text: str) -> None:
    """Write ``text`` and move the modification time on, so the change is seen even on a file
    system with coarse timestamps."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_views_yaml_and_the_apps_python_files_are_watched(tmp_path: Path) -> None:
    watched = app(tmp_path)
    names = sorted(str(p.relative_to(tmp_path)) for p in watched.files())
    assert names == [
        "functions/shop/__init__.py",
        "functions/shop/hooks.py",
        "functions/shop/schemas.py",
        "views.yaml",
    ]


def test_an_edit_an_addition_and_a_removal_are_changes(tmp_path: Path) -> None:
    watched = app(tmp_path)
    before = watched.snapshot()
    touch(tmp_path / "functions" / "shop" / "hooks.py", "X = 1\n")
    (tmp_path / "functions" / "shop" / "schemas.py").unlink()
    touch(tmp_path / "functions" / "shop" / "mutations.py", "")
    changed = before.changes(watched.snapshot())
    assert [p.name for p in changed] == ["hooks.py", "mutations.py", "schemas.py"]


def test_files_boiler_writes_and_skipped_folders_are_no_changes(tmp_path: Path) -> None:
    watched = app(tmp_path)
    before = watched.snapshot()
    touch(tmp_path / "functions" / "main.py", "# generated again\n")
    touch(tmp_path / "functions" / "__pycache__" / "module.py", "X = 2\n")
    touch(tmp_path / "functions" / "venv" / "lib" / "module.py", "X = 2\n")
    assert watched.snapshot() == before
    assert before.changes(watched.snapshot()) == []


def test_an_unchanged_tree_gives_an_equal_snapshot(tmp_path: Path) -> None:
    watched = app(tmp_path)
    assert watched.snapshot() == watched.snapshot()
    assert Snapshot().changes(Snapshot()) == []


def test_changes_are_named_relative_to_the_project_and_capped(tmp_path: Path) -> None:
    paths = [tmp_path / name for name in ("a.py", "b.py", "c.py", "d.py", "e.py")]
    assert describe_changes(paths[:2], tmp_path) == "a.py, b.py"
    assert describe_changes(paths, tmp_path) == "a.py, b.py, c.py and 2 more"
