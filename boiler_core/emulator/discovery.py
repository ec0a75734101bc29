"""Finding the official Cloud Firestore emulator on this machine.

Places are tried in this order; the first that has the emulator wins:

1. ``$BOILER_FIRESTORE_EMULATOR``: a launcher script or a jar (an explicit setting that points at
   nothing is an error, not a reason to look elsewhere);
2. the Google Cloud SDK's component, ``<sdk root>/platform/cloud-firestore-emulator/
   cloud_firestore_emulator``, the root printed by
   ``gcloud info --format=value(installation.sdk_root)``;
3. firebase-tools' cache, ``~/.cache/firebase/emulators/cloud-firestore-emulator-v*.jar`` (the
   newest version), run with ``java -jar``.

``gcloud emulators firestore start`` runs the same component as place 2, but cannot pass
``--functions_emulator`` or ``--project_id``, so boiler runs the component's launcher itself.
The emulator needs Java (17 or newer); its absence is reported like a missing emulator.

Everything here reads the environment it is given, never ``os.environ`` behind the caller's back.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from boiler_core.emulator.errors import EmulatorNotFound

ENV_VAR = "BOILER_FIRESTORE_EMULATOR"
"""Environment variable naming the emulator's launcher script or jar explicitly."""

SDK_LAUNCHER = Path("platform/cloud-firestore-emulator/cloud_firestore_emulator")
"""The launcher's path relative to the Google Cloud SDK root."""

FIREBASE_CACHE = Path(".cache/firebase/emulators")
"""Where firebase-tools keeps downloaded emulator jars, relative to the home directory."""

MAIN_CLASS = "com.google.cloud.datastore.emulator.firestore.CloudFirestore"
"""The emulator's entry class, used for a jar whose manifest names no ``Main-Class``."""

INSTALL_HELP = (
    "Install it with one of:\n"
    "  gcloud components install cloud-firestore-emulator\n"
    "      (Debian package of the SDK: apt-get install google-cloud-cli-firestore-emulator)\n"
    "  firebase setup:emulators:firestore\n"
    f"or set {ENV_VAR} to its launcher script or jar. It needs Java 17 or newer."
)

_JAR_VERSION = re.compile(r"cloud-firestore-emulator-v(\d+(?:\.\d+)*)\.jar$")

SdkRootFinder = Callable[[Mapping[str, str]], Path | None]


@dataclass(frozen=True)
class EmulatorBinary:
    """How to start the emulator: a command line to which boiler appends the emulator's flags."""

    command: tuple[str, ...]
    """The argv prefix, e.g. ``("/usr/lib/google-cloud-sdk/.../cloud_firestore_emulator",)`` or
    ``("/usr/bin/java", "-jar", "/root/.cache/.../cloud-firestore-emulator-v1.19.9.jar")``."""

    origin: str
    """Where it was found, in words, for messages (``gcloud SDK at /usr/lib/google-cloud-sdk``)."""

    def describe(self) -> str:
        """One line for humans: the command and where it came from."""
        return f"{' '.join(self.command)} (from {self.origin})"


def find_emulator(
    env: Mapping[str, str],
    *,
    home: Path | None = None,
    sdk_root: SdkRootFinder | None = None,
) -> EmulatorBinary:
    """Return the first emulator found in the places of the module docstring, in that order.

    ``env`` is the environment to search with (``PATH``, ``JAVA``, ``HOME``, the override);
    ``home`` and ``sdk_root`` replace the home directory and the ``gcloud info`` call in tests.
    Raises :class:`EmulatorNotFound` naming every place searched and the install commands.
    """
    explicit = env.get(ENV_VAR, "").strip()
    if explicit:
        return _explicit(Path(explicit).expanduser(), env)

    searched = [f"${ENV_VAR}: not set"]
    root = (sdk_root or gcloud_sdk_root)(env)
    if root is None:
        searched.append("Google Cloud SDK: no `gcloud` on PATH (or `gcloud info` failed)")
    else:
        launcher = root / SDK_LAUNCHER
        if launcher.is_file():
            _require_java(env, launcher)
            return EmulatorBinary((str(launcher),), f"gcloud SDK at {root}")
        searched.append(f"Google Cloud SDK at {root}: no {SDK_LAUNCHER} (component not installed)")

    cache = (home if home is not None else Path(env.get("HOME", "~")).expanduser()) / FIREBASE_CACHE
    jar = newest_cached_jar(cache)
    if jar is not None:
        return EmulatorBinary((_java(env, jar), "-jar", str(jar)), f"firebase-tools cache {cache}")
    searched.append(f"firebase-tools cache: no {cache}/cloud-firestore-emulator-v*.jar")
    raise EmulatorNotFound(_not_found_message(searched))


def gcloud_sdk_root(env: Mapping[str, str]) -> Path | None:
    """The Google Cloud SDK root as ``gcloud info`` prints it, or None without a working gcloud."""
    gcloud = shutil.which("gcloud", path=env.get("PATH"))
    if gcloud is None:
        return None
    try:
        done = subprocess.run(
            [gcloud, "info", "--format=value(installation.sdk_root)"],
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = done.stdout.strip()
    return Path(text) if done.returncode == 0 and text else None


def newest_cached_jar(cache: Path) -> Path | None:
    """The highest-versioned ``cloud-firestore-emulator-v*.jar`` in ``cache``, if any."""
    if not cache.is_dir():
        return None
    versions: list[tuple[tuple[int, ...], Path]] = []
    for jar in cache.glob("cloud-firestore-emulator-v*.jar"):
        match = _JAR_VERSION.search(jar.name)
        if match and jar.is_file():
            versions.append((tuple(int(p) for p in match.group(1).split(".")), jar))
    return max(versions)[1] if versions else None


def _explicit(path: Path, env: Mapping[str, str]) -> EmulatorBinary:
    origin = f"${ENV_VAR}"
    if not path.is_file():
        raise EmulatorNotFound(
            f"${ENV_VAR} is set to {path}, which is not a file. Point it at the emulator's "
            f"launcher (<sdk root>/{SDK_LAUNCHER}) or at its jar, or unset it to search the "
            "usual places.\n" + INSTALL_HELP
        )
    if path.suffix == ".jar":
        java = _java(env, path)
        if _jar_has_main_class(path):
            return EmulatorBinary((java, "-jar", str(path)), origin)
        return EmulatorBinary((java, "-cp", str(path), MAIN_CLASS), origin)
    _require_java(env, path)
    return EmulatorBinary((str(path),), origin)


def _jar_has_main_class(jar: Path) -> bool:
    try:
        with zipfile.ZipFile(jar) as archive:
            manifest = archive.read("META-INF/MANIFEST.MF").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return any(line.startswith("Main-Class:") for line in manifest.splitlines())


def _java(env: Mapping[str, str], needed_by: Path) -> str:
    """The java executable the launcher would use (``$JAVA``, else ``java`` on ``PATH``)."""
    name = env.get("JAVA") or "java"
    found = shutil.which(name, path=env.get("PATH"))
    if found is None:
        raise EmulatorNotFound(
            f"Found the Firestore emulator ({needed_by}) but no Java to run it: "
            f"'{name}' is not on PATH. Install Java 17 or newer "
            "(Debian: apt-get install openjdk-17-jre-headless), or set $JAVA to its path."
        )
    return found


def _require_java(env: Mapping[str, str], launcher: Path) -> None:
    _java(env, launcher)


def _not_found_message(searched: list[str]) -> str:
    places = "\n".join(f"  - {place}" for place in searched)
    return f"Firestore emulator not found. Looked in:\n{places}\n{INSTALL_HELP}"
