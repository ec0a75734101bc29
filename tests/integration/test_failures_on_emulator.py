"""A root whose documents Firestore refuses, one whose documents boiler knows it would refuse, and
a hook that raises, as ``boiler backfill`` and ``boiler verify`` report them against the
emulator: one line each, the other roots built.

The app is written here; the commands run in process on a project without triggers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from google.cloud.firestore import Client

from boiler_core.cli import main

pytestmark = pytest.mark.integration

VIEWS_YAML = """\
version: 1
project: {emulator_project_id: demo-tagged}
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
      groups: {hook: tagged.hooks:groups, reads: [tags]}
"""

HOOKS = '''\
"""Hooks of the notes app."""


def groups(sources):
    """The tags; with ``pairs`` in pairs (lists in a list, which Firestore cannot store); with
    ``keyed`` under a key longer than a field path may be (Firestore refuses it at commit)."""
    tags = sources.root.get("tags")
    if not isinstance(tags, list):
        raise ValueError(f"tags must be a list, not {tags!r}")
    if sources.root.get("pairs"):
        return [tags[i : i + 2] for i in range(0, len(tags), 2)]
    if sources.root.get("keyed"):
        return {"k" * 1600: tags}
    return tags
'''

NESTED = (
    "failed     view note_cards: the documents computed for notes/n2 cannot be stored: "
    "note_cards/n2: field groups.0 is a list directly inside a list, which Firestore cannot store"
)
REFUSED = (
    "failed     view note_cards: the documents computed for notes/n5 cannot be stored: Firestore "
    "rejected it: Property groups contains an invalid nested entity."
)
RAISED = (
    "failed     views.yaml:15:22: hook tagged.hooks:groups (field groups of view note_cards) "
    "raised ValueError: tags must be a list, not 'boom' on notes/n3"
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("notes")
    (root / "views.yaml").write_text(VIEWS_YAML)
    package = root / "functions" / "tagged"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "hooks.py").write_text(HOOKS)
    return root


def boiler(app: Path, client: Client, *args: str) -> Result:
    command = [args[0], "-f", str(app / "views.yaml"), "--project", str(client.project)]
    return CliRunner().invoke(main, [*command, *args[1:]])


def failed(result: Result) -> list[str]:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return [line.strip() for line in result.stdout.splitlines() if line.startswith("  failed")]


def test_documents_firestore_refuses_and_a_raising_hook_fail_their_root_only(
    app: Path, firestore_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(app)  # messages name files relative to the working directory
    db = firestore_client
    db.document("folders/inbox").set({"name": "Inbox"})
    inbox = db.document("folders/inbox")
    db.document("notes/n1").set({"text": "fine", "tags": ["a"], "folder": inbox})
    db.document("notes/n2").set({"text": "paired", "tags": ["a", "b", "c"], "pairs": True})
    db.document("notes/n3").set({"text": "no list", "tags": "boom", "folder": inbox})
    db.document("notes/n4").set({"text": "bad link", "tags": [], "folder": "folders/.."})
    db.document("notes/n5").set({"text": "keyed", "tags": ["a"], "keyed": True})

    built = boiler(app, db, "backfill", "--all", "--rate", "0")
    lines = failed(built)
    assert lines[0] == NESTED  # found before the commit
    assert lines[1].startswith(RAISED)
    assert lines[1].endswith(", at functions/tagged/hooks.py:9")
    assert lines[2] == REFUSED  # refused by the emulator at commit: its chunk split to find it
    assert len(lines) == 3
    assert "note_cards: 5 roots, 2 written, 0 deleted" in built.stdout
    n1 = db.document("note_cards/n1").get().to_dict() or {}
    assert (n1["text"], n1["folder"], n1["groups"]) == ("fine", "Inbox", ["a"])
    n4 = db.document("note_cards/n4").get().to_dict() or {}
    assert (n4["text"], n4["folder"], n4["groups"]) == ("bad link", None, [])  # leads nowhere
    for note in ("n2", "n3", "n5"):
        assert not db.document(f"note_cards/{note}").get().exists

    checked = boiler(app, db, "verify")  # a plan writes nothing: Firestore is not asked
    assert failed(checked) == lines[:2]
    assert "  missing    note_cards/n5\n" in checked.stdout

    repaired = boiler(app, db, "verify", "--repair")
    assert failed(repaired) == lines
    assert not db.document("note_cards/n5").get().exists
