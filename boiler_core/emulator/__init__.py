"""The official Cloud Firestore emulator: finding it, running it, and its admin endpoints.

This package manages processes and talks HTTP; it never reads or writes ``os.environ`` itself:
callers pass the environment to search and the environment of the child process.
"""

from boiler_core.emulator.admin import EmulatorAdmin
from boiler_core.emulator.discovery import EmulatorBinary, find_emulator
from boiler_core.emulator.errors import (
    DispatcherFailed,
    EmulatorDataError,
    EmulatorFailed,
    EmulatorNotFound,
    EmulatorRequestFailed,
    LocalRuntimeError,
    PortInUse,
    PortTaken,
)
from boiler_core.emulator.firestore import FirestoreEmulator
from boiler_core.emulator.polling import WaitTimeout, wait_for

__all__ = [
    "DispatcherFailed",
    "EmulatorAdmin",
    "EmulatorBinary",
    "EmulatorDataError",
    "EmulatorFailed",
    "EmulatorNotFound",
    "EmulatorRequestFailed",
    "FirestoreEmulator",
    "LocalRuntimeError",
    "PortInUse",
    "PortTaken",
    "WaitTimeout",
    "find_emulator",
    "wait_for",
]
