"""Poisoned and oversized documents, through the generated triggers on the emulator: each fails
its own root, every other view stays current, and ``boiler verify --repair`` reports those roots
and exits 1 without a traceback.

On the meeting-room app (the session's runtime): a meeting whose location reference names no
document Firestore can have (the poison that once made the triggers of other meetings fail), and
the profile of a user in eight meetings at a location with a 200 KB address (over 1 MiB). Their
domain writes come first; then changes of other documents recompute those roots together with
others (the other participants of a meeting, the meetings at a location), which must all be
written. On a notes app of its own (a runtime of its own): a hook that raises on one note, and
returns a list of lists (which Firestore cannot store) on another, among the notes of a folder.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import meeting_room_app
import pytest
from click.testing import CliRunner, Result
from emulator_reads import get
from google.cloud.firestore import Client

from boiler_core.cli import main
from boiler_core.codegen import render_all
from boiler_core.dispatch import Invocation, LocalRuntime, Record
from boiler_core.documents import Ref
from boiler_core.emulator import find_emulator
from boiler_core.manifest import load_manifest
from boiler_core.store.codec import to_firestore

pytestmark = pytest.mark.integration

MEETING_ROOM = str(meeting_room_app.VIEWS_YAML)
LONG = "9500 Gilman Drive, " * 10_527  # 200,013 characters
BIG_MEETINGS = [f"at_big_{i}" for i in range(8)]


def boiler(views_yaml: str | Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args[:1], "-f", str(views_yaml), *args[1:]])


def put(db: Client, path: str, data: dict[str, Any]) -> None:
    db.document(path).set(to_firestore(data, db))


def failed_lines(result: Result) -> list[str]:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return [line.strip() for line in result.stdout.splitlines() if line.startswith("  failed")]


def failed_roots(invocations: list[Invocation]) -> set[tuple[str, str]]:
    """The ``(view, root)`` of every root the invocations' cost lines list as failed."""
    return {
        (failed["view"], failed["document"])
        for invocation in invocations
        for failed in (invocation.cost or {}).get("failed", ())
    }


def failed_root_lines(runtime: LocalRuntime) -> list[dict[str, Any]]:
    """The ERROR lines of failed roots the functions printed."""
    text = runtime.dispatcher.log_path.read_text()
    return [json.loads(line) for line in text.splitlines() if '"failed_root"' in line]


def meeting(users: list[str], location: Any, status: str = "closed") -> dict[str, Any]:
    return {"status": status, "users": [Ref(f"users/{u}") for u in users], "location": location}


def test_an_oversized_profile_fails_alone_and_a_bad_reference_fails_nothing(
    app_db: Client, runtime: LocalRuntime, invocation_log: Any
) -> None:
    db = app_db
    start = len(invocation_log)
    for name in ("ada", "bo", "cy", "di"):
        put(db, f"users/{name}", {"first_name": name.title(), "last_name": "Test"})
    put(db, "locations/gilman", {"address": "9500 Gilman Drive"})
    put(db, "locations/big", {"address": LONG})
    put(db, "meetings/poison", meeting(["ada"], "locations/.."))  # a location no id can be
    put(db, "meetings/m1", meeting(["ada", "cy", "di"], Ref("locations/gilman")))
    for i, meeting_id in enumerate(BIG_MEETINGS):  # bo in all eight, cy in the first
        put(
            db,
            f"meetings/{meeting_id}",
            meeting(["bo", *(["cy"] if i == 0 else [])], Ref("locations/big")),
        )
    runtime.settle()

    # a change of m1 recomputes ada's profile with cy's and di's; the location's address
    # changes: eight meeting sessions and their copies (3.4 MB of writes, split in several
    # commits), and the profiles of bo (too large) and cy
    put(
        db, "meetings/m1", meeting(["ada", "cy", "di", "bo"], Ref("locations/gilman"), "in-session")
    )
    put(db, "locations/big", {"address": LONG.upper()})
    runtime.settle()

    for name in ("ada", "cy", "di"):
        profile = get(db, f"user_profiles/{name}") or {}
        statuses = {m["meeting"]: m["status"] for m in profile["meetings"]}
        assert statuses["m1"] == "in-session", name
    ada = get(db, "user_profiles/ada") or {}
    assert ada["meetings"][1] == {"meeting": "poison", "status": "closed", "address": None}
    assert (get(db, "meeting_sessions/poison") or {})["address"] is None
    session = get(db, "meeting_sessions/m1") or {}
    assert session["inSession"] is True
    assert get(db, "users/bo/meeting_sessions/m1") is not None
    for meeting_id in BIG_MEETINGS:
        assert (get(db, f"meeting_sessions/{meeting_id}") or {})["address"] == LONG.upper()
        copy = get(db, f"users/bo/meeting_sessions/{meeting_id}") or {}
        assert copy["address"] == LONG.upper()
    cy = get(db, "user_profiles/cy") or {}
    assert [m["address"] for m in cy["meetings"]] == [LONG.upper(), "9500 Gilman Drive"]
    bo = get(db, "user_profiles/bo") or {}  # as when it last fitted, some meetings ago: stale
    assert LONG.upper() not in [m["address"] for m in bo.get("meetings", [])]

    invocations = invocation_log.since(start)
    assert invocations
    assert all(i.ok for i in invocations)  # partial, not failed
    assert failed_roots(invocations) == {("user_profiles", "users/bo")}
    assert any(
        line["severity"] == "ERROR" and line["boiler"]["failed_root"]["document"] == "users/bo"
        for line in failed_root_lines(runtime)
    )

    checked = boiler(MEETING_ROOM, "verify")
    [reported] = failed_lines(checked)
    assert re.fullmatch(
        r"failed     view user_profiles: the documents computed for users/bo cannot be stored: "
        r"user_profiles/bo would be 1,6\d\d,\d{3} bytes, over Firestore's limit of 1,048,576 "
        r"bytes per document",
        reported,
    ), reported
    lines = checked.stdout.splitlines()
    summaries = {line.split(":")[0]: line for line in lines if not line.startswith(" ")}
    assert "; 0 missing, 0 extra, 0 different, 1 failed;" in summaries["user_profiles"]
    assert "; 0 missing, 0 extra, 0 different;" in summaries["meeting_sessions"]

    repaired = boiler(MEETING_ROOM, "verify", "--repair")
    assert failed_lines(repaired) == [reported]

    for meeting_id in BIG_MEETINGS[3:]:  # the fix is an event of its own: bo keeps three
        put(db, f"meetings/{meeting_id}", meeting([], Ref("locations/big")))
    runtime.settle()
    assert len((get(db, "user_profiles/bo") or {})["meetings"]) == 4
    clean = boiler(MEETING_ROOM, "verify")
    assert clean.exit_code == 0, clean.output


NOTES_YAML = """\
version: 1
project: {emulator_project_id: demo-notes, functions_dir: functions}
collections:
  notes: {path: "notes/{note}"}
  folders: {path: "folders/{folder}"}
views:
  note_cards:
    path: "note_cards/{note}"
    root: notes
    joins:
      folder: {collection: folders, ref: folder}
    fields:
      text: text
      folder: folder.name
      groups: {hook: notes_app.hooks:groups, reads: [tags]}
"""

NOTES_HOOKS = '''\
"""Hooks of the notes app."""


def groups(sources):
    """The tags, or with ``pairs`` the tags in pairs: a list of lists, which Firestore cannot
    store. Raises when the tags are not a list."""
    tags = sources.root.get("tags")
    if not isinstance(tags, list):
        raise ValueError(f"tags must be a list, not {tags!r}")
    if sources.root.get("pairs"):
        return [tags[i : i + 2] for i in range(0, len(tags), 2)]
    return tags
'''


@pytest.fixture(scope="module")
def notes_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The notes app, generated (views.yaml, functions/ with main.py)."""
    root = tmp_path_factory.mktemp("notes")
    (root / "views.yaml").write_text(NOTES_YAML)
    package = root / "functions" / "notes_app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "hooks.py").write_text(NOTES_HOOKS)
    for relative, content in render_all(load_manifest(root / "views.yaml")).items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(content)
    return root


@pytest.fixture
def notes_runtime(
    notes_app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[LocalRuntime, list[Invocation]]]:
    """The notes app's emulator and generated triggers, and every invocation they report."""
    invocations: list[Invocation] = []

    def on_record(record: Record) -> None:
        if isinstance(record, Invocation):
            invocations.append(record)

    with LocalRuntime(
        find_emulator(os.environ),
        functions_dir=notes_app / "functions",
        project="demo-notes",
        env=os.environ,
        workdir=tmp_path,
        on_record=on_record,
    ) as runtime:
        monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", runtime.emulator_host)
        yield runtime, invocations


def test_a_raising_hook_and_a_refused_document_fail_alone_among_a_folders_notes(
    notes_app: Path,
    notes_runtime: tuple[LocalRuntime, list[Invocation]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime, invocations = notes_runtime
    monkeypatch.chdir(notes_app)  # messages name files relative to the working directory
    db = Client(project="demo-notes")
    inbox = Ref("folders/inbox")
    put(db, "folders/inbox", {"name": "Inbox"})
    for note in ("n1", "n3", "n5"):
        put(db, f"notes/{note}", {"text": note, "tags": ["a"], "folder": inbox})
    put(db, "notes/n2", {"text": "paired", "tags": ["a", "b", "c"], "pairs": True, "folder": inbox})
    put(db, "notes/n4", {"text": "no list", "tags": "boom", "folder": inbox})
    runtime.settle()

    put(db, "folders/inbox", {"name": "Archive"})  # one event, five roots in one chunk
    runtime.settle()

    cards = {note: get(db, f"note_cards/{note}") for note in ("n1", "n2", "n3", "n4", "n5")}
    assert {n: (c or {}).get("folder") for n, c in cards.items()} == {
        "n1": "Archive",
        "n2": None,
        "n3": "Archive",
        "n4": None,
        "n5": "Archive",
    }
    assert all(i.ok for i in invocations)
    rename = [i for i in invocations if i.document.endswith("folders/inbox")][-1]
    assert failed_roots([rename]) == {("note_cards", "notes/n2"), ("note_cards", "notes/n4")}

    refused = (
        "failed     view note_cards: the documents computed for notes/n2 cannot be stored: "
        "note_cards/n2: field groups.0 is a list directly inside a list, which Firestore cannot "
        "store"
    )
    raised = (
        "failed     views.yaml:15:22: hook notes_app.hooks:groups (field groups of view "
        "note_cards) raised ValueError: tags must be a list, not 'boom' on notes/n4, at "
        "functions/notes_app/hooks.py:9"
    )
    for command in (("verify",), ("verify", "--repair")):
        assert failed_lines(boiler(notes_app / "views.yaml", *command)) == [refused, raised]
    db.close()  # type: ignore[no-untyped-call]
