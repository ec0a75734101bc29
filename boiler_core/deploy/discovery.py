"""Reading the functions manifest exactly as ``firebase deploy`` reads it.

For a Python codebase firebase-tools (``deploy/functions/runtimes/python``) first reads a
``functions.yaml`` in the functions folder if there is one; otherwise it asks the venv's Python
where ``firebase_functions`` is, starts that SDK's ``private/serving.py`` in the functions folder
with ``ADMIN_PORT`` set, fetches ``GET /__/functions.yaml`` and stops it with
``GET /__/quitquitquit``. :func:`discover_functions` does the same with the same interpreter, so
a ``main.py`` that cannot be imported with only ``requirements.txt`` installed (boiler from its
wheel) fails here, before anything is uploaded.

The server runs in its own process group, stopped with everything it started.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from boiler_core.deploy.errors import DiscoveryFailed
from boiler_core.emulator.polling import WaitTimeout, wait_for
from boiler_core.emulator.process import ManagedProcess, free_port, tail

MANIFEST_PATH = "/__/functions.yaml"
QUIT_PATH = "/__/quitquitquit"
STATIC_MANIFEST = "functions.yaml"
"""A file of this name in the functions folder replaces discovery in firebase-tools."""

_SDK_DIR = "import firebase_functions, os; print(os.path.dirname(firebase_functions.__file__))"
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def discover_functions(
    functions_dir: Path, python: Path, *, env: Mapping[str, str], timeout: float = 60.0
) -> dict[str, Any]:
    """The functions manifest of ``functions_dir`` (parsed YAML), served by ``python``'s SDK.

    ``env`` is the environment of the server (the caller's, less anything that would let the
    venv see other packages). Raises :class:`DiscoveryFailed` with the server's output.
    """
    if (functions_dir / STATIC_MANIFEST).exists():
        raise DiscoveryFailed(
            f"{functions_dir / STATIC_MANIFEST} exists: firebase deploy would read it instead of "
            "discovering the functions of main.py; delete it"
        )
    serving = sdk_dir(functions_dir, python, env=env) / "private" / "serving.py"
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="boiler-discovery-") as scratch:
        log_path = Path(scratch) / "serving.log"
        with log_path.open("wb") as log:
            server = ManagedProcess(
                "functions discovery",
                [str(python), str(serving)],
                env={**env, "ADMIN_PORT": str(port)},
                stdout=log,
                cwd=functions_dir,
            )
            try:
                text = _fetch_manifest(server, port, timeout, log_path)
            finally:
                _get(port, QUIT_PATH, timeout=2.0)
                server.stop()
    spec = yaml.safe_load(text)
    if not isinstance(spec, dict) or not isinstance(spec.get("endpoints"), dict):
        raise DiscoveryFailed(f"serving.py answered something that is not a manifest:\n{text}")
    return spec


def sdk_dir(functions_dir: Path, python: Path, *, env: Mapping[str, str]) -> Path:
    """Where ``python`` imports firebase_functions from (firebase-tools asks the same way)."""
    try:
        done = subprocess.run(
            [str(python), "-c", _SDK_DIR],
            cwd=functions_dir,
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DiscoveryFailed(f"cannot run {python}: {exc}") from None
    if done.returncode != 0 or not done.stdout.strip():
        raise DiscoveryFailed(
            f"{python} cannot import firebase_functions (is functions/venv built from "
            f"requirements.txt?):\n{done.stderr.strip()}"
        )
    return Path(done.stdout.strip())


def _fetch_manifest(server: ManagedProcess, port: int, timeout: float, log_path: Path) -> str:
    def answer() -> str:
        code = server.exit_code()
        if code is not None:
            raise DiscoveryFailed(
                f"serving.py exited with code {code} before serving the functions manifest "
                f"(main.py failed to import?):\n{tail(log_path, 40)}"
            )
        status, body = _get(port, MANIFEST_PATH, timeout=2.0)
        if status is not None and status != 200:
            time.sleep(0.2)  # let the server's log catch up with its answer
            raise DiscoveryFailed(
                f"GET {MANIFEST_PATH} answered {status}: main.py cannot be loaded with this "
                f"venv and the functions folder:\n{tail(log_path, 40)}"
            )
        return body

    try:
        return wait_for(answer, timeout, interval=0.05, what="GET " + MANIFEST_PATH)
    except WaitTimeout as exc:
        raise DiscoveryFailed(f"{exc}; serving.py output:\n{tail(log_path, 40)}") from None


def _get(port: int, path: str, *, timeout: float) -> tuple[int | None, str]:
    """``(status, body)`` of a GET; ``(None, "")`` when nothing answers."""
    try:
        with _NO_PROXY.open(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
            body: bytes = response.read()
            return int(response.status), body.decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, OSError):
        return None, ""
