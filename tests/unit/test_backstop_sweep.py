"""The backstop's rolling verification, in memory: each run verifies and repairs a bounded slice
of every view from a saved cursor, starts over at the end, says each repair on one WARNING line
and each failing root on its failed_root line, stops at its time limit, and is off with
``verify_roots: 0``."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from meeting_room.fixture import MEETING_ID, fixture_documents

from boiler_core.codegen.embed import manifest_text
from boiler_core.codegen.main_py import render_main_py
from boiler_core.documents import Ref
from boiler_core.engine import Engine
from boiler_core.errors import ManifestError, StoreError
from boiler_core.functions_runtime import Triggers
from boiler_core.manifest import Manifest, load_manifest_text
from boiler_core.manifest.model import BackstopSettings
from boiler_core.rebuild import Verifier
from boiler_core.rebuild.sweep import SWEEP_DOCUMENT, Cursor, Sweep, SweepReport
from boiler_core.retry import Retrier
from boiler_core.store.memory import MemoryStore
from boiler_core.testing import Harness, update
from boiler_core.testing.oracle import expected_views, stored_views

MASTER = f"meeting_sessions/{MEETING_ID}"
MEETING = f"meetings/{MEETING_ID}"
PROFILES = "user_profiles"
SESSIONS = "meeting_sessions"


def sweep(app: Harness, roots: int, **options: Any) -> Sweep:
    engine = Engine(app.manifest, app.store, log=lambda entry: None)
    return Sweep(engine, app.store, roots=roots, **options)


def backstop(app: Harness, roots: int) -> tuple[Retrier, list[dict[str, Any]]]:
    logs: list[dict[str, Any]] = []
    engine = Engine(app.manifest, app.store, log=lambda entry: None)
    retrier = Retrier(
        app.manifest,
        engine,
        queue=None,
        pending=None,
        log=logs.append,
        sweep=Sweep(engine, app.store, roots=roots),
    )
    return retrier, logs


def exact(app: Harness) -> bool:
    return stored_views(app.manifest, app.store) == expected_views(app.manifest, app.store)


def view(report: SweepReport, name: str) -> Any:
    [found] = [v for v in report.views if v.view == name]
    return found


def test_consecutive_runs_walk_each_view_by_path_and_start_over_at_the_end(
    seeded: Harness,
) -> None:
    rolling = sweep(seeded, roots=1)
    runs = [rolling.run(rolling.timer()) for _ in range(5)]
    profiles = [view(run, PROFILES) for run in runs]
    assert [p.cursor.roots_after for p in profiles] == [
        "users/joshua",
        "users/thomasina",
        "users/tijuana",
        "users/joshua",  # the last run stopped on the last root: this one started over at once
        "users/thomasina",
    ]
    assert [p.roots for p in profiles] == [1, 1, 1, 1, 1]
    assert [p.roots_wrapped for p in profiles] == [False, False, False, True, False]
    stored = [(p.cursor.source, p.cursor.stored_after) for p in profiles]
    assert stored[:3] == [
        ("'user_profiles'", "user_profiles/joshua"),
        ("'user_profiles'", "user_profiles/thomasina"),
        ("'user_profiles'", "user_profiles/tijuana"),
    ]
    sessions = [view(run, SESSIONS) for run in runs]  # one meeting: every run walks it all
    assert [s.roots_wrapped for s in sessions] == [False, True, True, True, True]
    assert all(run.repaired == 0 and run.failed == 0 for run in runs)
    saved = seeded.store.doc(SWEEP_DOCUMENT)
    assert saved is not None
    assert saved["views"][PROFILES]["roots_after"] == "users/thomasina"
    assert set(saved["views"]) == {SESSIONS, PROFILES}


def test_a_run_checks_at_most_verify_roots_roots_and_stored_documents_per_view(
    seeded: Harness,
) -> None:
    for n in range(4):
        seeded.write(f"meetings/extra_{n}", {"users": [Ref("users/joshua")], "status": "open"})
    rolling = sweep(seeded, roots=2)
    report = rolling.run(rolling.timer())
    for checked in report.views:
        assert checked.roots == 2
        assert checked.documents == 2
    sessions = view(report, SESSIONS)
    assert sessions.cursor.roots_after == "meetings/extra_1"  # in path order
    whole = Verifier(rolling.engine, seeded.store)
    for checked in report.views:  # a slice reads a part of what verifying the view reads
        assert 0 < checked.reads < whole.check(checked.view).reads


def test_each_repair_is_one_warning_line_and_the_runs_bring_every_view_exact(
    seeded: Harness,
) -> None:
    """What lost events leave behind: a missing master, a stale profile, a copy of a former
    member, and a master whose root is gone."""
    seeded.store.remove(MASTER)
    seeded.store.put("user_profiles/joshua", {"first_name": "stale"})
    seeded.store.put("meeting_sessions/gone", {"status": "open"})
    meeting = seeded.store.doc(MEETING) or {}
    update(seeded.store, MEETING, {"users": [u for u in meeting["users"] if u.id != "tijuana"]})
    assert not exact(seeded)
    retrier, logs = backstop(seeded, roots=1)

    runs = 0
    while not exact(seeded):
        retrier.backstop(limit=50)
        runs += 1
        assert runs <= 6, "every view is checked end to end within ceil(documents / 1) runs"

    repaired = {
        (line["boiler"]["repaired"]["document"], line["boiler"]["repaired"]["kind"])
        for line in logs
        if "repaired" in line["boiler"]
    }
    assert {
        (MASTER, "missing"),
        ("user_profiles/joshua", "different"),
        ("meeting_sessions/gone", "extra"),
        (f"users/tijuana/{MASTER}", "extra"),
        ("user_profiles/tijuana", "different"),
    } <= repaired
    line = next(e for e in logs if "repaired" in e["boiler"])
    assert line["severity"] == "WARNING"
    assert "an event was lost and has been repaired" in line["message"]
    assert set(line["boiler"]["repaired"]) == {"view", "document", "kind", "root", "detail"}
    summaries = [e for e in logs if "backstop" in e["boiler"]]
    assert len(summaries) == runs
    assert sum(e["boiler"]["backstop"]["repaired"] for e in summaries) == len(
        [e for e in logs if "repaired" in e["boiler"]]
    )
    assert summaries[0]["severity"] == "WARNING"
    first = summaries[0]["boiler"]["backstop"]
    assert first["roots"] == 2  # one per view
    assert set(first["views"]) == {SESSIONS, PROFILES}
    assert first["views"][PROFILES]["roots_after"] == "users/joshua"

    retrier.backstop(limit=50)  # exact now: nothing more to repair
    last = [e for e in logs if "backstop" in e["boiler"]][-1]
    assert last["severity"] == "INFO"
    assert last["boiler"]["backstop"]["repaired"] == 0
    assert "0 divergences repaired" in last["message"]


NOTES = """
version: 1
project: {functions_dir: .}
collections:
  notes: {path: "notes/{note}"}
views:
  note_cards:
    path: "note_cards/{note}"
    root: notes
    fields:
      text: text
      length: {hook: "sweep_hooks:length", reads: [text]}
"""

HOOKS = '''
def length(sources):
    """The text's length; raises on the text ``two``."""
    text = sources.root.get("text")
    if text == "two":
        raise ValueError("not this one")
    return len(text)
'''


def test_a_root_that_fails_is_its_failed_root_line_and_the_others_are_repaired(
    tmp_path: Path,
) -> None:
    (tmp_path / "sweep_hooks.py").write_text(HOOKS)
    app = Harness(load_manifest_text(NOTES, base_dir=tmp_path))
    for note in ("n1", "n2", "n3"):
        app.store.put(f"notes/{note}", {"text": {"n2": "two"}.get(note, note)})  # never built
    retrier, logs = backstop(app, roots=10)

    retrier.backstop(limit=50)

    [failed] = [e for e in logs if "failed_root" in e["boiler"]]
    assert failed["severity"] == "ERROR"
    record = failed["boiler"]["failed_root"]
    assert record["document"] == "notes/n2"
    assert "raised ValueError: not this one on notes/n2" in record["reason"]
    assert record["repair"] == "boiler verify --repair note_cards"
    assert {e["boiler"]["repaired"]["document"] for e in logs if "repaired" in e["boiler"]} == {
        "note_cards/n1",
        "note_cards/n3",
    }
    summary = logs[-1]["boiler"]["backstop"]
    assert (summary["roots"], summary["repaired"], summary["failed"]) == (3, 2, 1)


def test_a_run_stops_starting_work_at_its_time_limit_and_the_next_goes_on(
    seeded: Harness,
) -> None:
    ticks = itertools.count()  # each reading of the clock is a second later
    rolling = sweep(seeded, roots=1, seconds=3, timer=lambda: float(next(ticks)))

    report = rolling.run(rolling.timer())

    assert report.out_of_time  # one root of the first view checked, then the time was up
    assert [(v.view, v.roots, v.documents) for v in report.views] == [(SESSIONS, 1, 0)]
    saved = seeded.store.doc(SWEEP_DOCUMENT) or {}
    assert saved["views"] == {SESSIONS: report.views[0].cursor.to_data()}
    assert saved["views"][SESSIONS]["roots_after"] == MEETING

    patient = sweep(seeded, roots=1)
    later = patient.run(patient.timer())
    assert not later.out_of_time
    sessions = view(later, SESSIONS)  # went on: its stored documents from their first
    assert (sessions.documents, sessions.cursor.stored_after) == (1, MASTER)
    assert view(later, PROFILES).cursor.roots_after == "users/joshua"


def test_cursors_of_removed_views_are_dropped_and_unreadable_ones_start_over(
    seeded: Harness,
) -> None:
    seeded.store.put(
        SWEEP_DOCUMENT,
        {"views": {"gone": {"roots_after": "x/y"}, PROFILES: {"roots_after": 7}}},
    )
    rolling = sweep(seeded, roots=1)
    report = rolling.run(rolling.timer())
    assert view(report, PROFILES).cursor.roots_after == "users/joshua"
    saved = seeded.store.doc(SWEEP_DOCUMENT) or {}
    assert set(saved["views"]) == {SESSIONS, PROFILES}
    assert Cursor.from_data(None) == Cursor()


@pytest.mark.parametrize("roots", [0, 3])
def test_verify_roots_zero_turns_the_sweep_off(
    manifest: Manifest, meeting_room_project: Path, roots: int, capsys: pytest.CaptureFixture[str]
) -> None:
    project = replace(manifest.project, backstop=BackstopSettings(verify_roots=roots))
    changed = replace(manifest, project=project)
    assert ("verify and repair the next 3 roots" in render_main_py(changed)) is bool(roots)
    store = MemoryStore()
    triggers = Triggers(
        manifest_text(changed),
        base_dir=meeting_room_project / "functions",
        engine_factory=lambda m, _: Engine(m, store, log=lambda entry: None),
    )
    capsys.readouterr()

    report = triggers.on_schedule()

    [line] = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    assert (report.swept is not None) is bool(roots)
    assert ("roots" in line["boiler"]["backstop"]) is bool(roots)
    assert (store.doc(SWEEP_DOCUMENT) is not None) is bool(roots)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "project.backstop.verify_roots must be at least 0, not -1"),
        ("5001", "project.backstop.verify_roots must be at most 5000, not 5001"),
        ("lots", "project.backstop.verify_roots must be an integer"),
    ],
)
def test_verify_roots_is_checked_with_its_place(value: str, message: str) -> None:
    text = f"version: 1\nproject:\n  backstop: {{verify_roots: {value}}}\ncollections: {{}}\n"
    with pytest.raises(ManifestError) as raised:
        load_manifest_text(text, file="views.yaml", import_code=False)
    assert f"views.yaml:3:28: error: {message}" in str(raised.value)


def test_a_run_whose_replays_took_its_time_says_it_verified_nothing(seeded: Harness) -> None:
    logs: list[dict[str, Any]] = []
    engine = Engine(seeded.manifest, seeded.store, log=lambda entry: None)
    ticks = itertools.count(step=100)  # every reading of the clock is past the limit
    late = Sweep(engine, seeded.store, roots=1, timer=lambda: float(next(ticks)))
    retrier = Retrier(
        seeded.manifest, engine, queue=None, pending=None, log=logs.append, sweep=late
    )

    report = retrier.backstop(limit=50)

    assert report.swept is not None
    assert (report.swept.views, report.swept.out_of_time) == ((), True)
    [line] = logs
    assert line["message"].endswith("verification not run: the replays took the run's time")
    assert seeded.store.doc(SWEEP_DOCUMENT) is None  # nothing done: nothing written


TEAMS = """
version: 1
collections:
  teams: {path: "teams/{team}"}
  people: {path: "people/{person}"}
views:
  team_cards:
    path: "team_cards/{team}"
    root: teams
    joins:
      people: {collection: people, refs: people}
    fields:
      name: name
    copies:
      - path: people/{person}/my_teams/{team}
        for_each: people
"""
"""A view whose copies live in a collection of their own: two collections of stored documents."""


def test_the_stored_documents_are_walked_collection_after_collection(tmp_path: Path) -> None:
    app = Harness(load_manifest_text(TEAMS, base_dir=tmp_path))
    app.write("people/ann", {})
    app.write("people/bob", {})
    app.write("teams/t1", {"name": "One", "people": [Ref("people/ann"), Ref("people/bob")]})
    app.store.put("people/ann/my_teams/gone", {"name": "Gone"})  # its team's deletion was lost
    rolling = sweep(app, roots=2)

    walked = []
    for _ in range(3):
        [cards] = rolling.run(rolling.timer()).views
        walked.append((cards.documents, cards.cursor.source, cards.cursor.stored_after))

    assert walked == [
        (2, "collection group 'my_teams'", "people/ann/my_teams/gone"),  # the master, then one
        (2, "collection group 'my_teams'", "people/bob/my_teams/t1"),  # the last two
        (2, "collection group 'my_teams'", "people/ann/my_teams/t1"),  # the end: started over
    ]
    assert app.store.doc("people/ann/my_teams/gone") is None
    assert exact(app)


class Failing(MemoryStore):
    """A store whose listings of ``broken`` fail, as a database that cannot be reached."""

    broken = "meetings"

    def list_paths(
        self, collection: str, *, group: bool = False, after: str | None = None, limit: int = 300
    ) -> list[str]:
        if collection == self.broken:
            raise StoreError("unavailable")
        return super().list_paths(collection, group=group, after=after, limit=limit)


def test_a_view_whose_slice_the_database_fails_says_so_and_the_others_go_on(
    manifest: Manifest,
) -> None:
    app = Harness(manifest, store=Failing())
    for path, data in fixture_documents().items():
        app.write(path, data)
    retrier, logs = backstop(app, roots=10)

    report = retrier.backstop(limit=50)

    assert report.swept is not None
    broken = view(report.swept, SESSIONS)
    assert broken.error == "StoreError: unavailable"
    assert (broken.roots, broken.cursor) == (0, Cursor())
    assert view(report.swept, PROFILES).roots == 3
    summary = logs[-1]
    assert summary["severity"] == "WARNING"
    assert "meeting_sessions: no root yet, no stored document yet" in summary["message"]
    assert "stopped: StoreError: unavailable" in summary["message"]
