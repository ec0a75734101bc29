"""The story ``boiler demo`` plays: domain writes step by step, and what a view must show after.

A :class:`Story` is read from a story file (``demo.yaml``, see :mod:`.story_file`): the view
document to watch, as a front end would, and the steps. Each :class:`Step` has a title in words,
its writes (a seed file's documents, sets, updates, deletes), what the watched document must
reach (:attr:`Step.expect`), and checks of other documents once the triggers are quiet. Nothing
here does I/O: the CLI plays the story on the emulator.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from boiler_core.documents import Ref

WriteKind = Literal["set", "update", "delete"]

Document = Mapping[str, Any] | None
"""A document's fields as read, or None when it does not exist."""


@dataclass(frozen=True)
class Write:
    """One domain write."""

    kind: WriteKind
    """``set`` (the whole document), ``update`` (the given fields) or ``delete``."""

    path: str
    data: Mapping[str, Any] = field(default_factory=dict)
    """The fields to set or update (store-neutral values: :class:`~boiler_core.documents.Ref`,
    datetimes)."""

    def describe(self) -> str:
        """``update tickets/t1 {attendance: false}`` (what the console shows)."""
        if self.kind == "delete":
            return f"delete {self.path}"
        shown = ", ".join(f"{key}: {show(value)}" for key, value in self.data.items())
        return f"{self.kind} {self.path} {{{shown}}}"


@dataclass(frozen=True)
class Expectation:
    """What one document must show: absent, some fields' values, or (``same_as_watched``) the
    watched document's declared fields."""

    path: str
    deleted: bool = False
    fields: Mapping[str, Any] = field(default_factory=dict)
    """Values of the fields listed (other fields may hold anything)."""
    same_as_watched: bool = False

    def differences(
        self, document: Document, watched: Document = None, compared: tuple[str, ...] = ()
    ) -> list[str]:
        """Why ``document`` does not meet this expectation (empty when it does). ``watched`` and
        ``compared`` (the fields compared) serve ``same_as_watched``."""
        if self.deleted:
            return [] if document is None else [f"{self.path} exists"]
        if document is None:
            return [f"{self.path} does not exist"]
        wanted = dict(self.fields)
        if self.same_as_watched:
            wanted = {name: (watched or {}).get(name) for name in compared}
        return [
            f"{self.path} has {name}: {show(document.get(name))}, not {show(value)}"
            for name, value in wanted.items()
            if document.get(name) != value
        ]

    def describe(self) -> str:
        """The expectation in words (the console's ``check:`` and ``ok:`` lines)."""
        if self.deleted:
            return f"{self.path} is deleted"
        if self.same_as_watched:
            return f"{self.path} equals the watched document in the view's fields"
        shown = ", ".join(f"{name}: {show(value)}" for name, value in self.fields.items())
        return f"{self.path} has {shown}"


@dataclass(frozen=True)
class Step:
    """One step of the story."""

    title: str
    """What happens, in words."""

    writes: tuple[Write, ...]
    """The domain writes, in order (committed as one batch per 500)."""

    seed: str | None = None
    """The seed file whose documents are the step's first writes, as the story names it."""

    seeded: int = 0
    """How many of the writes come from the seed file (the first ones)."""

    expect: Expectation | None = None
    """What the watched document must reach; None: whatever the writes lead to, once quiet."""

    checks: tuple[Expectation, ...] = ()
    """Other documents to check once the triggers are quiet."""

    note: str | None = None
    """Something a reader should know about the step."""

    def describe_writes(self) -> list[str]:
        """The step's writes, one line each (a seed file's documents as one line)."""
        lines = []
        if self.seed is not None:
            paths = ", ".join(w.path for w in self.writes[: self.seeded])
            lines.append(f"the {self.seeded} documents of {self.seed}: {paths}")
        lines.extend(w.describe() for w in self.writes[self.seeded :])
        return lines


@dataclass(frozen=True)
class Story:
    """What ``boiler demo`` plays."""

    file: str
    """The story file, as messages name it."""

    watch: str
    """Path of the view document the demo follows."""

    view: str
    """The view it belongs to."""

    fields: tuple[str, ...]
    """The view's declared fields, in views.yaml order (what is shown by default)."""

    steps: tuple[Step, ...]

    @property
    def seeds(self) -> tuple[Write, ...]:
        """The writes of every seeded file (what ``--stay`` writes again)."""
        return tuple(w for step in self.steps for w in step.writes[: step.seeded])


def show(value: Any) -> str:
    """A value as the console shows it: compact JSON (references and times as text)."""
    return json.dumps(_plain(value), default=str, ensure_ascii=False, sort_keys=True)


def _plain(value: Any) -> Any:
    if isinstance(value, Ref):
        return f"!ref {value.path}"
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
