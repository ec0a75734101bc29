"""Golden files: what ``boiler generate`` writes for the library test app, and its properties.

The app (tests/unit/data/library) uses every part of views.yaml that codegen renders: dashed
collection ids, a view feeding another view, every join and field kind, copies, every policy kind
and a rule full of quotes and backslashes. Its expected outputs live in tests/unit/golden/ at the
paths :func:`~boiler_core.codegen.render_all` gives them. After an intended change to generated
code, refresh them and review the diff like any other change:

    BOILER_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/test_codegen_golden.py
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from meeting_room_app import VIEWS_YAML

from boiler_core.codegen import render_all
from boiler_core.codegen.main_py import HTTP_FUNCTION
from boiler_core.codegen.names import FUNCTION_ID
from boiler_core.manifest import Manifest, load_manifest, load_manifest_text
from boiler_core.retry import BACKSTOP_FUNCTION, RETRY_FUNCTION

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
APP = HERE / "data" / "library"
GOLDEN = HERE / "golden"
UPDATE = os.environ.get("BOILER_UPDATE_GOLDEN") == "1"
RUFF = Path(sys.executable).with_name("ruff")


@pytest.fixture(scope="module")
def library() -> Manifest:
    return load_manifest(APP / "views.yaml")


@pytest.fixture(scope="module")
def rendered(library: Manifest) -> dict[str, str]:
    return render_all(library)


def test_rendered_files_match_the_golden_files(rendered: dict[str, str]) -> None:
    if UPDATE:
        for relative, content in rendered.items():
            (GOLDEN / relative).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / relative).write_text(content, encoding="utf-8")
    for relative, content in rendered.items():
        expected = (GOLDEN / relative).read_text(encoding="utf-8")
        assert content == expected, f"{relative} differs from its golden file (see module doc)"


def test_golden_directory_holds_exactly_the_rendered_files(rendered: dict[str, str]) -> None:
    present = {
        p.relative_to(GOLDEN).as_posix()
        for p in GOLDEN.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert present == set(rendered)


def test_rendering_is_deterministic_across_loads_and_calls(library: Manifest) -> None:
    again = load_manifest(APP / "views.yaml")
    assert render_all(library) == render_all(library) == render_all(again)


def test_main_py_embeds_the_manifest_with_its_own_folder_as_functions_dir(
    library: Manifest, rendered: dict[str, str]
) -> None:
    embedded = _manifest_literal(rendered["functions/main.py"])
    loaded = load_manifest_text(embedded, base_dir=APP / "functions")
    assert loaded == replace(library, project=replace(library.project, functions_dir="."))


def test_main_py_defines_one_valid_trigger_per_source_collection(
    library: Manifest, rendered: dict[str, str]
) -> None:
    module = ast.parse(rendered["functions/main.py"])
    functions = [node for node in module.body if isinstance(node, ast.FunctionDef)]
    others = {HTTP_FUNCTION, RETRY_FUNCTION, BACKSTOP_FUNCTION}
    triggers = [f for f in functions if f.name not in others]
    assert len(triggers) == len(library.source_collections()) == 6
    assert all(FUNCTION_ID.match(f.name) for f in functions)
    assert "on_book_loans_written" in {f.name for f in triggers}


def test_main_py_defines_the_http_retry_and_backstop_functions_after_the_triggers(
    rendered: dict[str, str],
) -> None:
    module = ast.parse(rendered["functions/main.py"])
    functions = [node for node in module.body if isinstance(node, ast.FunctionDef)]
    last = [f.name for f in functions[-3:]]
    assert last == [HTTP_FUNCTION, RETRY_FUNCTION, BACKSTOP_FUNCTION]
    assert [f.name for f in functions].count(HTTP_FUNCTION) == 1
    decorators = [ast.unparse(f.decorator_list[0]).split("(")[0] for f in functions[-3:]]
    assert decorators == [
        "https_fn.on_request",
        "tasks_fn.on_task_dispatched",
        "scheduler_fn.on_schedule",
    ]


def test_without_retry_and_backstop_main_py_has_neither_nor_their_imports(
    library: Manifest,
) -> None:
    project = replace(library.project, retry=None, backstop=None)
    text = render_all(replace(library, project=project))["functions/main.py"]
    names = [n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)]
    assert names[-1] == HTTP_FUNCTION
    assert RETRY_FUNCTION not in names
    assert BACKSTOP_FUNCTION not in names
    assert "tasks_fn" not in text
    assert "scheduler_fn" not in text
    assert "from firebase_functions import firestore_fn, https_fn\n" in text
    _ruff_clean(text)


def test_main_py_starts_with_the_header_and_has_no_timestamp(rendered: dict[str, str]) -> None:
    text = rendered["functions/main.py"]
    assert text.splitlines()[0] == "# generated from views.yaml by boiler; do not edit."
    assert rendered["functions/requirements.txt"].startswith(text.splitlines()[0] + "\n")
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}", text)


@pytest.mark.parametrize("source", ["library", "meeting_room"])
def test_generated_main_py_is_ruff_clean(source: str, rendered: dict[str, str]) -> None:
    text = rendered["functions/main.py"]
    if source == "meeting_room":
        text = render_all(load_manifest(VIEWS_YAML))["functions/main.py"]
    _ruff_clean(text)


def _ruff_clean(text: str) -> None:
    for args in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        result = subprocess.run(
            [str(RUFF), *args, "--stdin-filename", "functions/main.py", "-"],
            input=text,
            capture_output=True,
            text=True,
            cwd=REPO,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def _manifest_literal(main_py: str) -> str:
    for node in ast.parse(main_py).body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "MANIFEST":
            value = ast.literal_eval(node.value)
            assert isinstance(value, str)
            return value
    raise AssertionError("main.py has no MANIFEST")
