"""Errors of the local runtime: the Firestore emulator and the trigger dispatcher.

They derive from :class:`~boiler_core.errors.BoilerError`::

    BoilerError
    +-- LocalRuntimeError          the local runtime could not do what was asked
        +-- EmulatorNotFound       no usable Firestore emulator on this machine (CLI exit code 2)
        +-- EmulatorFailed         the emulator did not start, answer in time, or stop
            +-- PortInUse          its port was taken between choosing it and binding it
        +-- PortTaken              a fixed port (firebase.json) is in use before anything starts
        +-- EmulatorRequestFailed  an emulator endpoint refused or failed a request
        +-- EmulatorDataError      an export to import is missing or unreadable, or unwritable
        +-- DispatcherFailed       the trigger dispatcher did not start, or died
"""

from __future__ import annotations

from boiler_core.errors import BoilerError


class LocalRuntimeError(BoilerError):
    """Root of the local runtime's errors; its message says what failed and how to fix it."""


class EmulatorNotFound(LocalRuntimeError):
    """Raised when no Firestore emulator (or no Java to run it) is found; the message names the
    places searched and the install commands."""


class EmulatorFailed(LocalRuntimeError):
    """Raised when the emulator exits early, does not answer before the deadline, or cannot be
    stopped; the message quotes the end of its log."""


class PortInUse(EmulatorFailed):
    """Raised when the emulator exits while starting because another process bound its port
    first (a free port is chosen, then bound by the child: something may take it in between)."""


class PortTaken(LocalRuntimeError):
    """Raised before anything starts when a fixed port (from firebase.json, or Firebase's default)
    is in use; the message names the port, the process holding it when known, and how to change
    it. :attr:`port` is the number."""

    def __init__(self, message: str, port: int) -> None:
        super().__init__(message)
        self.port = port


class EmulatorRequestFailed(LocalRuntimeError):
    """Raised when an emulator endpoint (reset, trigger registration, rules) answers an error
    or cannot be reached; :attr:`status` is the HTTP status (None when there was no answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class EmulatorDataError(LocalRuntimeError):
    """Raised when a folder to import emulator data from holds no export, or an export cannot be
    written; the message names the folder and what was expected there."""


class DispatcherFailed(LocalRuntimeError):
    """Raised when the trigger dispatcher cannot load ``functions/main.py``, does not report ready,
    or exits while in use; the message quotes its output. :attr:`reason` is the failure in one
    line (``SyntaxError: ...``) and :attr:`location` ``(file, line, column)`` of the code that
    failed to load, when known."""

    def __init__(
        self,
        message: str,
        location: tuple[str, int, int] | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.location = location
        self.reason = reason or message.splitlines()[0]
