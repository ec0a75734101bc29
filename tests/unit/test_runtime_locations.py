"""Errors of the generated functions name the place in the app's own views.yaml when it is there.

``main.py`` carries a canonical copy of views.yaml, whose lines are not the user's. When the
folder above the functions folder holds the views.yaml that declares the same manifest (as in
``boiler dev`` and the tests), a hook's location is taken from it; otherwise, as deployed, the
embedded copy's location stays.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from boiler_core.codegen.embed import manifest_text
from boiler_core.functions_runtime import Triggers
from boiler_core.manifest import load_manifest
from boiler_core.manifest.model import HookField

VIEWS = """\
# a comment and a description: the embedded copy has neither, so its lines differ
version: 1
collections:
  posts: {path: "posts/{post}"}
views:
  summaries:
    description: A post as JSON.
    path: "summaries/{post}"
    root: posts
    fields:
      title: title
      dump: {hook: "json:dumps"}
"""


def embedded(base: Path) -> str:
    """The manifest text ``boiler generate`` puts into main.py."""
    return manifest_text(load_manifest(base / "views.yaml"))


def hook_location(base: Path, text: str) -> str:
    """Where the running functions place the hook of field ``dump``."""
    triggers = Triggers(text, base_dir=base / "functions")
    spec = dict(triggers.manifest.views["summaries"].fields)["dump"]
    assert isinstance(spec, HookField)
    return str(spec.location)


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / "functions").mkdir()
    (tmp_path / "views.yaml").write_text(VIEWS)
    return tmp_path


def test_the_hook_is_placed_in_the_apps_views_yaml_when_it_declares_the_same(app: Path) -> None:
    assert hook_location(app, embedded(app)) == "views.yaml:12:20"


def test_an_edited_views_yaml_leaves_the_embedded_copys_places(app: Path) -> None:
    text = embedded(app)
    (app / "views.yaml").write_text(VIEWS.replace("title: title", "heading: title"))
    assert hook_location(app, text).startswith("views.yaml (embedded in main.py):")


def test_without_views_yaml_as_deployed_the_embedded_copys_places_stay(app: Path) -> None:
    text = embedded(app)
    (app / "views.yaml").unlink()
    assert hook_location(app, text).startswith("views.yaml (embedded in main.py):")
