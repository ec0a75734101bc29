"""A hook that raises, or data it cannot take, as ``boiler verify`` and ``boiler backfill`` report
it: one located line per failing root, the other roots and views done, exit 1, no traceback.

The app is written here (a small library: books with an author, shelves per author); the
commands run on an in-memory store, as in test_cli_rebuild.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from boiler_core.cli import main
from boiler_core.cli.target import Target
from boiler_core.documents import Ref
from boiler_core.manifest import Manifest
from boiler_core.rebuild import record_path
from boiler_core.store.memory import MemoryStore

VIEWS_YAML = """\
version: 1
project: {emulator_project_id: demo-library}
collections:
  authors: {path: "authors/{author}"}
  books: {path: "books/{book}"}
views:
  book_cards:
    path: "book_cards/{book}"
    root: books
    fields:
      title: title
      byline:
        hook: shelf.hooks:byline
        reads: [title, author]
  shelves:
    path: "shelves/{author}"
    root: authors
    joins:
      books: {collection: books, query: author}
    fields:
      name: name
      books: {count: books}
"""

HOOKS = '''\
"""Hooks of the library app."""


def byline(sources):
    """The title and the author's id."""
    author = sources.root.get("author")
    return f"{sources.root.data['title']} ({author.id})"
'''

BYLINE = "views.yaml:13:15: hook shelf.hooks:byline (field byline of view book_cards) raised"
NO_TITLE = f"{BYLINE} KeyError: 'title' on books/b2, at functions/shelf/hooks.py:7"
NUMBER_AUTHOR = (
    f"{BYLINE} AttributeError: 'int' object has no attribute 'id' on books/b3, at "
    "functions/shelf/hooks.py:7"
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The library app's folder (one per module: its hook module is imported once)."""
    root = tmp_path_factory.mktemp("library")
    (root / "views.yaml").write_text(VIEWS_YAML)
    package = root / "functions" / "shelf"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "hooks.py").write_text(HOOKS)
    return root


@pytest.fixture
def project(app: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The library app as the current directory."""
    monkeypatch.chdir(app)
    return app


def domain() -> dict[str, dict[str, Any]]:
    """Two good books, one without a title, one whose author reference holds a number."""
    austen = Ref("authors/austen")
    return {
        "authors/austen": {"name": "Jane Austen"},
        "books/b1": {"title": "Emma", "author": austen},
        "books/b2": {"author": austen},
        "books/b3": {"title": "Persuasion", "author": 7},
        "books/b4": {"title": "Sanditon", "author": austen},
    }


def run(store: MemoryStore, *args: str) -> Result:
    def opener(manifest: Manifest, project: str | None) -> Target:
        return Target(store, project or "demo-library", "in-memory test store")

    return CliRunner().invoke(main, list(args), obj={"open_target": opener})


def failed_lines(result: Result) -> list[str]:
    return [line.strip() for line in result.stdout.splitlines() if line.startswith("  failed ")]


def assert_reported_once_each(result: Result) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert failed_lines(result) == [f"failed     {NO_TITLE}", f"failed     {NUMBER_AUTHOR}"]


def test_verify_reports_each_failing_root_in_one_line_and_checks_the_others(
    project: Path,
) -> None:
    result = run(MemoryStore(domain()), "verify")
    assert_reported_once_each(result)
    assert (
        "book_cards: 4 roots, 2 documents expected, 0 stored (listed 'book_cards'); 2 missing, "
        "0 extra, 0 different, 2 failed;" in result.stdout
    )
    assert "  missing    book_cards/b1\n  missing    book_cards/b4\n" in result.stdout
    assert "shelves: 1 root, 1 documents expected, 0 stored" in result.stdout  # the next view
    assert result.stdout.rstrip().endswith(
        "5 divergences in 2 views (3 missing, 0 extra, 0 different, 2 failed): `boiler verify "
        "--repair` fixes the others; 2 roots could not be computed: fix the hook or the document "
        "each failed line names, then run `boiler verify` again"
    )


def test_verify_json_lists_a_failed_root_with_its_document_and_reason(project: Path) -> None:
    import json

    result = run(MemoryStore(domain()), "verify", "book_cards", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)["views"][0]
    assert report["counts"] == {"missing": 2, "extra": 0, "different": 0, "failed": 2}
    assert {"kind": "failed", "path": "books/b2", "root": "b2", "detail": NO_TITLE} in report[
        "divergences"
    ]


def test_verify_repair_fixes_the_other_roots_and_still_exits_1(project: Path) -> None:
    store = MemoryStore(domain())
    result = run(store, "verify", "--repair")
    assert_reported_once_each(result)
    assert "repaired: 2 written, 0 deleted" in result.stdout
    assert "the other 3 repaired; 2 roots could not be computed" in result.stdout
    assert (store.doc("book_cards/b1") or {})["byline"] == "Emma (austen)"
    assert store.doc("book_cards/b2") is None

    store.put("books/b2", {"title": "Lady Susan", "author": Ref("authors/austen")})
    store.put("books/b3", {"title": "Persuasion", "author": Ref("authors/austen")})
    fixed = run(store, "verify", "--repair")
    assert fixed.exit_code == 0, fixed.output
    assert failed_lines(fixed) == []
    assert run(store, "verify").exit_code == 0


def test_verify_reports_a_root_that_fails_only_once_when_its_copies_are_checked_too(
    project: Path,
) -> None:
    store = MemoryStore(domain())
    store.put("book_cards/b2", {"title": "stale"})  # stored, and its root fails
    result = run(store, "verify", "book_cards")
    assert result.exit_code == 1
    assert failed_lines(result) == [f"failed     {NO_TITLE}", f"failed     {NUMBER_AUTHOR}"]


@pytest.mark.parametrize("chunk", ["1", "50"])
def test_backfill_builds_every_other_root_and_view_and_records_no_build_of_the_failing_view(
    project: Path, chunk: str
) -> None:
    store = MemoryStore(domain())
    result = run(store, "backfill", "--all", "--rate", "0", "--chunk-size", chunk)
    assert_reported_once_each(result)
    assert "book_cards: 4 roots, 2 written, 0 deleted, " in result.stdout
    assert "2 roots failed, not recorded in _boiler_meta/book_cards" in result.stdout
    assert "shelves: 1 root, 1 written, 0 deleted" in result.stdout
    assert result.stdout.rstrip().endswith(
        "2 roots could not be computed and are left as they were (each failed line says where "
        "and why); the other roots are built. Fix the hook or the documents, then run `boiler "
        "backfill book_cards` again"
    )
    assert sorted(store.paths("book_cards/")) == ["book_cards/b1", "book_cards/b4"]
    assert store.doc(record_path("book_cards")) is None
    assert store.doc(record_path("shelves")) is not None
    assert not (project / ".boiler" / "backfill-checkpoint.json").exists()

    again = run(store, "backfill", "--changed")
    assert again.exit_code == 1  # the view without a build record is built again
    assert "book_cards: no build record" in again.stdout


def test_backfill_dry_run_reports_the_failing_roots_of_its_sample_and_writes_nothing(
    project: Path,
) -> None:
    store = MemoryStore(domain())
    before = store.dump()
    result = run(store, "backfill", "--all", "--dry-run")
    assert_reported_once_each(result)
    assert store.dump() == before
    assert "book_cards: 4 roots, 0 view documents stored; estimated" in result.stdout
    assert result.stdout.rstrip().endswith(
        "2 roots of the sample cannot be computed (each failed line says where and why): a "
        "backfill would leave them as they are. Fix the hook or the documents first"
    )


def test_backfill_bulk_creates_every_other_root_and_reports_the_failing_ones(
    project: Path,
) -> None:
    store = MemoryStore(domain())
    result = run(store, "backfill", "--all", "--bulk", "--rate", "0")
    assert_reported_once_each(result)
    assert "bulk: 2 created, 0 already existed" in result.stdout
    assert "2 roots failed, not recorded in _boiler_meta/book_cards" in result.stdout
    assert sorted(store.paths("book_cards/")) == ["book_cards/b1", "book_cards/b4"]
    assert store.doc(record_path("shelves")) is not None

    rerun = run(store, "backfill", "book_cards", "--bulk", "--rate", "0")
    assert_reported_once_each(rerun)  # documents that exist are recomputed; failing roots again
    assert "bulk: 0 created, 2 already existed (not overwritten; their 2 roots" in rerun.stdout


def test_backfill_bulk_dry_run_reports_the_failing_roots(project: Path) -> None:
    store = MemoryStore(domain())
    before = store.dump()
    result = run(store, "backfill", "--all", "--bulk", "--dry-run")
    assert_reported_once_each(result)
    assert store.dump() == before


def test_a_stray_copy_of_a_failing_root_is_swept_around_it(project: Path) -> None:
    store = MemoryStore(domain())
    store.put("book_cards/gone", {"title": "no root"})
    result = run(store, "backfill", "book_cards", "--rate", "0")
    assert_reported_once_each(result)
    assert "book_cards: 4 roots, 2 written, 1 deleted" in result.stdout
    assert store.doc("book_cards/gone") is None
