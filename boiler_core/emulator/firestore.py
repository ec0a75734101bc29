"""One running Firestore emulator: started on a free loopback port, stopped with its process group.

::

    binary = find_emulator(os.environ)          # the caller chooses the environment
    with FirestoreEmulator(binary, project="demo-boiler", log_path=log, env=env) as emulator:
        emulator.host                           # "127.0.0.1:PORT", for FIRESTORE_EMULATOR_HOST
        emulator.admin.reset()
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from boiler_core.emulator.admin import EmulatorAdmin
from boiler_core.emulator.discovery import EmulatorBinary
from boiler_core.emulator.errors import EmulatorFailed, PortInUse
from boiler_core.emulator.polling import WaitTimeout, wait_for
from boiler_core.emulator.process import ManagedProcess, free_port, tail

LOOPBACK = "127.0.0.1"


PORT_TAKEN = ("Address already in use", "BindException")
"""What the emulator's Java server prints when its port is taken."""


class FirestoreEmulator:
    """The official Firestore emulator as a child process; a context manager.

    ``project`` must be a ``demo-*`` id so that no client can reach a real project. ``rules`` is
    enforced for end-user traffic (server clients bypass it). ``functions_emulator``
    (``127.0.0.1:PORT``) is where the emulator POSTs trigger deliveries. ``seed_from`` is an
    export's ``*.overall_export_metadata`` file to load at start (:mod:`.exports`). ``env`` is the
    whole environment of the child. The emulator's output goes to ``log_path``.
    """

    def __init__(
        self,
        binary: EmulatorBinary,
        *,
        project: str,
        log_path: Path,
        env: Mapping[str, str],
        rules: Path | None = None,
        functions_emulator: str | None = None,
        port: int | None = None,
        seed_from: Path | None = None,
        start_timeout: float = 60.0,
    ) -> None:
        if not project.startswith("demo-"):
            raise ValueError(f"emulator project id must start with 'demo-', got '{project}'")
        self.binary = binary
        self.project = project
        self.log_path = log_path
        self.env = dict(env)
        self.rules = rules
        self.functions_emulator = functions_emulator
        self.port = port or free_port(LOOPBACK)
        self.seed_from = seed_from
        self.start_timeout = start_timeout
        self.admin = EmulatorAdmin(self.host, project)
        self._process: ManagedProcess | None = None
        self._log_start = 0

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``: the value for ``FIRESTORE_EMULATOR_HOST``."""
        return f"{LOOPBACK}:{self.port}"

    def command(self) -> list[str]:
        """The full command line that starts the emulator."""
        argv = [*self.binary.command, "--host", LOOPBACK, "--port", str(self.port)]
        argv += ["--project_id", self.project]
        if self.rules is not None:
            argv += ["--rules", str(self.rules)]
        if self.functions_emulator is not None:
            argv += ["--functions_emulator", self.functions_emulator]
        if self.seed_from is not None:
            argv += ["--seed_from_export", str(self.seed_from.resolve())]
        return argv

    def start(self) -> None:
        """Start the emulator and return once it answers HTTP; raise :class:`EmulatorFailed` if it
        exits first or does not answer within ``start_timeout`` seconds (it is stopped then)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self._process = ManagedProcess(
                "firestore-emulator", self.command(), env=self.env, stdout=log
            )
        try:
            wait_for(self._ready, self.start_timeout, interval=0.05, what="the emulator to answer")
        except WaitTimeout:
            self.stop()
            raise EmulatorFailed(
                f"the Firestore emulator did not answer on {self.host} within "
                f"{self.start_timeout:g} s. Its log ({self.log_path}) ends with:\n"
                f"{tail(self.log_path)}"
            ) from None
        except EmulatorFailed:
            self.stop()
            raise

    def _ready(self) -> bool:
        assert self._process is not None
        code = self._process.exit_code()
        if code is not None:
            error = PortInUse if self._port_taken() else EmulatorFailed
            raise error(
                f"the Firestore emulator exited with code {code} while starting "
                f"({' '.join(self.command())}). Its log ({self.log_path}) ends with:\n"
                f"{tail(self.log_path)}"
            )
        return self.admin.answers()

    def _port_taken(self) -> bool:
        """Whether this start's output says binding a port failed."""
        with self.log_path.open("rb") as log:
            log.seek(self._log_start)
            output = log.read().decode("utf-8", errors="replace")
        return any(sign in output for sign in PORT_TAKEN)

    @property
    def pid(self) -> int | None:
        """The launcher's process (and process group) id while running."""
        return self._process.pid if self._process else None

    def running(self) -> bool:
        """True while the launcher process is alive."""
        return self._process is not None and self._process.exit_code() is None

    def stop(self) -> None:
        """Stop the launcher and the java process it started; safe to call more than once."""
        if self._process is not None:
            self._process.stop()

    def __enter__(self) -> FirestoreEmulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
