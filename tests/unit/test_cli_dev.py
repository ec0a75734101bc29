"""``boiler dev`` refuses bad input before anything starts, and prints failures in one line."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from boiler_core.cli import main
from boiler_core.cli.local import format_invocation
from boiler_core.dispatch import Invocation

VIEWS = """\
version: 1
project: {emulator_project_id: demo-notes, functions_dir: functions}
collections:
  notes: {path: "notes/{note}"}
views:
  cards:
    path: cards/{note}
    root: notes
    fields: {text: text}
"""


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / "functions").mkdir()
    (tmp_path / "views.yaml").write_text(VIEWS)
    return tmp_path


@pytest.fixture
def listening() -> Iterator[int]:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def dev(app: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["dev", "-f", str(app / "views.yaml"), *args])
    return result.exit_code, result.output


def test_a_bad_seed_file_lists_every_problem_and_starts_nothing(app: Path) -> None:
    (app / "seed.yaml").write_text("notes/n1: {text: hi}\npeople/p1: {name: Ada}\nnotes/n2: 3\n")
    code, output = dev(app, "--seed", str(app / "seed.yaml"), "--free-ports")
    assert code == 1
    assert f"{app / 'seed.yaml'}:2:1: error: 'people/p1' is not a document" in output
    assert f"{app / 'seed.yaml'}:3:11: error: the fields of notes/n2 must be a mapping" in output
    assert "2 problems found" in output
    assert "starting" not in output
    assert not (app / "functions" / "main.py").exists()


def test_a_missing_seed_file_is_named(app: Path) -> None:
    code, output = dev(app, "--seed", str(app / "nope.yaml"), "--free-ports")
    assert code == 1
    assert f"{app / 'nope.yaml'}:1:1: error: cannot read the seed file" in output


def test_a_taken_port_from_firebase_json_is_refused_with_how_to_change_it(
    app: Path, listening: int
) -> None:
    (app / "firebase.json").write_text(
        json.dumps({"emulators": {"functions": {"port": listening}}})
    )
    code, output = dev(app)
    assert code == 1
    assert f"port {listening} for the functions is already in use by pid" in output
    assert "change emulators.functions.port in firebase.json" in output
    assert "starting" not in output


def test_a_bad_port_setting_is_named(app: Path) -> None:
    (app / "firebase.json").write_text(json.dumps({"emulators": {"hosting": {"port": "web"}}}))
    code, output = dev(app)
    assert code == 1
    assert "firebase.json: emulators.hosting.port must be a port number" in output


def test_importing_from_a_folder_without_an_export_is_refused(app: Path) -> None:
    code, output = dev(app, "--free-ports", "--import", str(app / "data"))
    assert code == 1
    assert f"--import {app / 'data'}: no such folder" in output


def test_the_options_are_documented() -> None:
    output = CliRunner().invoke(main, ["dev", "--help"]).output
    for option in ("--seed FILE", "--import DIR", "--export DIR", "--free-ports", "--page-port"):
        assert option in output


def test_a_failed_invocation_is_one_line_with_its_error_and_no_traceback() -> None:
    record = Invocation(
        "on_notes_written",
        "notes/n1",
        "e1",
        12.34,
        False,
        "HookError: views.yaml:9:5: hook shop.hooks:shout raised KeyError: 'text'",
        "Traceback (most recent call last):\n  File \"hooks.py\", line 2\nKeyError: 'text'",
    )
    line = format_invocation(record)
    assert "\n" not in line
    assert line.startswith("on_notes_written")
    assert "notes/n1" in line
    assert line.endswith(
        "12.3 ms  FAILED: HookError: views.yaml:9:5: hook shop.hooks:shout raised KeyError: 'text'"
    )
