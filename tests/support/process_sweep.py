"""Finding and stopping every process one run started, and no other.

``firebase emulators:exec`` leaves functions-framework workers running when it exits, and starts
some children in process groups of their own, so stopping its process group is not enough. The
e2e runner gives the CLI a unique environment variable (a *mark*); every process it spawns
inherits it (firebase-tools passes its own environment on). :func:`marked` lists the live
processes carrying the mark, read from ``/proc/PID/environ`` (Linux); :func:`stop_marked` stops
them by PID: ``SIGTERM``, a grace period, then ``SIGKILL``. Processes without the mark are never
signalled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

PROC = Path("/proc")


def marked(name: str, value: str, *, proc: Path = PROC) -> list[int]:
    """Live (non-zombie) processes whose initial environment has ``name=value``, sorted."""
    needle = f"{name}={value}".encode()
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state = stat[stat.rfind(")") + 2 :].split(" ", 1)[0]
        if state != "Z" and needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return sorted(found)


def stop_marked(name: str, value: str, *, grace: float = 5.0, proc: Path = PROC) -> list[int]:
    """Stop every process :func:`marked` finds; return their PIDs. ``SIGKILL`` after ``grace``
    seconds for those still alive; returns when none is left or after a second grace period."""
    pids = marked(name, value, proc=proc)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while marked(name, value, proc=proc) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in marked(name, value, proc=proc):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + grace
    while marked(name, value, proc=proc) and time.monotonic() < deadline:
        time.sleep(0.05)
    return pids


def describe(pid: int, *, proc: Path = PROC) -> str:
    """``PID command line`` of a process, for reports."""
    try:
        argv = (proc / str(pid) / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return f"{pid} (gone)"
    return f"{pid} {' '.join(a.decode(errors='replace') for a in argv if a)[:200]}"
