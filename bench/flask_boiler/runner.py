"""The predecessor baseline from the benchmark's side: its venv, its worker process, its views.

:func:`ensure_venv` builds a Python 3.8 venv with flask-boiler 0.0.1b2 and its 2020 pins (once;
reused while the pins file is unchanged). :func:`running_worker` starts
:mod:`bench.flask_boiler.worker` in it against an emulator and project of the caller's choosing,
waits (with a deadline) for it to report ``READY``, and stops its whole process group afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from boiler_core.emulator.process import ManagedProcess

HERE = Path(__file__).resolve().parent
PINS = HERE / "requirements-0.0.1b2.txt"
WORKER = HERE / "worker.py"
PYTHON38 = ("python3.8",)
VIEW_COLLECTION = "MeetingSessionDAV"
USERS = ("tijuana", "thomasina", "joshua")


class BaselineUnavailable(RuntimeError):
    """Raised when the flask-boiler baseline cannot be built or started; the message says why."""


def find_python38() -> str:
    """A Python 3.8 interpreter: ``$BENCH_PYTHON38``, ``python3.8`` on PATH, or pyenv's."""
    candidates = [os.environ.get("BENCH_PYTHON38", ""), *PYTHON38]
    candidates += sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.8*/bin/python3.8"))
    for candidate in filter(None, candidates):
        path = shutil.which(candidate) or candidate
        try:
            out = subprocess.run(
                [path, "-c", "import sys; print(sys.version_info[:2] == (3, 8))"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.stdout.strip() == "True":
            return path
    raise BaselineUnavailable(
        "no Python 3.8 found (set BENCH_PYTHON38, or `pyenv install 3.8`): flask-boiler "
        "0.0.1b2's pins (grpcio 1.27.2, protobuf 3.11.3) have no wheels for newer Pythons"
    )


def ensure_venv(root: Path) -> Path:
    """The baseline's venv under ``root`` (built when missing or when the pins changed)."""
    digest = hashlib.sha256(PINS.read_bytes()).hexdigest()[:16]
    venv = root / "flask-boiler-0.0.1b2"
    python = venv / "bin" / "python"
    stamp = venv / ".pins"
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    steps = [
        [find_python38(), "-m", "venv", str(venv)],
        [str(python), "-m", "pip", "install", "--quiet", "pip<24", "setuptools<58"],
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "-r", str(PINS)],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            tail = "\n".join((done.stderr or done.stdout).splitlines()[-15:])
            raise BaselineUnavailable(f"building the flask-boiler venv failed: {step}\n{tail}")
    stamp.write_text(digest)
    return python


def service_account(python: Path, project: str, path: Path) -> Path:
    """A throwaway service-account file for ``project`` (a fresh RSA key; never a real one)."""
    key = subprocess.run(
        [str(python), "-c", "import rsa; print(rsa.newkeys(1024)[1].save_pkcs1().decode())"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    info = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": "bench",
        "private_key": key,
        "client_email": f"bench@{project}.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "http://127.0.0.1:9/token",
    }
    path.write_text(json.dumps(info))
    return path


def view_paths(meeting: str = "meeting_1") -> list[str]:
    """The per-user view documents flask-boiler's example maintains."""
    return [f"users/{user}/{VIEW_COLLECTION}/{meeting}" for user in USERS]


@contextmanager
def running_worker(
    python: Path, *, emulator_host: str, project: str, workdir: Path, timeout: float = 120.0
) -> Iterator[ManagedProcess]:
    """Start the worker; yield once it is READY; stop its process group at the end."""
    credentials = service_account(python, project, workdir / "service-account.json")
    env = {k: v for k, v in os.environ.items() if k != "GOOGLE_APPLICATION_CREDENTIALS"}
    env.update(
        FIRESTORE_EMULATOR_HOST=emulator_host,
        GOOGLE_CLOUD_PROJECT=project,
        NO_GCE_CHECK="true",
        PYTHONPATH="",
    )
    log_path = workdir / "flask-boiler.log"
    ready = threading.Event()
    process = ManagedProcess(
        "flask-boiler",
        [str(python), "-u", str(WORKER), str(credentials)],
        env=env,
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
        cwd=workdir,
    )

    def pump() -> None:
        assert process.popen.stdout is not None
        with log_path.open("a", encoding="utf-8") as log:
            for raw in iter(process.popen.stdout.readline, b""):
                line = raw.decode("utf-8", "replace")
                log.write(line)
                log.flush()
                if line.strip() == "READY":
                    ready.set()
        ready.set()

    reader = threading.Thread(target=pump, name="flask-boiler-output", daemon=True)
    reader.start()
    try:
        if not ready.wait(timeout) or process.exit_code() is not None:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
            raise BaselineUnavailable(f"the flask-boiler worker did not get ready:\n{tail}")
        yield process
    finally:
        if process.popen.stdin is not None and not process.popen.stdin.closed:
            process.popen.stdin.close()
        process.stop()
        reader.join(timeout=5)
