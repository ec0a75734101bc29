"""Emulator data kept across runs: exported from a running emulator, imported when one starts.

An export folder has the layout ``firebase emulators:export`` writes, so each tool reads the
other's::

    DIR/firebase-export-metadata.json   {"firestore": {"path": "firestore_export",
                                          "metadata_file": "firestore_export/firestore_export
                                                            .overall_export_metadata"}, ...}
    DIR/firestore_export/...            the Firestore emulator's own export files

Exporting calls the emulator's ``POST /emulator/v1/projects/{p}:export`` into a new folder beside
``DIR`` that replaces ``DIR`` only once complete, so a failed export never destroys the last good
one. Importing passes the metadata file to the emulator's ``--seed_from_export`` flag at start,
before any trigger is registered: the imported documents (views included) are loaded as they
were, without waking a trigger. A folder holding only a ``gcloud firestore export`` (one
``*.overall_export_metadata`` file) is imported too.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from boiler_core.emulator.admin import EmulatorAdmin
from boiler_core.emulator.errors import EmulatorDataError, EmulatorRequestFailed

METADATA_FILE = "firebase-export-metadata.json"
"""The file naming each emulator's part of an export folder (firebase-tools' name)."""

FIRESTORE_EXPORT = "firestore_export"
"""The Firestore part's folder and export name inside an export folder."""

OVERALL_SUFFIX = ".overall_export_metadata"


def import_source(folder: Path) -> Path:
    """The file to pass to ``--seed_from_export`` for the export in ``folder``; raises
    :class:`EmulatorDataError` when ``folder`` holds no Firestore export."""
    if not folder.is_dir():
        raise EmulatorDataError(
            f"--import {folder}: no such folder. Give a folder written by `boiler dev --export` "
            "or `firebase emulators:export`"
        )
    metadata = folder / METADATA_FILE
    if metadata.is_file():
        try:
            firestore = json.loads(metadata.read_text(encoding="utf-8")).get("firestore")
            relative = firestore["metadata_file"] if isinstance(firestore, dict) else None
        except (ValueError, KeyError, AttributeError) as exc:
            raise EmulatorDataError(f"--import {folder}: {metadata} is unreadable: {exc}") from None
        if not isinstance(relative, str):
            raise EmulatorDataError(
                f"--import {folder}: {metadata} names no Firestore data "
                "(no firestore.metadata_file)"
            )
        source = folder / relative
        if not source.is_file():
            raise EmulatorDataError(
                f"--import {folder}: {metadata} names {relative}, which does not exist"
            )
        return source
    found = sorted(folder.rglob(f"*{OVERALL_SUFFIX}"))
    if len(found) == 1:
        return found[0]
    what = "several exports" if found else "no export"
    raise EmulatorDataError(
        f"--import {folder}: {what} found: expected {METADATA_FILE} (written by `boiler dev "
        f"--export` or `firebase emulators:export`) or exactly one *{OVERALL_SUFFIX} file"
    )


def export_data(admin: EmulatorAdmin, folder: Path, *, version: str) -> None:
    """Export the emulator's documents to ``folder``, replacing what it held once the export is
    complete. ``version`` is recorded in the metadata file. Raises :class:`EmulatorDataError`."""
    folder = folder.resolve()
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.export-", dir=folder.parent))
    except OSError as exc:
        raise EmulatorDataError(f"cannot export to {folder}: {exc}") from None
    try:
        admin.export(staging, FIRESTORE_EXPORT)
        metadata = {
            "version": version,
            "firestore": {
                "version": version,
                "path": FIRESTORE_EXPORT,
                "metadata_file": f"{FIRESTORE_EXPORT}/{FIRESTORE_EXPORT}{OVERALL_SUFFIX}",
            },
        }
        (staging / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
        _replace(folder, staging)
    except EmulatorRequestFailed as exc:
        raise EmulatorDataError(f"cannot export to {folder}: {exc}") from None
    except OSError as exc:
        raise EmulatorDataError(f"cannot export to {folder}: {exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace(folder: Path, staging: Path) -> None:
    """Put ``staging`` where ``folder`` is, removing the old one only after the swap."""
    if not folder.exists():
        staging.rename(folder)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old-", dir=folder.parent))
    old.rmdir()
    folder.rename(old)
    try:
        staging.rename(folder)
    except OSError:
        old.rename(folder)
        raise
    shutil.rmtree(old, ignore_errors=True)
