"""The pieces ``make e2e`` prepares (tests/support/firebase_toolchain.py) and its process sweep
(tests/support/process_sweep.py), without npm, Java or emulators."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import firebase_toolchain as toolchain
import process_sweep
import pytest

from boiler_core.emulator import EmulatorBinary


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "25.0.2" 2026-01-20 LTS', 25),
        ('java version "1.8.0_392"', 8),
        ('openjdk version "21" 2023-09-19', 21),
        ("no java here", None),
    ],
)
def test_java_major_reads_java_version_output(output: str, major: int | None) -> None:
    assert toolchain.java_major(output) == major


def test_the_launcher_jar_runs_the_emulators_main_class_from_the_installed_jar(
    tmp_path: Path,
) -> None:
    emulator = tmp_path / ("a-long-folder-name-" * 5) / "cloud firestore emulator.jar"
    emulator.parent.mkdir(parents=True)
    emulator.write_bytes(b"")
    jar = toolchain.write_launcher_jar(tmp_path / "launcher.jar", emulator)
    with zipfile.ZipFile(jar) as archive:
        assert archive.namelist() == ["META-INF/MANIFEST.MF"]
        raw = archive.read("META-INF/MANIFEST.MF")
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 72 for line in lines)
    unwrapped = raw.replace(b"\r\n ", b"").decode()
    assert f"Main-Class: {toolchain.MAIN_CLASS}\r\n" in unwrapped
    assert f"Class-Path: {emulator.as_uri()}\r\n" in unwrapped
    assert "%20" in emulator.as_uri()
    assert raw.endswith(b"\r\n\r\n")


def test_the_launcher_jar_is_the_same_bytes_every_time(tmp_path: Path) -> None:
    emulator = tmp_path / "emulator.jar"
    first = toolchain.write_launcher_jar(tmp_path / "a.jar", emulator).read_bytes()
    assert toolchain.write_launcher_jar(tmp_path / "b.jar", emulator).read_bytes() == first


def test_the_emulator_jar_is_found_behind_each_kind_of_launcher(tmp_path: Path) -> None:
    sdk = tmp_path / "sdk" / "cloud_firestore_emulator"
    sdk.parent.mkdir()
    sdk.write_text("#!/bin/sh\n")
    (sdk.parent / toolchain.SDK_JAR).write_bytes(b"")
    cache = tmp_path / "cloud-firestore-emulator-v1.19.9.jar"
    found = {
        "sdk": EmulatorBinary((str(sdk),), "gcloud SDK"),
        "cache": EmulatorBinary(("/usr/bin/java", "-jar", str(cache)), "firebase-tools cache"),
        "class": EmulatorBinary(("java", "-cp", str(cache), toolchain.MAIN_CLASS), "explicit"),
    }
    assert toolchain.emulator_jar(found["sdk"]) == sdk.parent / toolchain.SDK_JAR
    assert toolchain.emulator_jar(found["cache"]) == cache
    assert toolchain.emulator_jar(found["class"]) == cache
    (sdk.parent / toolchain.SDK_JAR).unlink()
    with pytest.raises(toolchain.ToolchainError, match=r"no cloud-firestore-emulator\.jar beside"):
        toolchain.emulator_jar(found["sdk"])


def test_the_emulator_project_uses_the_given_ports_and_links_the_bundle(
    tmp_path: Path, meeting_room_project: Path
) -> None:
    root = meeting_room_project
    names = ["firestore_websocket", *toolchain.EMULATORS]
    ports = {name: 40000 + i for i, name in enumerate(names)}
    project = toolchain.write_emulator_project(root, tmp_path / "project", ports)
    config = json.loads((project / "firebase.json").read_text())
    original = json.loads((root / "firebase.json").read_text())
    assert config["functions"] == original["functions"]
    assert config["firestore"] == original["firestore"]
    emulators = config["emulators"]
    for name in toolchain.EMULATORS:
        assert emulators[name] == {"host": "127.0.0.1", "port": ports[name]} | (
            {"websocketPort": ports["firestore_websocket"]} if name == "firestore" else {}
        )
    assert emulators["ui"] == {"enabled": False}
    for name in ("functions", "firestore.rules", "firestore.indexes.json"):
        assert (project / name).is_symlink()
        assert (project / name).resolve() == (root / name).resolve()


@pytest.fixture
def sleeper() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A child process carrying a fresh mark, in a session of its own (as the CLI's are)."""
    mark = uuid.uuid4().hex
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        env={"BOILER_TEST_MARK": mark},
        start_new_session=True,
    )
    yield child, mark
    child.kill()
    child.wait()


def test_the_sweep_stops_marked_processes_and_no_other(
    sleeper: tuple[subprocess.Popen[bytes], str],
) -> None:
    child, mark = sleeper
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert process_sweep.marked("BOILER_TEST_MARK", mark) == [child.pid]
        assert process_sweep.stop_marked("BOILER_TEST_MARK", mark, grace=5) == [child.pid]
        assert child.wait(timeout=5) is not None
        assert process_sweep.marked("BOILER_TEST_MARK", mark) == []
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


def test_an_unknown_mark_finds_nothing() -> None:
    assert process_sweep.marked("BOILER_TEST_MARK", uuid.uuid4().hex) == []
