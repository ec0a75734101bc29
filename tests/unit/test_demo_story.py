"""The demo's story file: what it plays, every problem located before anything starts, and how
a view's changes are shown. The app (a small blog) is written here."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from boiler_core.demo.changes import changes
from boiler_core.demo.story import Expectation, Story, Write
from boiler_core.demo.story_file import parse_story
from boiler_core.documents import Ref
from boiler_core.errors import StoryError
from boiler_core.manifest import Manifest, load_manifest

VIEWS = """\
version: 1
project: {emulator_project_id: demo-blog}
collections:
  users: {path: "users/{user}"}
  posts: {path: "posts/{post}", schema: "blog_story.schemas:PostSchema"}
views:
  cards:
    path: "cards/{post}"
    root: posts
    joins:
      author: {collection: users, ref: author}
    fields:
      title: title
      author: author.name
    copies:
      - path: "users/{user}/cards/{post}"
        for_each: author
  profiles:
    path: "profiles/{user}"
    root: users
    fields:
      name: name
"""

SCHEMAS = """\
from marshmallow import Schema, fields
from boiler_core.schema_fields import Reference

class PostSchema(Schema):
    title = fields.String(required=True)
    author = Reference("users", required=True)
    at = fields.DateTime()
"""

SEED = """\
users/ada: {name: Ada Lovelace}
posts/p1: {title: Notes, author: !ref users/ada}
"""

STORY = """\
watch: cards/p1
steps:
  - title: Ada writes a post
    seed: seed.yaml
    expect: {title: Notes, author: Ada Lovelace}
    check:
      users/ada/cards/p1: same
  - title: Ada renames herself; her profile and the card show it
    update:
      users/ada: {name: Ada King}
    set:
      posts/p2: {title: Two, author: {$ref: users/ada}, at: 2026-12-01T10:00:00Z}
    expect: {author: Ada King}
    check:
      profiles/ada: {name: Ada King}
    note: a set replaces the whole document
  - title: The post is deleted, and its card with it
    delete: [posts/p1, posts/p2]
    expect: deleted
    check:
      users/ada/cards/p1: deleted
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> tuple[Manifest, Path]:
    root = tmp_path_factory.mktemp("blog")
    package = root / "functions" / "blog_story"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "schemas.py").write_text(SCHEMAS)
    (root / "views.yaml").write_text(VIEWS)
    (root / "seed.yaml").write_text(SEED)
    (root / "broken-seed.yaml").write_text("users/bob: {name: Bob}\ncomments/c1: {text: hi}\n")
    return load_manifest(root / "views.yaml"), root


def story(text: str, app: tuple[Manifest, Path]) -> Story:
    manifest, root = app
    return parse_story(text, manifest, base_dir=root, functions_dir=root / "functions")


def problems(text: str, app: tuple[Manifest, Path]) -> list[str]:
    with pytest.raises(StoryError) as caught:
        story(text, app)
    return [str(problem) for problem in caught.value.problems]


def test_a_story_says_what_to_watch_write_expect_and_check(app: tuple[Manifest, Path]) -> None:
    played = story(STORY, app)
    assert (played.watch, played.view, played.fields) == ("cards/p1", "cards", ("title", "author"))
    seeding, renaming, deleting = played.steps
    assert seeding.writes == (
        Write("set", "users/ada", {"name": "Ada Lovelace"}),
        Write("set", "posts/p1", {"title": "Notes", "author": Ref("users/ada")}),
    )
    assert (seeding.seed, seeding.seeded) == ("seed.yaml", 2)
    assert seeding.checks == (Expectation("users/ada/cards/p1", same_as_watched=True),)
    at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert renaming.writes == (  # in the order the step lists them
        Write("update", "users/ada", {"name": "Ada King"}),
        Write("set", "posts/p2", {"title": "Two", "author": Ref("users/ada"), "at": at}),
    )
    assert renaming.expect == Expectation("cards/p1", fields={"author": "Ada King"})
    assert renaming.note == "a set replaces the whole document"
    assert deleting.writes == (Write("delete", "posts/p1"), Write("delete", "posts/p2"))
    assert deleting.expect == Expectation("cards/p1", deleted=True)
    assert played.seeds == seeding.writes


def test_steps_describe_their_writes_in_one_line_each(app: tuple[Manifest, Path]) -> None:
    seeding, renaming, _ = story(STORY, app).steps
    assert seeding.describe_writes() == ["the 2 documents of seed.yaml: users/ada, posts/p1"]
    assert renaming.describe_writes() == [
        'update users/ada {name: "Ada King"}',
        'set posts/p2 {title: "Two", author: "!ref users/ada", at: "2026-12-01 10:00:00+00:00"}',
    ]


def test_every_problem_of_a_story_and_its_seed_files_is_located(
    app: tuple[Manifest, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(app[1])  # files are named from the working directory
    text = """\
watch: card/p1
steps:
  - title: Seed
    seed: missing.yaml
  - seed: broken-seed.yaml
    update:
      posts/p1: {titel: x}
      comments/c1: {x: 1}
    expect: {titel: x}
  - title: Nothing
  - title: Delete
    delete: [posts/p1, posts]
    expect: gone
    check:
      profiles/ada: {nme: x}
      posts/p1: deleted
    colour: red
"""
    assert problems(text, app) == [
        "broken-seed.yaml:2:1: error: 'comments/c1' is not a document of a collection views.yaml "
        "declares (the domain collections of views.yaml: users/{user}, posts/{post})",
        "demo.yaml:1:8: error: watch: 'card/p1' is not a document of a view views.yaml declares "
        "(view documents: cards/{post}, users/{user}/cards/{post}, profiles/{user})",
        "demo.yaml:4:11: error: cannot read the seed file missing.yaml: No such file or "
        "directory (seed names a file by its path from the story file's folder)",
        "demo.yaml:5:5: error: step 2 is missing required key 'title'",
        "demo.yaml:7:25: error: posts/p1: field 'titel': Unknown field. (see PostSchema)",
        "demo.yaml:8:7: error: 'comments/c1' is not a document of a collection views.yaml "
        "declares (the domain collections of views.yaml: users/{user}, posts/{post})",
        "demo.yaml:10:5: error: step 3 writes nothing (give it seed: FILE, set: {PATH: {...}}, "
        "update: {PATH: {...}} or delete: PATH)",
        "demo.yaml:12:24: error: 'posts' is not a document of a collection views.yaml declares "
        "(a document path has an even number of segments, e.g. users/ada)",
        "demo.yaml:15:22: error: check of profiles/ada: view 'profiles' has no field 'nme' (did "
        "you mean 'name'?)",
        "demo.yaml:16:7: error: check of step 4: 'posts/p1' is not a document of a view "
        "views.yaml declares (view documents: cards/{post}, users/{user}/cards/{post}, "
        "profiles/{user})",
        "demo.yaml:17:5: error: unknown key 'colour' in step 4 (allowed keys: check, delete, "
        "expect, note, seed, set, title, update)",
    ]


def test_values_and_expectations_are_checked_like_a_seed_file(app: tuple[Manifest, Path]) -> None:
    text = """\
watch: users/ada/cards/p1
steps:
  - title: Seed
    seed: seed.yaml
    expect: same
  - title: Set
    set:
      posts/p2: {title: Two, author: !ref users}
      posts/p3: [x]
      posts/p4: {author: {$ref: users/ada}, at: {$time: yesterday}}
      posts/p5: {author: !ref users/ada}
    expect: {titel: Two, author: Ada}
  - title: Expect a list
    delete: posts/p2
    expect: [title]
"""
    assert problems(text, app) == [
        "demo.yaml:5:13: error: expect of step 1: 'same' compares another document with the "
        "watched one (list the fields the watched document must reach, or 'deleted')",
        "demo.yaml:8:38: error: a reference must name a document path, not 'users' (write the "
        "whole path, e.g. !ref users/ada or {$ref: users/ada})",
        "demo.yaml:9:17: error: the fields to set of posts/p3 must be a mapping, not a list "
        "(write `posts/p3: {field: value, ...}`)",
        "demo.yaml:10:57: error: a timestamp must be an ISO 8601 date and time, not 'yesterday' "
        '(for example {$time: "2026-12-01T10:00:00Z"})',
        "demo.yaml:11:17: error: posts/p5: field 'title': Missing data for required field. (see "
        "PostSchema)",
        "demo.yaml:12:14: error: expect of step 2: view 'cards' has no field 'titel' (did you "
        "mean 'title'?)",
        "demo.yaml:15:13: error: expect of step 3 must be a mapping of fields or 'deleted', not "
        "a list (e.g. {title: Notes} or deleted)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "",
            "demo.yaml:1:1: error: the story is empty (write watch: VIEW_DOCUMENT and steps: "
            "[...])",
        ),
        (
            "watch: cards/p1\nsteps: []\n",
            "demo.yaml:2:8: error: the story has no steps (add a step)",
        ),
        (
            "watch: [cards/p1\n",
            "demo.yaml:2:1: error: cannot parse the story: expected ',' or "
            "']', but got '<stream end>'",
        ),
    ],
)
def test_an_empty_or_unreadable_story_is_one_located_problem(
    text: str, expected: str, app: tuple[Manifest, Path]
) -> None:
    assert problems(text, app) == [expected]


def test_an_expectation_names_each_field_that_differs() -> None:
    wanted = Expectation("cards/p1", fields={"title": "Notes", "author": "Ada"})
    assert wanted.differences({"title": "Notes", "author": "Ada", "_version": 3}) == []
    assert wanted.differences({"title": "Draft"}) == [
        'cards/p1 has title: "Draft", not "Notes"',
        'cards/p1 has author: null, not "Ada"',
    ]
    assert wanted.differences(None) == ["cards/p1 does not exist"]
    assert Expectation("cards/p1", deleted=True).differences({"title": "x"}) == ["cards/p1 exists"]
    copy = Expectation("users/ada/cards/p1", same_as_watched=True)
    watched = {"title": "Notes", "author": "Ada", "_members": ["ada"]}
    assert copy.differences({"title": "Notes", "author": "Ada"}, watched, ("title", "author")) == []


def test_changes_show_the_views_own_fields_and_bookkeeping_only_when_asked() -> None:
    before = {"title": "Notes", "tags": ["a", "b"], "meta": {"n": 1, "m": 2}, "_version": 1}
    after = {"title": "Notes!", "tags": ["b", "c"], "meta": {"n": 2, "m": 2}, "_version": 2}
    declared = ("title", "tags", "meta")
    assert changes(before, after, declared) == [
        "changed",
        'title: "Notes" -> "Notes!"',
        'tags: - "a"',
        'tags: + "c"',
        "meta.n: 1 -> 2",
    ]
    assert changes(before, after, declared, bookkeeping=True)[-1] == "_version: 1 -> 2"
    assert changes(before, {**before, "_version": 9}, declared) == ["no change in its fields"]
    assert changes(None, after, declared) == [
        "created",
        'title: "Notes!"',
        "tags:",
        '  - "b"',
        '  - "c"',
        'meta: {"m": 2, "n": 2}',
    ]
    assert changes(after, None, declared) == ["deleted"]
    assert changes(before, {**before, "tags": ["b", "a"]}, declared) == [
        "changed",
        "tags: same items, new order",
    ]
