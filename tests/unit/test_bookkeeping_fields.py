"""docs/security.md lists every bookkeeping field a reader of a view document can see.

The engine builds the views of two apps (the meeting-room app: a members view with copies, an
owner view with a deep join; the HTTP test app: another members view with copies, a public
view), with the project options on and off. Every ``_`` field it writes must be a row of the
table in docs/security.md, "Bookkeeping fields", and copies must hold ``_version`` only, as the
page says: a new bookkeeping field cannot reach readers without the page saying what it reveals.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from meeting_room.fixture import fixture_documents
from meeting_room_app import VIEWS_YAML

from boiler_core.manifest import Manifest, load_manifest_text
from boiler_core.testing import Harness

REPO = Path(__file__).resolve().parents[2]
SECURITY_PAGE = REPO / "docs" / "security.md"
HTTP_APP = Path(__file__).resolve().parent / "data" / "http_app"
OPTIONS = ("index_deep_sources",)


def documented() -> dict[str, str]:
    """The table's rows: bookkeeping field to its "in" column."""
    text = SECURITY_PAGE.read_text(encoding="utf-8")
    section = text.split("### Bookkeeping fields", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(_[a-z_]+)` \| ([^|]+) \|", section, flags=re.MULTILINE)
    return {name: where.strip() for name, where in rows}


def with_options(views_yaml: Path, on: bool) -> Manifest:
    text = views_yaml.read_text(encoding="utf-8")
    lines = "".join(f"\n  {option}: {str(on).lower()}" for option in OPTIONS)
    text = re.sub(r"\nproject:", "\nproject:" + lines, text, count=1)
    return load_manifest_text(text, base_dir=views_yaml.parent)


def meeting_room(on: bool) -> Harness:
    harness = Harness(with_options(VIEWS_YAML, on))
    for path, data in fixture_documents().items():
        harness.write(path, data)
    return harness


def boards(on: bool) -> Harness:
    harness = Harness(with_options(HTTP_APP / "views.yaml", on))
    harness.write("people/alice", {"name": "Alice"})
    harness.write("people/bob", {"name": "Bob"})
    harness.write("boards/b1", {"title": "Plans", "size": 1, "editors": ["alice", "bob"]})
    harness.write("notes/n1", {"board": "b1", "text": "a note"})
    return harness


def bookkeeping(harness: Harness) -> tuple[set[str], set[str]]:
    """The ``_`` fields in masters and in copies of every view the harness built."""
    masters: set[str] = set()
    copies: set[str] = set()
    for path, data in harness.store.dump().items():
        if path.split("/")[0] in harness.manifest.collections and path.count("/") == 1:
            continue  # a domain document
        names = {name for name in data if name.startswith("_")}
        (copies if path.count("/") > 1 else masters).update(names)
    return masters, copies


@pytest.mark.parametrize("on", [True, False], ids=["options on", "options off"])
@pytest.mark.parametrize("build", [meeting_room, boards], ids=["meeting room", "boards"])
def test_every_bookkeeping_field_written_is_in_the_security_page(build: object, on: bool) -> None:
    harness = build(on)  # type: ignore[operator]
    masters, copies = bookkeeping(harness)
    table = documented()
    assert masters <= set(table), f"undocumented in docs/security.md: {masters - set(table)}"
    assert copies == {"_version"}
    assert "every view document" in table["_version"]


def test_the_table_lists_no_field_the_engine_never_writes() -> None:
    written: set[str] = set()
    for build in (meeting_room, boards):
        for on in (True, False):
            written |= bookkeeping(build(on))[0]
    assert set(documented()) == written
