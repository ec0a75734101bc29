"""Checking ``project.requirements``: the app's own packages, for its hooks and schemas.

Each entry is one requirement as pip reads it in a requirements file (``requests>=2.31``,
``python-dateutil==2.9.0.post0``, ``mylib[extra]; python_version >= "3.12"``). ``boiler
generate`` writes them into ``functions/requirements.txt`` after boiler's own lines, so they
survive regeneration and every change to them rebuilds the deploy venv. Options (``--index-url``,
``-e``, ...) are refused: the generated file decides where boiler comes from, and an app's line
must not change that. boiler-core itself is refused too: the file pins the boiler that generated it.
"""

from __future__ import annotations

import re

import yaml

from boiler_core.manifest.reader import Reader

_NAME = re.compile(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])(?=$|[\s\[<>=!~;@(])")
"""A distribution name at the start of a requirement (PEP 508)."""


def read_requirements(reader: Reader, node: yaml.Node) -> tuple[str, ...] | None:
    """The checked lines of ``project.requirements``; None (with problems recorded) if invalid."""
    problems = len(reader.problems)
    listed = reader.strings(node, "project.requirements")
    if listed is None:
        return None
    seen: dict[str, str] = {}
    for line, item in listed:
        what = f"requirement '{line}' in project.requirements"
        match = _NAME.match(line.strip())
        if line.strip().startswith("-"):
            reader.error(
                item,
                f"{what} is a pip option",
                "list packages only (name and version); the generated requirements.txt decides "
                "where packages come from",
            )
        elif "\n" in line or "#" in line:
            reader.error(item, f"{what} must be one requirement on one line, without a comment")
        elif match is None:
            reader.error(
                item,
                f"{what} does not start with a package name",
                "write it as pip does, e.g. requests>=2.31",
            )
        else:
            name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
            if name == "boiler-core":
                reader.error(
                    item,
                    f"{what} names boiler itself",
                    "remove it: requirements.txt pins the boiler that generated it",
                )
            elif name in seen:
                reader.error(item, f"{what} names {name} again (also '{seen[name]}')")
            seen[name] = line
    if len(reader.problems) != problems:
        return None
    return tuple(line.strip() for line, _ in listed)
