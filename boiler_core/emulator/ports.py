"""The ports of ``boiler dev``: fixed by firebase.json's ``emulators`` section, or all free.

A front end hard-codes where the emulators listen (``connectFirestoreEmulator(db, "127.0.0.1",
8080)``), so ``boiler dev`` listens where firebase.json says, with Firebase's defaults for what it
does not say::

    "emulators": {
      "firestore": {"port": 8080},     # the Firestore emulator
      "functions": {"port": 5001},     # trigger deliveries and HTTP functions
      "hosting":   {"port": 5000}      # the live page
    }

Hosts are always 127.0.0.1, whatever firebase.json says. :meth:`DevPorts.free` picks free ports
instead (tests, several runs side by side). :func:`check_free` refuses a taken port before
anything starts, naming the process that holds it when this machine can tell (Linux ``/proc``).
"""

from __future__ import annotations

import contextlib
import errno
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boiler_core.emulator.errors import LocalRuntimeError, PortTaken

LOOPBACK = "127.0.0.1"
FIRESTORE_PORT = 8080
"""Firebase's default port of the Firestore emulator."""
FUNCTIONS_PORT = 5001
"""Firebase's default port of the Functions emulator."""
HOSTING_PORT = 5000
"""Firebase's default port of the Hosting emulator, where ``boiler dev`` serves the page."""

_PROC = Path("/proc")


@dataclass(frozen=True)
class Port:
    """One port ``boiler dev`` listens on, and where that number comes from."""

    number: int
    """The port; 0 for any free port."""

    role: str
    """What listens there, for messages: ``the Firestore emulator``."""

    setting: str
    """The firebase.json setting that changes it: ``emulators.firestore.port``."""

    origin: str
    """Where the number came from: ``firebase.json`` or ``Firebase's default``."""

    @property
    def fixed(self) -> bool:
        """True unless any free port will do."""
        return self.number != 0


@dataclass(frozen=True)
class DevPorts:
    """The Firestore emulator's, the functions' and the page's ports."""

    firestore: Port
    functions: Port
    page: Port

    @classmethod
    def from_config(cls, config: Mapping[str, Any], source: str = "firebase.json") -> DevPorts:
        """The ports of firebase.json's ``emulators`` section (``config`` is the whole parsed
        file), Firebase's defaults for those it leaves out. Raises :class:`LocalRuntimeError`
        naming the setting when one is not a port number."""
        emulators = config.get("emulators")
        section = emulators if isinstance(emulators, Mapping) else {}
        return cls(
            _port(section, "firestore", FIRESTORE_PORT, "the Firestore emulator", source),
            _port(section, "functions", FUNCTIONS_PORT, "the functions", source),
            _port(section, "hosting", HOSTING_PORT, "the live page", source),
        )

    @classmethod
    def free(cls) -> DevPorts:
        """Any free ports (``boiler dev --free-ports``)."""
        return cls(
            Port(0, "the Firestore emulator", "emulators.firestore.port", "--free-ports"),
            Port(0, "the functions", "emulators.functions.port", "--free-ports"),
            Port(0, "the live page", "emulators.hosting.port", "--free-ports"),
        )

    def all(self) -> tuple[Port, ...]:
        """The three ports, Firestore first."""
        return (self.firestore, self.functions, self.page)


def _port(section: Mapping[str, Any], name: str, default: int, role: str, source: str) -> Port:
    setting = f"emulators.{name}.port"
    entry = section.get(name)
    value = entry.get("port") if isinstance(entry, Mapping) else None
    if value is None:
        return Port(default, role, setting, "Firebase's default")
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise LocalRuntimeError(
            f"{source}: {setting} must be a port number (1-65535), not {value!r}"
        )
    number = int(value)
    if not 1 <= number <= 65535:
        raise LocalRuntimeError(f"{source}: {setting} must be between 1 and 65535, not {number}")
    return Port(number, role, setting, source)


def check_free(ports: tuple[Port, ...]) -> None:
    """Raise :class:`PortTaken` for the first fixed port something on this machine holds, or for
    a number given to two roles; free ports (0) are not checked."""
    seen: dict[int, Port] = {}
    for port in ports:
        if not port.fixed:
            continue
        if port.number in seen:
            other = seen[port.number]
            raise PortTaken(
                f"port {port.number} is given both to {other.role} ({other.setting}) and to "
                f"{port.role} ({port.setting}) in {port.origin}: give each its own port",
                port.number,
            )
        seen[port.number] = port
        if not bindable(port.number):
            raise PortTaken(taken_message(port), port.number)


def bindable(number: int, host: str = LOOPBACK) -> bool:
    """Whether a server could listen on ``host:number`` now (as the emulators do: address reuse
    on, so connections of an earlier run waiting to close do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, number))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def taken_message(port: Port) -> str:
    """What to tell the developer when ``port`` is taken: who holds it, how to change it."""
    owner = port_owner(port.number)
    held = f"by {owner}" if owner else "by another process"
    if port.origin == "firebase.json":
        change = f"change {port.setting} in firebase.json"
    else:
        change = f"set {port.setting} in firebase.json ({port.origin} is {port.number})"
    return (
        f"port {port.number} for {port.role} is already in use {held}. Stop that process, "
        f"{change}, or run `boiler dev --free-ports` to use any free ports"
    )


def port_owner(number: int) -> str | None:
    """``pid 1234 (java -cp ...)`` of the process listening on TCP port ``number``, when
    ``/proc`` shows it (Linux, a process of the same user); else None."""
    inodes = _listening_inodes(number)
    if not inodes or not _PROC.is_dir():
        return None
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if fd.readlink().name in inodes:
                        return f"pid {entry.name} ({_command_line(entry)})"
    return None


def _listening_inodes(number: int) -> set[str]:
    """``socket:[INODE]`` names of the sockets listening on port ``number`` (IPv4 and IPv6)."""
    found: set[str] = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (_PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] != "0A":  # 0A: LISTEN
                continue
            if int(fields[1].rsplit(":", 1)[1], 16) == number:
                found.add(f"socket:[{fields[9]}]")
    return found


def _command_line(process: Path, limit: int = 80) -> str:
    try:
        text = (process / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return "command unknown"
    text = text.strip() or "command unknown"
    return text if len(text) <= limit else text[: limit - 3] + "..."
