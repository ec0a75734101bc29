"""docs/internals/event-path.md draws the chain of calls one event runs through: every function
it names exists, and each level is called by the level above it (its name appears in that
function's source)."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap
from pathlib import Path
from typing import Any

from meeting_room_app import VIEWS_YAML

from boiler_core.codegen.main_py import render_main_py
from boiler_core.manifest import load_manifest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "internals" / "event-path.md"
GENERATED = "functions/main.py"


def levels() -> list[tuple[int, str, str, str]]:
    """``(level, module, qualified name, name it is called by)`` of each line of the path."""
    text = PAGE.read_text(encoding="utf-8")
    drawn = text.split("<!-- path: begin -->", 1)[1].split("<!-- path: end -->", 1)[0]
    found = re.findall(r"^\s*(\d+)\s+(\S+?):(\S+)(.*)$", drawn, flags=re.MULTILINE)
    out = []
    for level, module, name, note in found:
        alias = re.search(r"called as `(\w+)`", note)
        out.append((int(level), module, name, alias[1] if alias else name.rsplit(".", 1)[-1]))
    return out


def source_of(module: str, qualified: str) -> str:
    """The source of the function ``qualified`` names in ``module`` (a ``<locals>`` part: the
    nested function's, found in its parent's source)."""
    if module == GENERATED:
        tree = ast.parse(render_main_py(load_manifest(VIEWS_YAML)))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == qualified:
                return ast.unparse(node)
        raise AssertionError(f"the generated main.py defines no {qualified}")
    outer, _, inner = qualified.partition(".<locals>.")
    target: Any = importlib.import_module(module)
    for part in outer.split("."):
        assert hasattr(target, part), f"{module}:{outer} does not exist"
        target = getattr(target, part)
    source = textwrap.dedent(inspect.getsource(target))
    if not inner:
        return source
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == inner:
            return ast.unparse(node)
    raise AssertionError(f"{module}:{outer} defines no function {inner}")


def test_the_drawn_path_exists_and_each_level_calls_the_next() -> None:
    drawn = levels()
    assert [level for level, _, _, _ in drawn] == list(range(1, len(drawn) + 1))
    sources = [source_of(module, name) for _, module, name, _ in drawn]
    for (_, _, name, called), above in zip(drawn[1:], sources, strict=False):
        assert re.search(rf"\b{re.escape(called)}\(", above), f"{name}: no call of {called} above"
