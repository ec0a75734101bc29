"""A small task-board app written into a folder, for tests of the app-test machinery."""

from __future__ import annotations

import itertools
from pathlib import Path

from boiler_core.testing.app import App

_names = itertools.count()

VIEWS = """\
version: 1
project: {{emulator_project_id: demo-tasks}}
collections:
  users: {{path: "users/{{user}}", schema: "{package}.schemas:UserSchema"}}
  tasks: {{path: "tasks/{{task}}", schema: "{package}.schemas:TaskSchema"}}
views:
  boards:
    path: "boards/{{user}}"
    root: users
    joins:
      tasks: {{collection: tasks, query: owner}}
    fields:
      name: name
      open: {{count: tasks, where: {{done: false}}}}
      titles: {{list: tasks, sort: [title, $id], item: title}}
      summary: {{hook: "{package}.hooks:summary", reads: [{reads}]}}
"""

SCHEMAS = """\
from marshmallow import Schema, fields, validate
from boiler_core import Reference

class UserSchema(Schema):
    name = fields.String(required=True)

class TaskSchema(Schema):
    owner = Reference("users", required=True)
    title = fields.String(required=True)
    done = fields.Boolean(load_default=False)
    size = fields.String(validate=validate.OneOf(["s", "m", "l"]))
"""

HOOKS = """\
def summary(sources):
    large = sum(1 for task in sources.many("tasks") if task.get("size") == "l")
    return f"{large} of {len(sources.many('tasks'))} large"
"""


def make_app(root: Path, *, reads: str = "tasks.size") -> App:
    """A small app in ``root`` whose package name is unique in this process."""
    package = f"tasks_app_{next(_names)}"
    folder = root / "functions" / package
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "schemas.py").write_text(SCHEMAS)
    (folder / "hooks.py").write_text(HOOKS)
    (root / "views.yaml").write_text(VIEWS.format(package=package, reads=reads))
    return App(root / "views.yaml")
