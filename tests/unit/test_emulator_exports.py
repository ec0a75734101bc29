"""Which file of an export folder the emulator imports, and what a folder without one says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from boiler_core.emulator import EmulatorDataError
from boiler_core.emulator.exports import METADATA_FILE, import_source

OVERALL = "firestore_export/firestore_export.overall_export_metadata"


def export_folder(root: Path, metadata: object) -> Path:
    (root / "firestore_export").mkdir(parents=True)
    (root / OVERALL).write_bytes(b"\x00")
    (root / METADATA_FILE).write_text(json.dumps(metadata))
    return root


def test_a_firebase_export_folder_names_its_firestore_metadata_file(tmp_path: Path) -> None:
    folder = export_folder(tmp_path / "data", {"firestore": {"metadata_file": OVERALL}})
    assert import_source(folder) == folder / OVERALL


def test_a_gcloud_export_without_firebase_metadata_is_found_by_its_file(tmp_path: Path) -> None:
    nested = tmp_path / "2026-12-01T10:00:00_1"
    nested.mkdir()
    (nested / "2026-12-01T10:00:00_1.overall_export_metadata").write_bytes(b"\x00")
    assert import_source(tmp_path).name == "2026-12-01T10:00:00_1.overall_export_metadata"


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"auth": {}}, "names no Firestore data"),
        ({"firestore": {"metadata_file": "elsewhere/x.overall_export_metadata"}}, "does not exist"),
        ([1, 2], "unreadable"),
    ],
)
def test_a_metadata_file_without_usable_firestore_data_is_named(
    tmp_path: Path, metadata: object, message: str
) -> None:
    folder = export_folder(tmp_path / "data", metadata)
    with pytest.raises(EmulatorDataError, match=message):
        import_source(folder)


def test_a_missing_folder_says_what_to_give(tmp_path: Path) -> None:
    with pytest.raises(EmulatorDataError, match=r"no such folder.*boiler dev --export"):
        import_source(tmp_path / "nothing")


def test_a_folder_without_any_export_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EmulatorDataError, match="no export found"):
        import_source(tmp_path)
