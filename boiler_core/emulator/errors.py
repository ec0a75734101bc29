"""Errors of the local runtime: the Firestore emulator and the trigger dispatcher.

They derive from :class:`~boiler_core.errors.BoilerError`::

    BoilerError
    +-- LocalRuntimeError          the local runtime could not do what was asked
        +-- EmulatorNotFound       no usable Firestore emulator on this machine (CLI exit code 2)
        +-- EmulatorFailed         the emulator did not start, answer in time, or stop
            +-- PortInUse          its port was taken between choosing it and binding it
        +-- EmulatorRequestFailed  an emulator endpoint refused or failed a request
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


class EmulatorRequestFailed(LocalRuntimeError):
    """Raised when an emulator endpoint (reset, trigger registration, rules) answers an error
    or cannot be reached; :attr:`status` is the HTTP status (None when there was no answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class DispatcherFailed(LocalRuntimeError):
    """Raised when the trigger dispatcher cannot load ``functions/main.py``, does not report ready,
    or exits while in use; the message quotes its output."""
