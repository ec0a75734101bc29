"""The README's "Your own app in 5 minutes", run as written, in an empty folder.

Every command of its first code block runs in a shell, in order, in a temporary folder, with
this environment's boiler first on PATH; the first line (``pip install``) is the only one not run:
boiler is installed here already (``make dist`` installs the built wheel into a fresh virtualenv
and runs it). ``boiler dev`` runs until it is ready, then views.yaml is edited and saved as the
comment says, and the test waits for the reload before pressing Ctrl-C. The app's firebase.json
gets free emulator ports first, so the test does not depend on 8080 and 5001 being free; the
commands themselves are not changed.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from boiler_core.emulator.process import free_port

pytestmark = pytest.mark.integration

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Your own app in 5 minutes"
TIMEOUT = 300


def quickstart() -> list[str]:
    """The commands of the section's first ``sh`` block, comments removed."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text[text.index(SECTION) :], re.S)
    assert block is not None, f"no sh block under {SECTION!r} in README.md"
    lines = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line]


def free_emulator_ports(app: Path) -> None:
    config = json.loads((app / "firebase.json").read_text())
    for name in ("firestore", "functions", "hosting", "auth"):
        config["emulators"].setdefault(name, {"host": "127.0.0.1"})["port"] = free_port("127.0.0.1")
    (app / "firebase.json").write_text(json.dumps(config, indent=2) + "\n")


def lines_of(process: subprocess.Popen[str]) -> Iterator[str]:
    assert process.stdout is not None
    yield from process.stdout


def run_dev(command: str, cwd: Path, env: dict[str, str]) -> list[str]:
    """Run ``boiler dev``: wait until ready, save an edited views.yaml, wait for the reload,
    press Ctrl-C; return its output."""
    process = subprocess.Popen(
        shlex.split(command),  # no shell in between, so Ctrl-C reaches boiler as typed
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen: list[str] = []
    timer = threading.Timer(TIMEOUT, lambda: os.killpg(process.pid, signal.SIGKILL))
    timer.start()
    try:
        for line in lines_of(process):
            seen.append(line.rstrip("\n"))
            if line.startswith("ready in"):
                views = cwd / "views.yaml"
                text = views.read_text()
                views.write_text(text.replace("      name: name\n", "      title: name\n", 1))
            elif "reloaded in" in line:
                os.killpg(process.pid, signal.SIGINT)
        assert process.wait() == 0, "\n".join(seen)
    finally:
        timer.cancel()
        if process.stdout is not None:
            process.stdout.close()
    return seen


def test_the_readme_quickstart_runs_as_written(tmp_path: Path) -> None:
    commands = quickstart()
    assert commands[0].startswith("pip install ")
    assert "boiler-core" in commands[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "FIRESTORE_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    cwd = tmp_path
    outputs: dict[str, str] = {}
    for command in commands[1:]:
        if command.startswith("cd "):
            cwd = cwd / command.removeprefix("cd ").strip()
            free_emulator_ports(cwd)
            continue
        if command.startswith("boiler dev"):
            outputs[command] = "\n".join(run_dev(command, cwd, env))
            continue
        done = subprocess.run(
            command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT
        )
        assert done.returncode == 0, f"$ {command}\n{done.stdout[-4000:]}{done.stderr[-4000:]}"
        outputs[command] = done.stdout
    assert "Next:" in outputs["boiler init taskboard"]
    assert "Done: 5 view updates" in outputs["boiler demo"]
    assert "4 passed" in outputs["pytest tests"]
    dev = outputs["boiler dev --seed seed.yaml"]
    assert "seeded 7 documents from seed.yaml" in dev
    assert "reloaded in" in dev
