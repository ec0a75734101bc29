"""The dispatcher as a child process, seen from the process that started it.

:class:`DispatcherProcess` starts ``python -m boiler_core.dispatch`` with the environment it is
given, reads its output line by line on a background thread, pairs each invocation with the
engine's cost line for the same event, hands every record to ``on_record``, and lets callers wait
(event-driven, with a deadline) for a settle marker to come through.
"""

from __future__ import annotations

import collections
import contextlib
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from boiler_core.dispatch.records import (
    Barrier,
    CostLine,
    Failed,
    Invocation,
    Ready,
    Record,
    encode,
    parse_line,
)
from boiler_core.emulator.errors import DispatcherFailed
from boiler_core.emulator.process import ManagedProcess

RecordSink = Callable[[Record], None]


class DispatcherProcess:
    """``python -u -P -m boiler_core.dispatch`` for one functions folder; a context manager.

    ``env`` is the child's whole environment. With ``standby`` it waits for :meth:`release`
    before loading ``main.py`` (see :mod:`boiler_core.dispatch.__main__`). ``on_record`` is
    called on the reader thread for every record but cost lines, which arrive attached to their
    :class:`Invocation`. Raw output is appended to ``log_path``. The child runs with ``-P`` (its
    working directory, the functions folder, is not put first on ``sys.path``: a vendored
    ``functions/boiler_core`` left by a deploy must not shadow the installed library) and ``-u``
    (lines arrive as printed).
    """

    def __init__(
        self,
        *,
        functions_dir: Path,
        project: str,
        port: int,
        env: Mapping[str, str],
        log_path: Path,
        record_path: Path | None = None,
        on_record: RecordSink | None = None,
        python: str = sys.executable,
        standby: bool = False,
    ) -> None:
        self.argv = [python, "-u", "-P", "-m", "boiler_core.dispatch"]
        self.argv += ["--functions-dir", str(functions_dir), "--project", project]
        self.argv += ["--port", str(port)]
        if record_path is not None:
            self.argv += ["--record", str(record_path)]
        if standby:
            self.argv.append("--standby")
        self.functions_dir = functions_dir
        self.env = dict(env)
        self.log_path = log_path
        self.on_record = on_record
        self.ready: Ready | None = None
        self.invocations = 0
        """How many invocations have finished so far."""
        self.failures = 0
        """How many of them raised."""
        self._failed: Failed | None = None
        self._closed = False
        self._process: ManagedProcess | None = None
        self._reader: threading.Thread | None = None
        self._changed = threading.Condition()
        self._barriers: set[str] = set()
        self._costs: dict[str | None, collections.deque[CostLine]] = {}
        self._recent: collections.deque[str] = collections.deque(maxlen=40)

    def start(self) -> None:
        """Start the process and its reader; :meth:`wait_ready` waits for it to load."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._process = ManagedProcess(
            "dispatcher",
            self.argv,
            env=self.env,
            stdout=subprocess.PIPE,
            stdin=subprocess.PIPE,
            cwd=self.functions_dir,
        )
        stdout = self._process.popen.stdout
        assert stdout is not None
        self._reader = threading.Thread(
            target=self._read, args=(stdout,), name="dispatcher-output", daemon=True
        )
        self._reader.start()

    def release(self) -> None:
        """Let a process started with ``standby=True`` load ``main.py`` now (it has imported its
        libraries meanwhile); :meth:`wait_ready` then waits for it as usual."""
        stdin = self._process.popen.stdin if self._process else None
        if stdin is None:
            raise DispatcherFailed("release() needs a started dispatcher")
        try:
            stdin.write(b"load\n")
            stdin.flush()
        except OSError as exc:
            raise DispatcherFailed(f"the standby dispatcher is gone: {exc}") from None

    def wait_ready(self, timeout: float = 60.0) -> Ready:
        """Block until the dispatcher serves (return its :class:`Ready`), or raise
        :class:`DispatcherFailed` with its output when it fails, exits or times out."""
        with self._changed:
            self._changed.wait_for(lambda: self.ready or self._failed or self._closed, timeout)
        if self.ready is not None:
            return self.ready
        failed = self._failed
        reason = failed.error if failed else None
        reason = reason or (
            "it exited" if self._closed else f"it did not report ready within {timeout:g} s"
        )
        trace = _indented(failed.traceback) + "\n" if failed and failed.traceback else ""
        raise DispatcherFailed(
            f"the trigger dispatcher for {self.functions_dir} could not start: {reason}.\n"
            f"{trace}Its output ends with:\n{self.recent_output()}",
            failed.location if failed else None,
            reason,
        )

    def wait_barrier(self, barrier_id: str, timeout: float) -> bool:
        """Block until the settle marker ``barrier_id`` has come through; False on timeout.

        Raises :class:`DispatcherFailed` at once when the dispatcher exits meanwhile.
        """
        with self._changed:
            self._changed.wait_for(lambda: barrier_id in self._barriers or self._closed, timeout)
            if barrier_id in self._barriers:
                return True
        if self._closed:
            raise DispatcherFailed(
                "the trigger dispatcher exited while in use. Its output ends with:\n"
                + self.recent_output()
            )
        return False

    def recent_output(self) -> str:
        """The last lines the dispatcher printed, indented, for error messages."""
        with self._changed:
            lines = list(self._recent)
        return "\n".join(f"    {line}" for line in lines) if lines else "    (no output)"

    def running(self) -> bool:
        """True while the dispatcher process is alive."""
        return self._process is not None and self._process.exit_code() is None

    @property
    def pid(self) -> int | None:
        """The dispatcher's process (and process group) id."""
        return self._process.pid if self._process else None

    def stop(self) -> None:
        """Close its stdin (it exits by itself), then stop its process group; idempotent."""
        if self._process is None:
            return
        stdin = self._process.popen.stdin
        if stdin is not None and not stdin.closed:
            with contextlib.suppress(OSError):
                stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.popen.wait(timeout=2)
        self._process.stop()
        if self._reader is not None:
            self._reader.join(timeout=5)
        stdout = self._process.popen.stdout
        if stdout is not None and (self._reader is None or not self._reader.is_alive()):
            stdout.close()

    def _read(self, stdout: IO[bytes]) -> None:
        with self.log_path.open("a", encoding="utf-8") as log:
            for raw in iter(stdout.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\n")
                record = parse_line(line)
                log.write(_logged(record, line) + "\n")
                log.flush()
                self._handle(record, line)
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def _handle(self, record: Record, line: str) -> None:
        with self._changed:
            if not isinstance(record, Invocation | Barrier | CostLine | Failed):
                self._recent.append(line)
            if isinstance(record, Ready):
                self.ready = record
            elif isinstance(record, Failed):
                self._failed = record
            elif isinstance(record, Barrier):
                self._barriers.add(record.id)
            elif isinstance(record, CostLine):
                self._costs.setdefault(record.event_id, collections.deque()).append(record)
            elif isinstance(record, Invocation):
                record = record.with_cost(self._pop_cost(record.event_id))
                self.invocations += 1
                self.failures += 0 if record.ok else 1
            self._changed.notify_all()
        if self.on_record is not None and not isinstance(record, CostLine):
            self.on_record(record)

    def _pop_cost(self, event_id: str | None) -> Any:
        queue = self._costs.get(event_id)
        if not queue:
            return None
        cost = queue.popleft()
        if not queue:
            del self._costs[event_id]
        return cost.payload

    def __enter__(self) -> DispatcherProcess:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _logged(record: Record, line: str) -> str:
    """The log's text for one output line: as printed, except that the traceback of a failed
    invocation or load follows its record as readable lines instead of inside the JSON."""
    if not isinstance(record, Invocation | Failed) or record.traceback is None:
        return line
    return f"{encode(replace(record, traceback=None))}\n{record.traceback}"


def _indented(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())
