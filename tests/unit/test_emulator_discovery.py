"""Finding the Firestore emulator: the order of places, the command built, the not-found message."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from boiler_core.emulator.discovery import (
    ENV_VAR,
    MAIN_CLASS,
    SDK_LAUNCHER,
    find_emulator,
    newest_cached_jar,
)
from boiler_core.emulator.errors import EmulatorNotFound

BOILER = str(Path(sys.executable).parent / "boiler")


def executable(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def jar(path: Path, manifest: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", manifest)
    return path


@pytest.fixture
def java_bin(tmp_path: Path) -> Path:
    """A folder with a stand-in ``java`` for PATH."""
    folder = tmp_path / "bin"
    executable(folder / "java")
    return folder


def no_sdk(env: object) -> None:
    return None


def test_explicit_launcher_wins_over_every_other_place(tmp_path: Path, java_bin: Path) -> None:
    launcher = executable(tmp_path / "my_emulator")
    sdk = tmp_path / "sdk"
    executable(sdk / SDK_LAUNCHER)
    env = {ENV_VAR: str(launcher), "PATH": str(java_bin)}
    found = find_emulator(env, home=tmp_path, sdk_root=lambda _: sdk)
    assert found.command == (str(launcher),)
    assert found.origin == f"${ENV_VAR}"


@pytest.mark.parametrize(
    ("manifest", "tail"),
    [
        ("Main-Class: x.Main\n", ("-jar",)),
        ("Manifest-Version: 1.0\n", ("-cp",)),
    ],
    ids=["runnable-jar", "library-jar"],
)
def test_explicit_jar_runs_with_java(
    tmp_path: Path, java_bin: Path, manifest: str, tail: tuple[str, ...]
) -> None:
    path = jar(tmp_path / "emulator.jar", manifest)
    found = find_emulator({ENV_VAR: str(path), "PATH": str(java_bin)}, sdk_root=no_sdk)
    assert found.command[0] == str(java_bin / "java")
    assert found.command[1:3] == (*tail, str(path))
    if tail == ("-cp",):
        assert found.command[3] == MAIN_CLASS


def test_explicit_setting_pointing_at_nothing_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    with pytest.raises(EmulatorNotFound, match=f"{ENV_VAR} is set to .*missing.*not a file"):
        find_emulator({ENV_VAR: str(tmp_path / "missing")}, sdk_root=no_sdk)


def test_gcloud_sdk_component_is_found_under_the_sdk_root(tmp_path: Path, java_bin: Path) -> None:
    sdk = tmp_path / "google-cloud-sdk"
    launcher = executable(sdk / SDK_LAUNCHER)
    found = find_emulator({"PATH": str(java_bin)}, home=tmp_path, sdk_root=lambda _: sdk)
    assert found.command == (str(launcher),)
    assert found.origin == f"gcloud SDK at {sdk}"


def test_firebase_cache_newest_jar_is_used_when_the_sdk_lacks_the_component(
    tmp_path: Path, java_bin: Path
) -> None:
    cache = tmp_path / ".cache/firebase/emulators"
    for version in ("1.9.0", "1.19.9", "1.18.2"):
        jar(cache / f"cloud-firestore-emulator-v{version}.jar", "Main-Class: x\n")
    sdk = tmp_path / "sdk-without-component"
    found = find_emulator({"PATH": str(java_bin)}, home=tmp_path, sdk_root=lambda _: sdk)
    assert found.command == (
        str(java_bin / "java"),
        "-jar",
        str(cache / "cloud-firestore-emulator-v1.19.9.jar"),
    )


def test_newest_cached_jar_is_none_without_a_cache(tmp_path: Path) -> None:
    assert newest_cached_jar(tmp_path / "nothing") is None


def test_not_found_names_every_place_and_the_install_commands(tmp_path: Path) -> None:
    with pytest.raises(EmulatorNotFound) as caught:
        find_emulator({"PATH": str(tmp_path)}, home=tmp_path, sdk_root=no_sdk)
    message = str(caught.value)
    assert message.startswith("Firestore emulator not found. Looked in:\n")
    assert f"${ENV_VAR}: not set" in message
    assert "no `gcloud` on PATH" in message
    assert "cloud-firestore-emulator-v*.jar" in message
    assert "gcloud components install cloud-firestore-emulator" in message
    assert "firebase setup:emulators:firestore" in message


def test_emulator_without_java_is_reported_with_how_to_install_java(tmp_path: Path) -> None:
    sdk = tmp_path / "sdk"
    executable(sdk / SDK_LAUNCHER)
    with pytest.raises(EmulatorNotFound, match=r"no Java to run it.*openjdk-17-jre-headless"):
        find_emulator({"PATH": str(tmp_path / "empty")}, home=tmp_path, sdk_root=lambda _: sdk)


def test_emulator_path_command_exits_2_with_install_commands_and_no_traceback(
    tmp_path: Path,
) -> None:
    env = {"PATH": str(tmp_path), "HOME": str(tmp_path), "LANG": os.environ.get("LANG", "C")}
    done = subprocess.run(
        [BOILER, "emulator-path"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "gcloud components install cloud-firestore-emulator" in done.stderr
    assert "Traceback" not in done.stderr


def test_dev_and_demo_exit_2_without_an_emulator(
    tmp_path: Path, meeting_room_project: Path
) -> None:
    env = {"PATH": str(tmp_path), "HOME": str(tmp_path)}
    root = meeting_room_project
    for command in ("dev", "demo"):
        done = subprocess.run(
            [BOILER, command], env=env, cwd=root, capture_output=True, text=True, check=False
        )
        assert done.returncode == 2, done.stderr
        assert "Firestore emulator not found" in done.stderr
        assert "Traceback" not in done.stderr
