"""``boiler demo`` as a user runs it: a story file played on the emulator for the tests' copy of
the meeting-room app (tests/apps/meeting_room, its demo.yaml) and for a second app of another
shape, and the demo without a story.

Each run is the ``boiler`` command in a folder of its own (its own emulator and dispatcher),
checked for what it prints, its exit code, and that no process of its is left running.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from boiler_core.cli import main
from boiler_core.emulator.process import group_members

pytestmark = pytest.mark.integration

BOILER = str(Path(sys.executable).parent / "boiler")


def boiler_demo(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BOILER, "demo", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def left_running(output: str) -> list[list[int]]:
    match = re.search(r"emulator pid (\d+), dispatcher pid (\d+)", output)
    assert match, f"no pids in the output:\n{output}"
    return [group_members(int(match.group(1))), group_members(int(match.group(2)))]


def test_the_meeting_room_story_plays_each_step_in_words(meeting_room_project: Path) -> None:
    done = boiler_demo(meeting_room_project)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Traceback" not in output
    titles = re.findall(r"^(\d)\. (.+)$", done.stdout, re.MULTILINE)
    assert [number for number, _ in titles] == ["1", "2", "3", "4", "5"]
    assert not any(re.search(r"\bS\d+\b", title) for _, title in titles)
    assert done.stdout.count("view update received") == 5
    assert done.stdout.count("   ok: meeting_sessions/meeting_1 ") == 5
    assert 'attending: - {"hearing_aid_requested": true, "name": "Tijuana Furlong"' in done.stdout
    assert "numHearingAidRequested: 2 -> 1" in done.stdout
    assert 'check: user_profiles/thomasina has last_name: "Manes-Kennedy"' in done.stdout
    assert "check: users/joshua/meeting_sessions/meeting_1 is deleted" in done.stdout
    assert "_members" not in done.stdout
    assert "_sources" not in done.stdout
    assert "[function]" not in done.stdout  # invocations only with --verbose
    assert "no process of theirs is left" in done.stdout
    assert left_running(output) == [[], []]


VIEWS_YAML = """\
version: 1
project: {emulator_project_id: demo-shelf}
collections:
  authors: {path: "authors/{author}", schema: "shelf_demo.schemas:AuthorSchema"}
  books: {path: "books/{book}", schema: "shelf_demo.schemas:BookSchema"}
views:
  shelves:
    description: An author's books, newest first, with how many are in print.
    path: "shelves/{author}"
    root: authors
    joins:
      books: {collection: books, query: author}
    fields:
      name: name
      in_print: {count: books, where: {in_print: true}}
      titles: {list: books, sort: [-year], item: title}
      initials: {hook: "shelf_demo.hooks:initials", reads: [name]}
"""

SCHEMAS = """\
from marshmallow import Schema, fields

from boiler_core.schema_fields import Reference


class AuthorSchema(Schema):
    name = fields.String(required=True)


class BookSchema(Schema):
    title = fields.String(required=True)
    author = Reference("authors", required=True)
    year = fields.Integer(required=True)
    in_print = fields.Boolean(load_default=True)
"""

HOOKS = '''\
"""Computed fields of the shelf app."""


def initials(sources):
    """The author's initials."""
    first, *rest = str(sources.root.get("name")).split()
    return first[0] + "".join(part[0] for part in rest)
'''

SEED = """\
authors/le_guin: {name: Ursula K. Le Guin}
books/earthsea: {title: A Wizard of Earthsea, author: !ref authors/le_guin, year: 1968}
books/dispossessed: {title: The Dispossessed, author: !ref authors/le_guin, year: 1974}
"""

STORY = """\
watch: shelves/le_guin
steps:
  - title: An author and two of her books
    seed: seed.yaml
    expect: {name: Ursula K. Le Guin, in_print: 2, initials: UKLG}
  - title: A newer book comes out
    set:
      books/lathe: {title: The Lathe of Heaven, author: !ref authors/le_guin, year: 1971}
    expect:
      titles: [The Dispossessed, The Lathe of Heaven, A Wizard of Earthsea]
      in_print: 3
  - title: The oldest one goes out of print
    update:
      books/earthsea: {in_print: false}
    expect: {in_print: 2}
  - title: The author is removed, and her shelf with her
    delete: authors/le_guin
    expect: deleted
"""


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An app with one view of another shape (a query join, a count, a sorted list, a hook),
    its generated functions and a seed file; no story yet."""
    root = tmp_path_factory.mktemp("shelf")
    (root / "views.yaml").write_text(VIEWS_YAML)
    package = root / "functions" / "shelf_demo"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "schemas.py").write_text(SCHEMAS)
    (package / "hooks.py").write_text(HOOKS)
    (root / "seed.yaml").write_text(SEED)
    generated = CliRunner().invoke(main, ["generate", "-f", str(root / "views.yaml")])
    assert generated.exit_code == 0, generated.output
    return root


def test_without_a_story_the_demo_seeds_and_shows_each_view_document(shelf: Path) -> None:
    done = boiler_demo(shelf)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "boiler demo: no story: seeding seed.yaml" in done.stdout
    assert "Seeding the 3 documents of seed.yaml." in done.stdout
    assert (
        "  shelves/le_guin (view shelves)\n"
        '      name: "Ursula K. Le Guin"\n'
        "      in_print: 2\n"
        "      titles:\n"
        '        - "The Dispossessed"\n'
        '        - "A Wizard of Earthsea"\n'
        '      initials: "UKLG"\n'
        "1 view document created."
    ) in done.stdout
    assert "To play a story, write demo.yaml beside views.yaml" in done.stdout
    assert "  watch: shelves/le_guin\n" in done.stdout
    assert left_running(output) == [[], []]


def test_a_story_of_another_app_plays_with_bookkeeping_and_invocations_when_verbose(
    shelf: Path, tmp_path: Path
) -> None:
    story = tmp_path / "story.yaml"
    story.write_text(STORY.replace("seed: seed.yaml", f"seed: {shelf / 'seed.yaml'}"))
    done = boiler_demo(shelf, "--story", str(story), "--verbose")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Traceback" not in output
    assert "\n4. The author is removed, and her shelf with her\n" in done.stdout
    assert 'titles: + "The Lathe of Heaven"' in done.stdout
    assert "in_print: 3 -> 2" in done.stdout
    assert "_version:" in done.stdout  # bookkeeping, shown with --verbose
    assert "[function] on_books_written" in done.stdout
    assert "ok: shelves/le_guin is deleted" in done.stdout
    assert left_running(output) == [[], []]


def test_a_story_with_problems_starts_nothing(shelf: Path, tmp_path: Path) -> None:
    story = tmp_path / "story.yaml"
    story.write_text("watch: shelves/le_guin\nsteps:\n  - title: Nothing happens\n")
    done = boiler_demo(shelf, "--story", str(story))
    assert done.returncode == 1
    assert done.stderr.splitlines()[-2:] == [
        f"{story}:3:5: error: step 1 writes nothing (give it seed: FILE, set: {{PATH: {{...}}}}, "
        "update: {PATH: {...}} or delete: PATH)",
        "boiler demo: 1 problem in the story; nothing was started",
    ]
    assert "Firestore emulator" not in done.stdout


def test_a_hook_that_raises_is_one_located_line_and_the_step_fails(
    shelf: Path, tmp_path: Path
) -> None:
    story = tmp_path / "story.yaml"
    story.write_text(
        "watch: shelves/le_guin\n"
        "steps:\n"
        "  - title: An author with a name\n"
        "    set:\n"
        "      authors/le_guin: {name: Ursula}\n"
        "    expect: {initials: U}\n"
        "  - title: The name is emptied, which the hook cannot take\n"
        "    update:\n"
        "      authors/le_guin: {name: ''}\n"
        "    expect: {name: ''}\n"
    )
    done = boiler_demo(shelf, "--story", str(story), "--timeout", "5")  # (functions/ is the
    # dispatcher's working directory: the hook's file is named from there)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    failed = [line for line in done.stdout.splitlines() if "FAILED: root " in line]
    assert len(failed) == 1, output
    assert failed[0].endswith(
        "FAILED: root authors/le_guin of view shelves: views.yaml:17:24: hook "
        "shelf_demo.hooks:initials "
        "(field initials of view shelves) raised ValueError: not enough values to unpack "
        "(expected at least 1, got 0) on authors/le_guin, at shelf_demo/hooks.py:6"
    )
    assert "FAILED: step 2 (The name is emptied, which the hook cannot take): after 5 s, " in (
        done.stdout
    )
    assert left_running(output) == [[], []]
