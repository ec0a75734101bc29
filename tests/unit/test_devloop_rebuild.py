"""Checking and regenerating after a save, in the running process: hooks are imported afresh,
problems change nothing, and the watch loop reloads only what a save needs."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from boiler_core.cli.devloop import Console, DevLoop
from boiler_core.devloop.rebuild import Rebuilt, Rejected, forget_app_modules, rebuild
from boiler_core.dispatch.records import Ready, TriggerInfo
from boiler_core.emulator import DispatcherFailed, EmulatorRequestFailed, LocalRuntimeError
from boiler_core.manifest import load_manifest

VIEWS = """\
version: 1
project: {{emulator_project_id: demo-shelf, functions_dir: functions}}
collections:
  books: {{path: "books/{{book}}"}}
views:
  cards:
    path: cards/{{book}}
    root: books
    fields:
      title: title
      shout:
        hook: {package}.hooks:shout
        reads: [title]
"""

HOOKS = """\
def shout(sources):
    return str(sources.root.get("title", "")).upper()
"""

ANOTHER_VIEW = """\
  spines:
    path: spines/{book}
    root: books
    fields:
      title: title
"""


@pytest.fixture
def shelf(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A small app in ``tmp_path`` whose hook package has a name of its own (modules are cached
    process-wide by name)."""
    package = f"shelf_{request.node.name[-40:].replace('[', '_').replace(']', '_')}"
    root = tmp_path / "app"
    (root / "functions" / package).mkdir(parents=True)
    (root / "functions" / package / "__init__.py").write_text("")
    (root / "functions" / package / "hooks.py").write_text(HOOKS)
    (root / "views.yaml").write_text(VIEWS.format(package=package))
    yield root
    forget_app_modules(root / "functions")


def hooks_of(root: Path) -> Path:
    return next((root / "functions").glob("shelf_*/hooks.py"))


def save(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_a_valid_app_is_generated_like_boiler_generate(shelf: Path) -> None:
    outcome = rebuild(shelf / "views.yaml", shelf / "functions")
    assert isinstance(outcome, Rebuilt)
    assert "functions/main.py" in outcome.written
    assert (shelf / "functions" / "main.py").is_file()
    again = rebuild(shelf / "views.yaml", shelf / "functions")
    assert isinstance(again, Rebuilt)
    assert again.written == ()


def test_a_hook_edited_after_the_first_check_is_imported_again(shelf: Path) -> None:
    assert isinstance(rebuild(shelf / "views.yaml", shelf / "functions"), Rebuilt)
    save(hooks_of(shelf), "def shout(sources:\n")
    outcome = rebuild(shelf / "views.yaml", shelf / "functions")
    assert isinstance(outcome, Rejected)
    (problem,) = outcome.problems
    assert problem.file == str(shelf / "views.yaml")
    assert (problem.line, problem.column) == (12, 15)
    assert "SyntaxError" in problem.message


def test_problems_write_nothing(shelf: Path) -> None:
    assert isinstance(rebuild(shelf / "views.yaml", shelf / "functions"), Rebuilt)
    main_py = (shelf / "functions" / "main.py").read_text()
    broken = (shelf / "views.yaml").read_text().replace("root: books", "root: shelves")
    save(shelf / "views.yaml", broken.replace("title: title", "title: titel"))
    outcome = rebuild(shelf / "views.yaml", shelf / "functions")
    assert isinstance(outcome, Rejected)
    assert any((p.line, p.column) == (8, 11) and "shelves" in p.message for p in outcome.problems)
    assert (shelf / "functions" / "main.py").read_text() == main_py


def test_only_modules_of_the_functions_folder_are_forgotten(shelf: Path) -> None:
    assert isinstance(rebuild(shelf / "views.yaml", shelf / "functions"), Rebuilt)
    package = hooks_of(shelf).parent.name
    assert f"{package}.hooks" in sys.modules
    forgotten = forget_app_modules(shelf / "functions")
    assert f"{package}.hooks" in forgotten
    assert f"{package}.hooks" not in sys.modules
    assert "boiler_core.engine" not in forgotten
    assert "yaml" in sys.modules


class FakeRuntime:
    """The runtime's surface the loop uses, recording reloads; its reload fails on demand."""

    def __init__(self, log: Path) -> None:
        self.reloads = 0
        self.fail: LocalRuntimeError | None = None
        self.dispatcher = type("Dispatcher", (), {"pid": 4242})()
        self.dispatcher_log = log
        self.emulator_host = "127.0.0.1:8080"
        self.rules: list[str] = []
        self.emulator = type("Emulator", (), {"admin": self})()

    def set_rules(self, text: str) -> None:
        self.rules.append(text)

    def reload(self) -> Ready:
        if self.fail is not None:
            raise self.fail
        self.reloads += 1
        return Ready("http://127.0.0.1:1", (TriggerInfo("on_books_written", "books/{b}", "w"),))


def loop_for(shelf: Path, capsys: pytest.CaptureFixture[str]) -> tuple[DevLoop, FakeRuntime, Any]:
    assert isinstance(rebuild(shelf / "views.yaml", shelf / "functions"), Rebuilt)
    runtime = FakeRuntime(shelf / "dispatcher.log")
    manifest = load_manifest(shelf / "views.yaml")
    loop = DevLoop(runtime, shelf / "views.yaml", manifest, Console())  # type: ignore[arg-type]
    capsys.readouterr()
    return loop, runtime, capsys


def test_saving_a_new_view_reloads_once_and_says_so(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loop, runtime, _ = loop_for(shelf, capsys)
    assert loop.poll() is False
    save(shelf / "views.yaml", (shelf / "views.yaml").read_text() + ANOTHER_VIEW)
    assert loop.poll() is True
    assert runtime.reloads == 1
    out = capsys.readouterr().out
    assert "reloaded in" in out
    assert "views +spines" in out
    assert "dispatcher pid 4242" in out
    assert "boiler backfill" in out
    assert loop.poll() is False


def test_a_broken_views_yaml_is_reported_located_and_nothing_reloads(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loop, runtime, _ = loop_for(shelf, capsys)
    save(shelf / "views.yaml", (shelf / "views.yaml").read_text().replace("root: books", "root: "))
    assert loop.poll() is True
    assert runtime.reloads == 0
    captured = capsys.readouterr()
    assert f"{shelf / 'views.yaml'}:8:10: error: root of view 'cards' must be a string" in (
        captured.err
    )
    assert "keeps serving" in captured.out


def test_a_comment_in_views_yaml_changes_no_generated_file_and_reloads_nothing(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loop, runtime, _ = loop_for(shelf, capsys)
    save(shelf / "views.yaml", (shelf / "views.yaml").read_text() + "# a note\n")
    loop.poll()
    assert runtime.reloads == 0
    assert "generated files are unchanged" in capsys.readouterr().out


def test_a_hook_edit_reloads_the_functions(shelf: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loop, runtime, _ = loop_for(shelf, capsys)
    save(hooks_of(shelf), HOOKS + "\n# louder\n")
    assert loop.poll() is True
    assert runtime.reloads == 1
    assert "hooks.py changed" in capsys.readouterr().out


def test_functions_that_cannot_load_are_reported_at_their_line(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loop, runtime, _ = loop_for(shelf, capsys)
    runtime.fail = DispatcherFailed(
        "long message", (str(hooks_of(shelf)), 3, 7), "ImportError: cannot import name 'x'"
    )
    save(hooks_of(shelf), HOOKS + "\n# edited\n")
    loop.poll()
    captured = capsys.readouterr()
    assert "hooks.py:3:7: error: ImportError: cannot import name 'x'" in captured.err
    assert "keeps serving" in captured.out
    assert str(shelf / "dispatcher.log") in captured.out


def test_a_reload_that_fails_otherwise_is_one_line_and_the_loop_goes_on(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loop, runtime, _ = loop_for(shelf, capsys)
    runtime.fail = EmulatorRequestFailed("emulator at 127.0.0.1:8080 did not answer")
    save(hooks_of(shelf), HOOKS + "\n# edited\n")
    assert loop.poll() is True
    assert "the reload failed: emulator at 127.0.0.1:8080 did not answer" in capsys.readouterr().err
    runtime.fail = None
    save(hooks_of(shelf), HOOKS + "\n# edited again\n")
    assert loop.poll() is True
    assert runtime.reloads == 1


def test_a_hand_written_main_py_is_refused_and_nothing_is_written(shelf: Path) -> None:
    (shelf / "functions" / "main.py").write_text("# my own functions\n")
    outcome = rebuild(shelf / "views.yaml", shelf / "functions")
    assert isinstance(outcome, Rejected)
    (problem,) = outcome.problems
    assert problem.file == str(shelf / "functions" / "main.py")
    assert "boiler generate --force" in str(problem.hint)
    assert (shelf / "functions" / "main.py").read_text() == "# my own functions\n"
    assert not (shelf / "firestore.rules").exists()


def test_a_changed_project_setting_says_a_restart_is_needed(
    shelf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loop, runtime, _ = loop_for(shelf, capsys)
    text = (shelf / "views.yaml").read_text()
    save(
        shelf / "views.yaml",
        text.replace(
            "emulator_project_id: demo-shelf",
            "region: europe-west1, emulator_project_id: demo-shelf",
        ),
    )
    assert loop.poll() is True
    assert runtime.reloads == 1  # the rest of the save is served meanwhile
    assert (
        "project.region changed: restart boiler dev for it to take effect"
        in capsys.readouterr().out
    )
