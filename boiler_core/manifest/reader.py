"""Reading YAML nodes with their positions, collecting problems instead of stopping at the first.

The loader walks the composed YAML tree (not plain Python values) so every problem can point at
``file:line:col``. A :class:`Reader` hands out typed values and records a :class:`Problem` when a
node has the wrong type or an unknown key; callers get ``None`` back and carry on, so one run
reports everything.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import Any

import yaml

from boiler_core.errors import Problem
from boiler_core.manifest.model import Location

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"

_KIND_NAMES = {
    _STR: "a string",
    _INT: "an integer",
    _FLOAT: "a number",
    _BOOL: "a boolean",
    _NULL: "null",
}


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """Return ``did you mean 'x'?`` for the closest choice, or None."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def describe(node: yaml.Node) -> str:
    """Name the kind of a node for error messages ("a list", "an integer")."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return _KIND_NAMES.get(node.tag, "a value")


class Reader:
    """Collects problems for one views.yaml file while typed values are read from its nodes."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def location(self, node: yaml.Node) -> Location:
        """Where ``node`` starts in this file."""
        return Location(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def error(self, node: yaml.Node | None, message: str, hint: str | None = None) -> None:
        """Record a problem at ``node`` (at the top of the file when node is None)."""
        line, column = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)
        self.problems.append(Problem(self.file, line, column, message, hint))

    # -- typed accessors -------------------------------------------------------------------------

    def mapping(
        self,
        node: yaml.Node,
        what: str,
        allowed: Iterable[str],
        required: Iterable[str] = (),
    ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        """Return ``{key: (key_node, value_node)}`` after checking keys; None if not a mapping."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping, not {describe(node)}")
            return None
        allowed = tuple(allowed)
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node, what)
            if key is None:
                continue
            if key in result:
                self.error(key_node, f"duplicate key '{key}' in {what}", "remove one of them")
                continue
            if key not in allowed:
                hint = did_you_mean(key, allowed) or f"allowed keys: {', '.join(sorted(allowed))}"
                self.error(key_node, f"unknown key '{key}' in {what}", hint)
                continue
            result[key] = (key_node, value_node)
        for key in required:
            if key not in result:
                self.error(node, f"{what} is missing required key '{key}'")
        return result

    def entries(self, node: yaml.Node, what: str) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
        """Yield ``(name, key_node, value_node)`` of a mapping whose keys are user-chosen names."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping of names, not {describe(node)}")
            return
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = self.key(key_node, what)
            if key is None:
                continue
            if key in seen:
                self.error(key_node, f"duplicate name '{key}' in {what}", "names must be unique")
                continue
            seen.add(key)
            yield key, key_node, value_node

    def key(self, node: yaml.Node, what: str) -> str | None:
        """Return a mapping key, which must be a plain string."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR:
            return str(node.value)
        self.error(node, f"keys of {what} must be strings, not {describe(node)}")
        return None

    def string(self, node: yaml.Node, what: str) -> str | None:
        """Return a non-empty string scalar."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR and node.value.strip():
            return str(node.value)
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR:
            self.error(node, f"{what} must not be empty")
            return None
        self.error(node, f"{what} must be a string, not {describe(node)}")
        return None

    def choice(self, node: yaml.Node, what: str, choices: Iterable[str]) -> str | None:
        """Return a string that must be one of ``choices``."""
        value = self.string(node, what)
        choices = tuple(choices)
        if value is not None and value not in choices:
            hint = did_you_mean(value, choices) or f"one of: {', '.join(choices)}"
            self.error(node, f"{what} '{value}' is not allowed", hint)
            return None
        return value

    def boolean(self, node: yaml.Node, what: str) -> bool | None:
        """Return a boolean scalar (``true`` or ``false``)."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
            return bool(yaml.safe_load(node.value))
        self.error(node, f"{what} must be true or false, not {describe(node)}")
        return None

    def integer(self, node: yaml.Node, what: str, minimum: int = 0) -> int | None:
        """Return an integer scalar at least ``minimum``."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _INT:
            value = int(yaml.safe_load(node.value))
            if value >= minimum:
                return value
            self.error(node, f"{what} must be at least {minimum}, not {value}")
            return None
        self.error(node, f"{what} must be an integer, not {describe(node)}")
        return None

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node] | None:
        """Return the items of a list node."""
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        self.error(node, f"{what} must be a list, not {describe(node)}")
        return None

    def strings(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node]] | None:
        """Return ``(value, node)`` for a list of strings (one string counts as a list of one)."""
        if isinstance(node, yaml.ScalarNode):
            value = self.string(node, what)
            return None if value is None else [(value, node)]
        items = self.sequence(node, what)
        if items is None:
            return None
        out = []
        for item in items:
            value = self.string(item, f"each item of {what}")
            if value is not None:
                out.append((value, item))
        return out


def scalar_value(node: yaml.Node) -> Any:
    """The Python value of a scalar, list or mapping node (for constants such as ``equals``)."""
    return yaml.safe_load(yaml.serialize(node))
