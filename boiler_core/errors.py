"""Exceptions raised by boiler.

Every exception boiler raises on purpose derives from :class:`BoilerError`::

    BoilerError
    +-- ManifestError          views.yaml is invalid (carries every problem found)
    +-- SeedError              a seed file is invalid (carries every problem found)
    +-- StoryError             a demo story file is invalid (carries every problem found)
    +-- ComputeError           a view document could not be computed from its root document
    |   +-- HookError          a hook named in views.yaml cannot be imported, or raised
    +-- StoreError             the document store refused an operation
    |   +-- ContentionError    a transaction kept conflicting and boiler gave up
    |   +-- Rejected           the database rejected what it was asked as invalid (the data's fault)
    +-- Unfinished             views of an event were not brought up to date (what a retry redoes)
    +-- NotQueued              a trigger could not hand its unfinished event to the retry function
    +-- GenerateError          generated files could not be written or are stale
    +-- CheckpointError        a backfill checkpoint is unreadable or belongs to another run
    +-- EmulatorInDeployment   a deployed function's environment names an emulator
    +-- Refused                a mutation handler refuses a request (answered as 4xx)
        +-- NotFound           the document the request names does not exist (404)
        +-- Conflict           the request conflicts with the current state (409)
        +-- ApiError           the HTTP layer answers a 4xx/503 (boiler_core.http.api_error)
"""

from __future__ import annotations

from dataclasses import dataclass


class BoilerError(Exception):
    """Root of every error boiler raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem in a file boiler reads (views.yaml, a seed file), located at ``file:line:col``
    (1-based)."""

    file: str
    line: int
    column: int
    message: str
    """What is wrong, naming the offending value."""
    hint: str | None = None
    """How to fix it (a did-you-mean, an example), if boiler knows one."""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: error: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class ManifestError(BoilerError):
    """Raised when views.yaml is invalid; :attr:`problems` lists every problem found, in order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class SeedError(BoilerError):
    """Raised when a seed file (documents to write, ``boiler dev --seed``) is invalid;
    :attr:`problems` lists every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class StoryError(BoilerError):
    """Raised when a story file (what ``boiler demo`` plays, ``demo.yaml``) is invalid, or a seed
    file it names; :attr:`problems` lists every problem found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.column, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class ComputeError(BoilerError):
    """Raised when the documents of a view cannot be computed for one root document (bad domain
    data the computation cannot take, such as a value of a type nothing expects there).

    The message is one line a user can act on: where, what failed, and on which document.
    """

    def __init__(
        self, message: str, *, view: str | None = None, document: str | None = None
    ) -> None:
        super().__init__(message)
        self.view = view
        """The view whose documents were being computed, when known."""
        self.document = document
        """Path of the root document whose view documents failed, when known."""


class HookError(ComputeError):
    """Raised when a hook named in views.yaml cannot be imported, or raises while a view
    document is computed; the message starts with where views.yaml declares the hook."""


class StoreError(BoilerError):
    """Raised when the document store refuses an operation."""


class ContentionError(StoreError):
    """Raised when a transaction still conflicts after the bounded number of retries.

    The store raises it without context; the engine re-raises it naming what it gave up on:
    :attr:`view`, :attr:`roots` and :attr:`attempts` (left for ``boiler verify --repair``).
    """

    def __init__(
        self,
        message: str,
        *,
        view: str | None = None,
        roots: tuple[str, ...] = (),
        attempts: int | None = None,
    ) -> None:
        super().__init__(message)
        self.view = view
        """The view whose recompute gave up, when the engine knows it."""
        self.roots = roots
        """Ids of the root documents that were left unrecomputed."""
        self.attempts = attempts
        """Transaction attempts made before giving up."""


class Rejected(StoreError):
    """Raised when the database rejects a transaction as invalid: a value it cannot store (a
    list directly in a list, a document over its size limit). The data written is at fault, not
    the database; the engine names the root document it was computing (:class:`ComputeError`)."""


class Unfinished(BoilerError):
    """Raised by :meth:`Engine.handle <boiler_core.engine.engine.Engine.handle>` when views of
    an event were not brought up to date for a reason a retry may remove: contention, a store
    that failed or could not be reached. The other views of the event were.

    A retry redoes exactly :attr:`views`: ``engine.handle(change, views=error.views)``. The
    first view's error is the ``__cause__``. Roots that cannot be computed or stored do not
    raise it: they fail alone and are reported in the cost (a retry would fail them again).
    """

    def __init__(
        self, message: str, *, views: tuple[str, ...], errors: dict[str, Exception]
    ) -> None:
        super().__init__(message)
        self.views = views
        """The views to handle again, in manifest order."""
        self.errors = errors
        """Each of those views' error."""


class NotQueued(BoilerError):
    """Raised by a generated trigger when it cannot hand an event it left unfinished to the
    retry function (Cloud Tasks refused or could not be reached, or the event is too large to
    carry). The message says why (the ``__cause__`` is the underlying error, when there is one);
    the event was recorded for the backstop when that was possible (its ERROR line says
    whether)."""


class CheckpointError(BoilerError):
    """Raised when a backfill checkpoint cannot be read, or does not belong to the run that was
    asked to resume from it."""


class EmulatorInDeployment(BoilerError):
    """Raised when a deployed function's environment sets an emulator variable
    (``FIREBASE_AUTH_EMULATOR_HOST``, ``FIRESTORE_EMULATOR_HOST``, ...): the function refuses to
    serve rather than accept unsigned tokens or use an emulator (:mod:`boiler_core.deployment`).
    The message names the variables and how to remove them."""


class GenerateError(BoilerError):
    """Raised when generated files cannot be produced (or, with ``--check``, are stale)."""


class Refused(BoilerError):
    """Raised by a mutation handler to refuse a request; the HTTP layer answers :attr:`status`.

    The message is shown to the client, so it must not contain internal details.
    """

    status = 422


class NotFound(Refused):
    """Raised when the document a request names does not exist."""

    status = 404


class Conflict(Refused):
    """Raised when a request conflicts with the current state (e.g. closing a closed meeting)."""

    status = 409
