"""``boiler verify`` and ``boiler backfill`` as a user runs them, on an in-memory store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from meeting_room.fixture import EXPECTED_MEETING_SESSION, MEETING_ID, fixture_documents
from meeting_room_app import FUNCTIONS_DIR, VIEWS_YAML

from boiler_core.cli import main
from boiler_core.cli.target import Target
from boiler_core.manifest import Manifest
from boiler_core.rebuild import record_path
from boiler_core.store.memory import MemoryStore
from boiler_core.testing import Harness, visible

MASTER = f"meeting_sessions/{MEETING_ID}"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the tests' meeting-room app (views.yaml + functions/) as the current folder."""
    shutil.copy(VIEWS_YAML, tmp_path / "views.yaml")
    shutil.copytree(FUNCTIONS_DIR / "meeting_room", tmp_path / "functions" / "meeting_room")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(store: MemoryStore, *args: str) -> Result:
    def opener(manifest: Manifest, project: str | None) -> Target:
        return Target(store, project or "demo-test", "in-memory test store")

    return CliRunner().invoke(main, list(args), obj={"open_target": opener})


def test_verify_reports_zero_divergences_on_current_views(project: Path, seeded: Harness) -> None:
    result = run(seeded.store, "verify")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("boiler verify: in-memory test store")
    assert "meeting_sessions: 1 root, 4 documents expected, 4 stored" in result.stdout
    assert "collection group 'meeting_sessions'" in result.stdout
    assert result.stdout.endswith("0 divergences in 2 views\n")


def test_verify_names_a_deleted_document_exits_1_and_repair_restores_it(
    project: Path, seeded: Harness
) -> None:
    seeded.store.remove(MASTER)
    result = run(seeded.store, "verify", "meeting_sessions")
    assert result.exit_code == 1
    assert f"  missing    {MASTER}\n" in result.stdout
    assert "1 divergence in 1 view (1 missing, 0 extra, 0 different)" in result.stdout
    assert "boiler verify --repair" in result.stdout

    repaired = run(seeded.store, "verify", "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "repaired: 1 written, 0 deleted" in repaired.stdout
    assert visible(seeded.store.doc(MASTER) or {}) == EXPECTED_MEETING_SESSION
    assert run(seeded.store, "verify").exit_code == 0


def test_verify_json_lists_each_divergence(project: Path, seeded: Harness) -> None:
    seeded.store.put("users/joshua/meeting_sessions/elsewhere", {"x": 1})
    result = run(seeded.store, "verify", "--json")
    assert result.exit_code == 1
    report: dict[str, Any] = json.loads(result.stdout)
    assert report["divergences"] == 1
    sessions = report["views"][0]
    assert sessions["divergences"] == [
        {
            "kind": "extra",
            "path": "users/joshua/meeting_sessions/elsewhere",
            "root": "elsewhere",
            "detail": "root gone",
        }
    ]
    assert sessions["definition"].startswith("no build record")


def test_verify_refuses_an_unknown_view_with_a_suggestion(project: Path) -> None:
    result = run(MemoryStore(), "verify", "meeting_session")
    assert result.exit_code == 1
    assert "no view 'meeting_session' in views.yaml (did you mean 'meeting_sessions'?)" in (
        result.stderr
    )


def test_backfill_needs_views_all_or_changed(project: Path) -> None:
    result = run(MemoryStore(), "backfill")
    assert result.exit_code == 2
    assert "name the views to rebuild, or pass --all or --changed" in result.stderr


def domain_only() -> MemoryStore:
    return MemoryStore(fixture_documents())


def test_backfill_all_builds_the_views_and_changed_then_finds_nothing(project: Path) -> None:
    store = domain_only()
    result = run(store, "backfill", "--all", "--rate", "0")
    assert result.exit_code == 0, result.output
    assert "meeting_sessions: 1 root, 4 written, 0 deleted" in result.stdout
    assert "user_profiles: 3 roots, 3 written, 0 deleted" in result.stdout
    assert visible(store.doc(MASTER) or {}) == EXPECTED_MEETING_SESSION
    assert store.doc(record_path("meeting_sessions")) is not None
    assert not (project / ".boiler" / "backfill-checkpoint.json").exists()

    again = run(store, "backfill", "--changed")
    assert again.exit_code == 0, again.output
    assert again.stdout == "all 2 views are built from their current definition\n"


def test_backfill_changed_rebuilds_exactly_the_edited_view(project: Path) -> None:
    store = domain_only()
    assert run(store, "backfill", "--all").exit_code == 0
    views_yaml = project / "views.yaml"
    views_yaml.write_text(
        views_yaml.read_text().replace("organization: organization", "org: organization")
    )
    result = run(store, "backfill", "--changed")
    assert result.exit_code == 0, result.output
    assert "user_profiles: definition changed since the build of" in result.stdout
    assert "user_profiles: 3 roots, 3 written" in result.stdout
    assert "meeting_sessions:" not in result.stdout
    assert (store.doc("user_profiles/joshua") or {})["org"] == "SDSU"


def test_backfill_dry_run_estimates_without_writing(project: Path) -> None:
    store = domain_only()
    before = store.dump()
    result = run(store, "backfill", "--all", "--dry-run")
    assert result.exit_code == 0, result.output
    assert store.dump() == before
    assert "meeting_sessions: 1 root, 0 view documents stored; estimated" in result.stdout
    assert "4 writes, 0 deletes" in result.stdout
    assert "total:" in result.stdout
    assert "nothing written" in result.stdout
    assert "prices assumed: multi-region (nam5, eur3): $0.06 per 100,000 reads" in result.stdout


class StopAfterTransactions(MemoryStore):
    """An in-memory store on which the operator presses Ctrl-C at the n-th transaction."""

    def __init__(self, documents: dict[str, dict[str, Any]], n: int) -> None:
        super().__init__(documents)
        self.n = n
        self.transactions = 0

    def run_transaction(self, fn: Any, *, max_attempts: int = 5) -> Any:
        self.transactions += 1
        if self.transactions == self.n:
            raise KeyboardInterrupt
        return super().run_transaction(fn, max_attempts=max_attempts)


def test_an_interrupted_backfill_says_how_to_resume_and_resume_finishes(project: Path) -> None:
    docs = fixture_documents()
    meeting = docs.pop(f"meetings/{MEETING_ID}")
    docs.update({f"meetings/m{i:02d}": meeting for i in range(12)})
    store = StopAfterTransactions(docs, n=3)
    stopped = run(store, "backfill", "--all", "--page-size", "5", "--chunk-size", "5")
    assert stopped.exit_code == 130
    assert "`boiler backfill --resume` continues from" in stopped.stdout
    checkpoint = project / ".boiler" / "backfill-checkpoint.json"
    saved = json.loads(checkpoint.read_text())
    assert saved["progress"]["meeting_sessions"]["after"] == "meetings/m09"

    resumed = run(store, "backfill", "--resume", "--page-size", "5", "--chunk-size", "5")
    assert resumed.exit_code == 0, resumed.output
    assert "resuming from" in resumed.stdout
    assert "meeting_sessions: 12 roots" in resumed.stdout
    assert not checkpoint.exists()
    assert len(store.paths("meeting_sessions/")) == 12
    assert run(store, "verify").exit_code == 0


def test_resume_without_a_checkpoint_is_an_error(project: Path) -> None:
    result = run(MemoryStore(), "backfill", "--resume")
    assert result.exit_code == 1
    assert "no checkpoint to resume" in result.stderr


def test_backfill_bulk_builds_views_once_and_a_rerun_overwrites_nothing(project: Path) -> None:
    store = MemoryStore(fixture_documents())
    built = run(store, "backfill", "--all", "--bulk", "--rate", "0")
    assert built.exit_code == 0, built.output
    sources = len(fixture_documents())
    assert f"bulk: 4 source collections to read once, {sources} documents" in built.stdout
    # 4 COUNT aggregations of the sources and 1 of the view's documents
    assert (
        f"meeting_sessions: 1 root, 4 written, 0 deleted, {sources + 4 + 1} reads" in built.stdout
    )
    assert "user_profiles: 3 roots, 3 written, 0 deleted, 1 reads" in built.stdout
    assert "stray sweep skipped" in built.stdout
    assert "boiler verify --repair meeting_sessions user_profiles" in built.stdout
    assert visible(store.doc(MASTER) or {}) == EXPECTED_MEETING_SESSION
    assert store.doc(record_path("user_profiles")) is not None

    again = run(store, "backfill", "--all", "--bulk", "--rate", "0")
    assert again.exit_code == 0, again.output
    assert "meeting_sessions: 1 root, 0 written, 0 deleted" in again.stdout
    assert "bulk: 0 created, 4 already existed (not overwritten; their 1 root" in again.stdout
    assert run(store, "verify").exit_code == 0


def test_backfill_bulk_refuses_resume_and_too_many_documents(project: Path) -> None:
    store = MemoryStore(fixture_documents())
    resumed = run(store, "backfill", "--bulk", "--resume")
    assert resumed.exit_code == 2
    assert "--resume does not apply to --bulk" in resumed.output
    big = run(store, "backfill", "--all", "--bulk", "--bulk-max-docs", "5")
    assert big.exit_code == 1
    assert "more than --bulk-max-docs 5" in big.output
    assert store.paths("meeting_sessions") == []


def test_backfill_bulk_dry_run_estimates_one_read_per_source_document(project: Path) -> None:
    store = MemoryStore(fixture_documents())
    result = run(store, "backfill", "--all", "--bulk", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "meeting_sessions: 1 root, 0 view documents stored; bulk: estimated" in result.stdout
    assert "4 writes" in result.stdout
    assert "within --bulk-max-docs 500000" in result.stdout
    assert store.paths("meeting_sessions") == []


LAYERED = """\
version: 1
project: {emulator_project_id: demo-test}
collections:
  posts: {path: "posts/{post}"}
views:
  post_cards:
    path: "post_cards/{card}"
    root: post_pages
    fields: {headline: title}
  post_pages:
    path: "post_pages/{post}"
    root: posts
    fields: {title: title}
"""


@pytest.mark.parametrize("mode", [[], ["--bulk"]], ids=["transactional", "bulk"])
def test_backfill_all_builds_a_view_after_the_view_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: list[str]
) -> None:
    (tmp_path / "views.yaml").write_text(LAYERED)
    monkeypatch.chdir(tmp_path)
    store = MemoryStore({"posts/p1": {"title": "Hello"}, "posts/p2": {"title": "World"}})
    result = run(store, "backfill", "--all", "--rate", "0", *mode)
    assert result.exit_code == 0, result.output
    assert result.stdout.index("post_pages:") < result.stdout.index("post_cards:")
    assert visible(store.doc("post_cards/p2") or {}) == {"headline": "World"}
