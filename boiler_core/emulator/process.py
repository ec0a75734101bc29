"""Child processes that are stopped with everything they spawned.

A :class:`ManagedProcess` starts its command as the leader of a new process group (the emulator's
launcher is a shell script that spawns java; the dispatcher may spawn helpers), so stopping it
signals the whole group: ``SIGTERM``, a grace period, then ``SIGKILL`` for whatever is left. Being
in its own group also keeps a terminal's Ctrl-C away from the children: the parent receives it
and stops them in order. Only processes this object started are signalled, by their group id.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

_PROC = Path("/proc")


class ManagedProcess:
    """A started child process, leader of its own process group; a context manager that stops it.

    ``stdout`` is a file object (or :data:`subprocess.PIPE`); stderr is merged into it.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        stdout: IO[Any] | int,
        stdin: int = subprocess.DEVNULL,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = tuple(argv)
        self.popen: subprocess.Popen[bytes] = subprocess.Popen(
            self.argv,
            env=dict(env),
            cwd=cwd,
            stdin=stdin,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pid = self.popen.pid
        """Process id of the leader, which is also the process group id."""

    def exit_code(self) -> int | None:
        """The leader's exit code, or None while it runs."""
        return self.popen.poll()

    def stop(self, grace: float = 5.0) -> None:
        """Stop the whole process group: SIGTERM, up to ``grace`` seconds, then SIGKILL.

        Safe to call more than once. Returns when the leader is reaped and no member of the group
        is left (zombies waiting for another parent count as gone). A pipe given as ``stdout`` is
        left open for its reader to drain; the reader closes it.
        """
        self._signal_group(signal.SIGTERM)
        deadline = time.monotonic() + grace
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
        while group_members(self.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if self.popen.poll() is None or group_members(self.pid):
            self._signal_group(signal.SIGKILL)
            self.popen.wait()
            kill_deadline = time.monotonic() + grace
            while group_members(self.pid) and time.monotonic() < kill_deadline:
                time.sleep(0.02)

    def _signal_group(self, sig: signal.Signals) -> None:
        if self.popen.poll() is not None and not group_members(self.pid):
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    def __enter__(self) -> ManagedProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes whose process group is ``pgid``.

    Reads ``/proc`` on Linux; elsewhere answers ``[pgid]`` while the group can be signalled.
    """
    if not _PROC.is_dir():
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return []
        return [pgid]
    members = []
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def tail(path: Path, lines: int = 20) -> str:
    """The last ``lines`` lines of a log file, indented, for error messages."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "    (no log)"
    last = text.splitlines()[-lines:]
    return "\n".join(f"    {line}" for line in last) if last else "    (empty log)"
