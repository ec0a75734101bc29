"""The dev loop: saving views.yaml (or a hook) until the running ``boiler dev`` serves the change.

Runs ``boiler dev --free-ports --seed seed.yaml`` as a developer would, on a copy of the
meeting-room app (views.yaml, functions/, seed.yaml, the rules; no page). Then, per repetition:

* **new view**: save views.yaml with one more view (``bench_view_N``: root ``users``, one
  projection), wait for ``boiler dev``'s ``reloaded`` line, write a user document, and wait until
  ``bench_view_N/{user}`` holds the new value: save to served;
* **hook edit**: save ``meeting_room/hooks.py`` with one more line, wait for the ``reloaded``
  line, rename a user, and wait until ``user_profiles/{user}`` (computed by the reloaded
  functions) holds the new name.

Each sample records three times from the save (``time.perf_counter`` in this process): the
``reloaded`` line's arrival, the reload time that line prints (check, regenerate, new functions
loaded and switched in), and the served document's arrival (polled every 20 ms). Repetitions are
two seconds apart, so the dispatcher replaced by one reload has stopped before the next save.
The machine's load average is recorded before and after.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore import Client

from bench.harness import ROOT
from bench.machine import load_average

BOILER = str(Path(sys.executable).parent / "boiler")
PROJECT = "demo-boiler"
USER = "tijuana"
PAUSE_SECONDS = 2.0
DEADLINE_SECONDS = 120.0
RELOADED = re.compile(r"reloaded in ([\d.]+) s: ")

NEW_VIEW = """
  bench_view_{n}:
    path: bench_view_{n}/{{user}}
    root: users
    fields:
      name: first_name
"""


@dataclass(frozen=True)
class Sample:
    """One save, in seconds from the moment the file was written."""

    reloaded: float
    """Until ``boiler dev`` printed its ``reloaded`` line."""
    reported: float
    """The reload time that line states."""
    served: float
    """Until the document the change produces was there (after one domain write)."""


@dataclass
class DevLoopResult:
    """Both kinds of save, with the load around them."""

    new_view: list[Sample] = field(default_factory=list)
    hook_edit: list[Sample] = field(default_factory=list)
    load_before: str = ""
    load_after: str = ""
    start_seconds: float = 0.0
    """From starting ``boiler dev`` (seeding included) to its ``Press Ctrl-C`` line."""


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


class _Dev:
    """``boiler dev`` in a child process, its output lines timestamped on arrival."""

    def __init__(self, root: Path) -> None:
        self.lines: list[tuple[float, str]] = []
        self._changed = threading.Condition()
        self.process = subprocess.Popen(
            [BOILER, "dev", "--free-ports", "--seed", "seed.yaml"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self.lines.append((time.perf_counter(), line.rstrip("\n")))
                self._changed.notify_all()
        with self._changed:
            self.lines.append((time.perf_counter(), "<exited>"))
            self._changed.notify_all()

    def mark(self) -> int:
        with self._changed:
            return len(self.lines)

    def wait(self, pattern: re.Pattern[str], after: int) -> tuple[float, re.Match[str]]:
        """The arrival time and match of the first line from ``after`` on matching ``pattern``."""

        def found() -> tuple[float, re.Match[str]] | None:
            for at, line in self.lines[after:]:
                if line == "<exited>":
                    raise RuntimeError("boiler dev exited:\n" + self.output())
                if (match := pattern.search(line)) is not None:
                    return at, match
            return None

        with self._changed:
            if not self._changed.wait_for(lambda: found() is not None, DEADLINE_SECONDS):
                raise TimeoutError(f"no line matching {pattern.pattern!r}:\n{self.output()}")
            hit = found()
        assert hit is not None
        return hit

    def output(self) -> str:
        return "\n".join(line for _, line in self.lines[-40:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            if self.process.stdout is not None:
                self.process.stdout.close()


@contextmanager
def app_copy() -> Iterator[Path]:
    """The meeting-room app copied to a temporary folder (no caches, no vendored library)."""
    ignored = shutil.ignore_patterns("venv", ".venv", "__pycache__", "*.pyc", "boiler_core")
    with tempfile.TemporaryDirectory(prefix="boiler-devloop-") as scratch:
        root = Path(scratch)
        shutil.copytree(ROOT / "functions", root / "functions", ignore=ignored)
        for name in ("views.yaml", "seed.yaml", "firestore.rules", "firestore.indexes.json"):
            shutil.copy(ROOT / name, root / name)
        yield root


def save(path: Path, text: str) -> float:
    """Write ``text`` to ``path``; the moment it was written."""
    path.write_text(text)
    return time.perf_counter()


def measure_devloop(repetitions: int) -> DevLoopResult:
    """``repetitions`` saves of each kind against one running ``boiler dev``."""
    result = DevLoopResult(load_before=load_average())
    with app_copy() as root:
        started = time.perf_counter()
        dev = _Dev(root)
        try:
            at, _ = dev.wait(re.compile("Press Ctrl-C"), 0)
            result.start_seconds = at - started
            _, host = dev.wait(re.compile(r"FIRESTORE_EMULATOR_HOST=(127\.0\.0\.1:\d+)"), 0)
            os.environ["FIRESTORE_EMULATOR_HOST"] = host.group(1)
            client = Client(project=PROJECT, credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
            try:
                views = root / "views.yaml"
                hooks = root / "functions" / "meeting_room" / "hooks.py"
                for n in range(1, repetitions + 1):
                    time.sleep(PAUSE_SECONDS)
                    text = views.read_text().replace(
                        "\nmutations:", NEW_VIEW.format(n=n) + "\nmutations:", 1
                    )
                    name = f"Tijuana {n}"
                    result.new_view.append(
                        _one(dev, client, lambda t=text: save(views, t), name, f"bench_view_{n}")
                    )
                    time.sleep(PAUSE_SECONDS)
                    edited = hooks.read_text() + f"# bench edit {n}\n"
                    renamed = f"Tijuana H{n}"
                    result.hook_edit.append(
                        _one(dev, client, lambda t=edited: save(hooks, t), renamed, "user_profiles")
                    )
            finally:
                client.close()  # type: ignore[no-untyped-call]
        finally:
            dev.stop()
            os.environ.pop("FIRESTORE_EMULATOR_HOST", None)
    result.load_after = load_average()
    return result


def _one(
    dev: _Dev, client: Client, edit: Callable[[], float], name: str, collection: str
) -> Sample:
    """Save, wait for the reload line, write the user's first name, wait for it in
    ``collection/{USER}``."""
    mark = dev.mark()
    saved = edit()
    reloaded_at, match = dev.wait(RELOADED, mark)
    client.document(f"users/{USER}").update({"first_name": name})
    served = client.document(f"{collection}/{USER}")
    deadline = time.perf_counter() + DEADLINE_SECONDS
    field_name = "name" if collection.startswith("bench_view_") else "first_name"
    while True:
        data = served.get().to_dict()
        if data is not None and data.get(field_name) == name:
            served_at = time.perf_counter()
            break
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{collection}/{USER} never showed {name!r}:\n{dev.output()}")
        time.sleep(0.02)
    return Sample(reloaded_at - saved, float(match.group(1)), served_at - saved)
