"""A guard that boiler's own tests never read the repository's top-level app.

The repository root holds the meeting-room app (``views.yaml``, ``functions/``, ``seed.yaml``,
``demo.yaml`` and the generated ``firestore.rules`` and ``firestore.indexes.json``); a user edits
it. The library's tests use their own copy (``tests/apps/meeting_room``), so an edit there
cannot break them. The guard is a Python audit hook (:func:`sys.addaudithook`) that sees every
file the test process opens or lists, imports included, and every subprocess it starts: a root
app file, or a subprocess pointed at one, raises :class:`RootAppRead` at that spot and is
recorded so the test fails even when the code in between swallows the error.
``tests/conftest.py`` installs :data:`GUARD`; tests of the root app itself (under ``tests/app/``,
or marked ``root_app``) run with it paused.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
APP_FILES = (
    "views.yaml",
    "functions",
    "firestore.rules",
    "firestore.indexes.json",
    "seed.yaml",
    "demo.yaml",
)
"""The root app's files, relative to the repository root (a folder covers everything in it)."""
WATCHED = frozenset({"open", "os.listdir", "os.scandir", "subprocess.Popen"})
"""The audit events the guard looks at (all others return at once)."""
NO_APP_COMMANDS = ("emulator-path",)
"""``boiler`` commands that read no views.yaml."""
HOW_TO_FIX = (
    "boiler's own tests use their copy of the app: tests/support/meeting_room_app.py "
    "(VIEWS_YAML, FUNCTIONS_DIR, generated_project)"
)


class RootAppRead(AssertionError):
    """A test read the repository's top-level app."""


class RootAppGuard:
    """The audit hook: off until :meth:`activate`; offences are kept until :meth:`take`."""

    def __init__(self, root: Path = ROOT) -> None:
        self.root = str(root)
        self.guarded = tuple(str(root / name) for name in APP_FILES)
        self.active = False
        self._offences: list[str] = []
        self._lock = threading.Lock()

    def install(self) -> None:
        sys.addaudithook(self)

    def activate(self, active: bool) -> None:
        self.active = active

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No checks inside the block (for a test that reads the root app on purpose)."""
        before, self.active = self.active, False
        try:
            yield
        finally:
            self.active = before

    def take(self) -> list[str]:
        """The offences seen since the last call, forgotten."""
        with self._lock:
            taken, self._offences = self._offences, []
        return taken

    def is_root_app(self, full: str) -> bool:
        """Whether ``full`` (an absolute, normalized path) is a root app file."""
        return any(full == g or full.startswith(g + os.sep) for g in self.guarded)

    def offence(self, event: str, args: tuple[Any, ...]) -> str | None:
        """What is wrong with audit event ``event``, or None."""
        if event in ("open", "os.listdir", "os.scandir") and args:
            path = _text(args[0])
            # os.open (mode None) may be relative to a dir_fd the event does not carry
            relative_to_fd = event == "open" and len(args) > 1 and args[1] is None
            if path is None or (relative_to_fd and not os.path.isabs(path)):
                return None
            full = _absolute(path)
            if self.is_root_app(full):
                return f"{event} {full}"
        elif event == "subprocess.Popen" and len(args) >= 3:
            return self.subprocess_offence(args[1], args[2])
        return None

    def subprocess_offence(self, argv: Any, cwd: Any) -> str | None:
        """A subprocess started in the root app, or given a root app path, or a ``boiler``
        command started at the repository root without ``-f`` (so reading the root views.yaml)."""
        words = [_text(a) for a in (argv if isinstance(argv, Sequence) else [argv])]
        folder = _text(cwd) if cwd is not None else os.getcwd()
        command = " ".join(w for w in words if w is not None)
        if folder is not None:
            folder = _absolute(folder)
            if self.is_root_app(folder):
                return f"subprocess in {folder}: {command}"
            if folder == self.root and _reads_default_views_yaml(words):
                return f"subprocess `boiler` at the repository root: {command}"
        for word in words:
            if word is not None and any(g in word for g in self.guarded):
                return f"subprocess given a root app path: {command}"
        return None

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if event not in WATCHED or not self.active:
            return
        problem = self.offence(event, args)
        if problem is None:
            return
        with self._lock:
            self._offences.append(problem)
        raise RootAppRead(f"a library test read the root app ({problem}); {HOW_TO_FIX}")


GUARD = RootAppGuard()
"""The guard of the test session (installed by ``tests/conftest.py``)."""


def _reads_default_views_yaml(words: list[str | None]) -> bool:
    """Whether ``words`` run a ``boiler`` command that reads ``./views.yaml`` by default."""
    if not words or os.path.basename(words[0] or "") != "boiler":
        return False
    rest = [w for w in words[1:] if w is not None]
    if not rest or rest[0] in NO_APP_COMMANDS:
        return False
    return not {"-f", "--file", "--help", "--version"} & set(rest)


def _absolute(path: str) -> str:
    """``path`` made absolute from the working folder, normalized."""
    return os.path.normpath(os.path.join(os.getcwd(), path))


def _text(value: Any) -> str | None:
    if isinstance(value, str | bytes | os.PathLike):
        try:
            return os.fsdecode(value)
        except TypeError:
            return None
    return None
