"""A wheel of the running boiler, for the functions folder.

boiler-core is not on PyPI, so ``boiler deploy`` puts a wheel of the boiler that runs it into
``<functions>/wheels/``, and the generated ``requirements.txt`` installs it from there
(``--find-links wheels``, ``boiler-core==VERSION``): ``firebase deploy`` uploads the folder with
the wheel, and Cloud Build's ``pip install -r requirements.txt`` finds it offline.

:func:`build_wheel` writes the wheel from what is installed, without a build backend or network:
the files of the imported ``boiler_core`` package (an editable install's source tree or a wheel
install's site-packages folder; bytecode caches and hidden files left out) and the
distribution's metadata (``METADATA``, ``entry_points.txt``). The archive is deterministic: sorted
entries, fixed timestamps and modes, so the same code gives the same bytes and the functions venv
is rebuilt only when boiler changed.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import importlib.metadata
import os
import re
import zipfile
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

import boiler_core
from boiler_core.codegen.requirements import DISTRIBUTION
from boiler_core.deploy.errors import DeployError

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
"""Timestamp of every entry: the earliest a zip file can hold, so the bytes never depend on when
or where the wheel was made."""

_SKIPPED_DIRS = {"__pycache__"}
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
_COPIED_METADATA = ("METADATA", "entry_points.txt")


@dataclass(frozen=True)
class Wheel:
    """A wheel written by :func:`build_wheel`."""

    path: Path
    version: str
    sha256: str
    """Hex digest of the whole file."""

    files: int
    """Number of files of the package in it (without the metadata)."""


def wheel_name(version: str) -> str:
    """``boiler_core-VERSION-py3-none-any.whl``."""
    return f"{_escaped(DISTRIBUTION)}-{_escaped_version(version)}-py3-none-any.whl"


def build_wheel(out_dir: Path) -> Wheel:
    """Write a wheel of the running boiler into ``out_dir`` (replacing boiler wheels of other
    versions there); :class:`DeployError` when boiler is not installed as a distribution (for
    instance only put on ``sys.path``)."""
    dist = _distribution()
    version = dist.version
    package_dir = Path(boiler_core.__file__).resolve().parent
    if version != boiler_core.__version__:
        raise DeployError(
            f"the installed metadata of boiler says version {version}, its code says "
            f"{boiler_core.__version__}: reinstall boiler (pip install -e . in its repository, or "
            "pip install of the new wheel)"
        )
    dist_info = f"{_escaped(DISTRIBUTION)}-{_escaped_version(version)}.dist-info"
    entries: list[tuple[str, bytes]] = [
        (f"{package_dir.name}/{relative}", (package_dir / relative).read_bytes())
        for relative in _package_files(package_dir)
    ]
    count = len(entries)
    metadata = _metadata(dist)
    entries.extend((f"{dist_info}/{name}", data) for name, data in sorted(metadata.items()))
    entries.append((f"{dist_info}/WHEEL", _wheel_file(version)))
    record = "".join(f"{name},{_digest(data)},{len(data)}\n" for name, data in entries)
    record += f"{dist_info}/RECORD,,\n"
    entries.append((f"{dist_info}/RECORD", record.encode()))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / wheel_name(version)
    scratch = path.with_name(path.name + ".part")
    with zipfile.ZipFile(scratch, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
    os.replace(scratch, path)
    for older in out_dir.glob(f"{_escaped(DISTRIBUTION)}-*.whl"):
        if older != path:  # a wheel of another boiler version, kept by an earlier --keep-bundle
            older.unlink()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Wheel(path=path, version=version, sha256=digest, files=count)


def _distribution() -> importlib.metadata.Distribution:
    """The installed distribution: the first with a ``.dist-info`` (``METADATA``) on ``sys.path``,
    else the first at all (a source tree's ``.egg-info`` holds ``PKG-INFO`` instead)."""
    found = list(importlib.metadata.distributions(name=DISTRIBUTION))
    for dist in found:
        if dist.read_text("METADATA") is not None:
            return dist
    if found:
        return found[0]
    raise DeployError(
        f"boiler runs from {Path(boiler_core.__file__).parent} without the {DISTRIBUTION} "
        "distribution's metadata, so no wheel of it can be made: install boiler with pip "
        "(pip install boiler-core WHEEL, or pip install -e . in its repository)"
    )


def _package_files(package_dir: Path) -> list[str]:
    """Paths of the package's files relative to ``package_dir``, sorted, ``/``-separated."""
    found = []
    for folder, dirs, files in os.walk(package_dir):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        for name in files:
            if name.startswith(".") or name.endswith(_SKIPPED_SUFFIXES):
                continue
            found.append((Path(folder) / name).relative_to(package_dir).as_posix())
    return sorted(found)


def _metadata(dist: importlib.metadata.Distribution) -> dict[str, bytes]:
    """The distribution's metadata files that belong in a wheel; ``License-File`` headers whose
    file the installation does not hold are dropped (the wheel carries what it names)."""
    found = {}
    for name in _COPIED_METADATA:
        text = dist.read_text(name)
        if text is None and name == "METADATA":
            text = dist.read_text("PKG-INFO")
        if text is not None:
            found[name] = text
    licenses = HeaderParser().parsestr(found.get("METADATA", "")).get_all("License-File") or []
    for license_name in licenses:
        text = dist.read_text(f"licenses/{license_name}")
        if text is None:
            pattern = rf"^License-File: {re.escape(license_name)}\n"
            found["METADATA"] = re.sub(pattern, "", found["METADATA"], flags=re.MULTILINE)
        else:
            found[f"licenses/{license_name}"] = text
    return {name: text.encode("utf-8") for name, text in found.items()}


def _wheel_file(version: str) -> bytes:
    return (
        "Wheel-Version: 1.0\n"
        f"Generator: boiler {version}\n"
        "Root-Is-Purelib: true\n"
        "Tag: py3-none-any\n"
    ).encode()


def _digest(data: bytes) -> str:
    raw = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _escaped(name: str) -> str:
    """A distribution name as wheel file names spell it (runs of ``-_.`` become ``_``)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _escaped_version(version: str) -> str:
    """A (normalized) version as wheel file names spell it."""
    return version.replace("-", "_")


def remove_wheel(path: Path) -> None:
    """Remove a wheel :func:`build_wheel` wrote, and its folder when nothing else is in it."""
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()
