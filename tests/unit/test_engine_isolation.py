"""A root that cannot be computed or stored fails alone while an event is handled: the other roots
of its chunk and the other views of the event are written, the root is one ERROR line, and the
invocation returns (a retry would fail the same way). Failures that may pass (contention, the
store) leave their view unfinished and raise :class:`Unfinished`, naming what a retry redoes."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import pytest
from delegating import Delegating
from meeting_room.fixture import MEETING_ID

from boiler_core.documents import Ref
from boiler_core.engine import Engine
from boiler_core.errors import ContentionError, Rejected, Unfinished
from boiler_core.manifest import Manifest, load_manifest_text
from boiler_core.rebuild import Verifier
from boiler_core.store.memory import MemoryStore
from boiler_core.store.port import Transaction
from boiler_core.testing import Harness, update, visible

T = TypeVar("T")

NOTES = """
version: 1
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
      summary: summary
      folder: folder.name
"""
"""Notes in folders: a folder's rename recomputes its notes, found by a query in the transaction."""

HOOKED = NOTES.replace("version: 1", "version: 1\nproject: {functions_dir: .}") + (
    '      length: {hook: "isolation_hooks:length", reads: [text]}\n'
)
"""The notes app with a hook from the functions folder (the test's own)."""

HOOKS = '''
def length(sources):
    """The text's length; raises on the text ``two``."""
    text = sources.root.get("text")
    if text == "two":
        raise ValueError("not this one")
    return len(text)
'''

FOLDER = Ref("folders/inbox")


def notes(manifest: str = NOTES, base_dir: Path | None = None, **texts: Any) -> Harness:
    """The notes app, each note in the inbox, built by their events."""
    app = Harness(load_manifest_text(manifest, base_dir=base_dir))
    app.write("folders/inbox", {"name": "Inbox"})
    for note, text in texts.items():
        app.write(f"notes/{note}", {"text": text, "folder": FOLDER})
    return app


def card(app: Harness, note: str) -> dict[str, Any]:
    return visible(app.store.doc(f"note_cards/{note}") or {})


def test_a_root_firestore_would_refuse_fails_alone_and_the_other_roots_and_views_are_written(
    seeded: Harness,
) -> None:
    """The attacker's case: one user's data (a list in a list) can be in no view document, and
    a change of a meeting he is in still updates every other participant's profile."""
    seeded.update("users/joshua", {"organization": [["SDSU"]]})
    seeded.logs.clear()

    cost = seeded.update(f"meetings/{MEETING_ID}", {"status": "closed"})

    assert {(f.view, f.document) for f in cost.failed} == {
        ("meeting_sessions", f"meetings/{MEETING_ID}"),
        ("user_profiles", "users/joshua"),
    }
    for failure in cost.failed:
        assert "is a list directly inside a list, which Firestore cannot store" in failure.reason
    for user in ("tijuana", "thomasina"):  # the same chunk as joshua's profile
        profile = seeded.store.doc(f"user_profiles/{user}") or {}
        assert profile["meetings"][0]["status"] == "closed"
    joshua = seeded.store.doc("user_profiles/joshua") or {}
    assert joshua["meetings"][0]["status"] == "in-session"  # stale, and reported
    assert cost.roots == 2
    *roots, line = seeded.logs
    assert [entry["severity"] for entry in roots] == ["ERROR", "ERROR"]
    assert {entry["boiler"]["failed_root"]["document"] for entry in roots} == {
        f"meetings/{MEETING_ID}",
        "users/joshua",
    }
    profile_line = next(e for e in roots if e["boiler"]["failed_root"]["view"] == "user_profiles")
    assert profile_line["boiler"]["failed_root"]["repair"] == "boiler verify --repair user_profiles"
    assert profile_line["message"].startswith(
        f"boiler meetings/{MEETING_ID}: root users/joshua of view user_profiles failed, the rest "
        "of the event was handled: view user_profiles: the documents computed for users/joshua "
        "cannot be stored: user_profiles/joshua: field organization.0 is a list directly inside "
        "a list, which Firestore cannot store"
    )
    assert line["severity"] == "WARNING"
    assert "2 roots failed (one ERROR line each)" in line["message"]


def test_verify_reports_the_failing_root_and_repairs_it_once_its_data_is_fixed(
    seeded: Harness,
) -> None:
    seeded.update("users/joshua", {"organization": [["SDSU"]]})
    verifier = Verifier(seeded.engine, seeded.store)

    check = verifier.check("user_profiles", repair=True)
    assert [(d.kind, d.path) for d in check.divergences] == [("failed", "users/joshua")]
    assert "field organization.0 is a list directly inside a list" in check.divergences[0].detail

    cost = seeded.update("users/joshua", {"organization": "SDSU"})  # the fix is an event
    assert cost.failed == ()
    assert verifier.check("user_profiles").divergences == []
    assert verifier.check("meeting_sessions").divergences == []


def test_a_raising_hook_fails_its_root_alone_among_the_roots_a_query_found(
    tmp_path: Path,
) -> None:
    (tmp_path / "isolation_hooks.py").write_text(HOOKS)
    app = notes(HOOKED, tmp_path, n1="one", n3="three")
    app.store.put("notes/n2", {"text": "two", "folder": FOLDER})  # never built
    app.logs.clear()

    cost = app.update("folders/inbox", {"name": "Archive"})

    [failure] = cost.failed
    assert failure.document == "notes/n2"
    assert failure.reason == (
        "views.yaml:17:22: hook isolation_hooks:length (field length of view note_cards) raised "
        f"ValueError: not this one on notes/n2, at {tmp_path / 'isolation_hooks.py'}:6"
    )
    assert [card(app, n).get("folder") for n in ("n1", "n2", "n3")] == ["Archive", None, "Archive"]
    assert card(app, "n3")["length"] == 5
    assert cost.roots == 2
    assert [entry["severity"] for entry in app.logs] == ["ERROR", "WARNING"]


class RefusingStore(Delegating[MemoryStore]):
    """Refuses, at commit, a transaction that sets a document holding ``refuse`` anywhere: a
    refusal the engine cannot foresee. Counts the transactions run."""

    def __init__(self, inner: MemoryStore) -> None:
        super().__init__(inner)
        self.transactions = 0

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        self.transactions += 1

        def refusing(tx: Transaction) -> T:
            watched = _Watching(tx)
            result = fn(watched)
            if watched.refused:
                raise Rejected("Firestore rejected it: a value it cannot take")
            return result

        return self.inner.run_transaction(refusing, max_attempts=max_attempts)


class _Watching:
    """A transaction that notes the paths it sets, and whether a document held ``refuse``."""

    def __init__(self, tx: Transaction) -> None:
        self._tx = tx
        self.refused = False
        self.paths: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    def set(self, path: str, data: Mapping[str, Any]) -> None:
        self.paths.append(path)
        self.refused |= "refuse" in repr(data)
        self._tx.set(path, data)


def test_a_commit_the_database_refuses_is_split_until_the_refused_root_fails_alone() -> None:
    app = notes(n1="one", n2="two", n3="three", n4="four", n5="five")
    app.store.put("notes/n4", {"text": "refuse me", "folder": FOLDER})  # no event yet
    store = RefusingStore(app.store)
    engine = Engine(app.manifest, store, log=app.logs.append)

    cost = engine.handle(update(app.store, "folders/inbox", {"name": "Archive"}))

    [failure] = cost.failed
    assert failure.reason == (
        "view note_cards: the documents computed for notes/n4 cannot be stored: Firestore "
        "rejected it: a value it cannot take"
    )
    folders = [card(app, f"n{i}").get("folder") for i in range(1, 6)]
    assert folders == ["Archive", "Archive", "Archive", "Inbox", "Archive"]
    # the chunk of 5; its halves n1-n2 and n3-n5; n3 and n4-n5; n4 and n5
    assert store.transactions == 7
    assert cost.roots == 4


def test_a_document_over_firestores_size_limit_is_refused_before_the_commit() -> None:
    app = notes(n1="one")
    cost = app.write(
        "notes/n2", {"text": "x" * 600_000, "summary": "y" * 600_000, "folder": FOLDER}
    )

    [failure] = cost.failed
    assert re.fullmatch(
        r"view note_cards: the documents computed for notes/n2 cannot be stored: "
        r"note_cards/n2 would be 1,200,\d{3} bytes, over Firestore's limit of 1,048,576 bytes "
        r"per document",
        failure.reason,
    ), failure.reason
    assert app.store.doc("note_cards/n2") is None
    cost = app.update("folders/inbox", {"name": "Archive"})  # its chunk: n1 written, n2 fails
    assert card(app, "n1")["folder"] == "Archive"
    assert [f.document for f in cost.failed] == ["notes/n2"]


def test_a_value_over_firestores_value_limit_is_named_with_its_size() -> None:
    app = notes()
    [failure] = app.write("notes/n1", {"text": "x" * 1_048_488}).failed
    assert failure.reason.endswith(
        "note_cards/n1: field text holds 1,048,488 bytes, over Firestore's limit of 1,048,487 "
        "bytes per value"
    )


def test_writes_too_large_for_one_commit_are_split_and_all_written() -> None:
    big = "z" * 900_000
    app = notes(n1=big, n2=big, n3=big, n4=big)
    store = RefusingStore(app.store)
    engine = Engine(app.manifest, store, log=app.logs.append)

    cost = engine.handle(update(app.store, "folders/inbox", {"name": "Archive"}))

    assert cost.failed == ()
    assert [card(app, f"n{i}")["folder"] for i in range(1, 5)] == ["Archive"] * 4
    assert store.transactions == 3  # 3.6 MB: the chunk, then two halves of 1.8 MB


class HotTicket(Delegating[MemoryStore]):
    """Another writer changes a ticket during every transaction: only `meeting_sessions` reads
    tickets, so only its transactions conflict."""

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        def contended(tx: Transaction) -> T:
            result = fn(tx)
            ticket = self.inner.doc("tickets/tj_t") or {}
            self.inner.put("tickets/tj_t", {**ticket, "n": ticket.get("n", 0) + 1})
            return result

        return self.inner.run_transaction(contended, max_attempts=max_attempts)


def test_an_unfinished_view_is_named_and_retrying_exactly_it_converges(
    manifest: Manifest, seeded: Harness
) -> None:
    change = update(seeded.store, "users/tijuana", {"first_name": "Tia"})
    contended = Engine(manifest, HotTicket(seeded.store), log=lambda e: None, max_attempts=2)
    with pytest.raises(Unfinished) as caught:
        contended.handle(change)
    assert caught.value.views == ("meeting_sessions",)
    assert isinstance(caught.value.__cause__, ContentionError)
    assert str(caught.value).startswith(
        "users/tijuana: view meeting_sessions not brought up to date: ContentionError: gave up"
    )
    assert (seeded.store.doc("user_profiles/tijuana") or {})["first_name"] == "Tia"

    retried = seeded.engine.handle(change, views=caught.value.views)

    assert retried.views == ("meeting_sessions",)
    attending = (seeded.store.doc(f"meeting_sessions/{MEETING_ID}") or {})["attending"]
    assert "Tia Furlong" in [a["name"] for a in attending]
    verifier = Verifier(seeded.engine, seeded.store)
    assert [verifier.check(v).divergences for v in manifest.views] == [[], []]


class SessionsDown(Delegating[MemoryStore]):
    """A store that fails every transaction writing a `meeting_sessions` document."""

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        def failing(tx: Transaction) -> T:
            watched = _Watching(tx)
            result = fn(watched)
            if any(path.startswith("meeting_sessions/") for path in watched.paths):
                raise ConnectionError("the database went away")
            return result

        return self.inner.run_transaction(failing, max_attempts=max_attempts)


@pytest.mark.parametrize("parallel", [1, 4])
def test_a_failing_store_leaves_its_view_unfinished_while_the_other_view_finishes(
    manifest: Manifest, seeded: Harness, parallel: int
) -> None:
    lines: list[dict[str, Any]] = []
    engine = Engine(manifest, SessionsDown(seeded.store), log=lines.append, parallel=parallel)
    with pytest.raises(Unfinished) as caught:
        engine.handle(update(seeded.store, "users/tijuana", {"first_name": "Tia"}))
    assert caught.value.views == ("meeting_sessions",)
    assert isinstance(caught.value.__cause__, ConnectionError)
    assert (seeded.store.doc("user_profiles/tijuana") or {})["first_name"] == "Tia"
    [line] = lines
    assert line["severity"] == "ERROR"
    assert line["boiler"]["unfinished"] == ["meeting_sessions"]
