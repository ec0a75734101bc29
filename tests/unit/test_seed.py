"""Seed files: documents in YAML or JSON, references and timestamps, checked against views.yaml."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from boiler_core.documents import Ref
from boiler_core.errors import SeedError
from boiler_core.manifest import Manifest, load_manifest
from boiler_core.seed import parse_seed, read_seed

VIEWS = """\
version: 1
project: {emulator_project_id: demo-seed}
collections:
  users: {path: "users/{user}"}
  posts: {path: "posts/{post}", schema: "seed_app.schemas:PostSchema"}
  comments: {path: "comments/{comment}"}
views:
  cards:
    path: cards/{post}
    root: posts
    joins:
      author: {collection: users, ref: author}
    fields:
      title: title
      author: author.name
"""

SCHEMAS = """\
from marshmallow import Schema, fields
from boiler_core.schema_fields import Reference

class PostSchema(Schema):
    title = fields.String(required=True)
    author = Reference("users", required=True)
    published = fields.Boolean(load_default=False)
    at = fields.DateTime()
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> tuple[Manifest, Path]:
    root = tmp_path_factory.mktemp("seed_app")
    package = root / "functions" / "seed_app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "schemas.py").write_text(SCHEMAS)
    (root / "views.yaml").write_text(VIEWS)
    return load_manifest(root / "views.yaml"), root / "functions"


def seed(text: str, app: tuple[Manifest, Path]) -> dict[str, object]:
    manifest, functions = app
    return parse_seed(text, manifest, file="seed.yaml", functions_dir=functions)


def problems(text: str, app: tuple[Manifest, Path]) -> list[str]:
    with pytest.raises(SeedError) as raised:
        seed(text, app)
    return [str(problem) for problem in raised.value.problems]


def test_documents_come_in_file_order_with_references_decoded(app: tuple[Manifest, Path]) -> None:
    documents = seed(
        "users/ada: {name: Ada}\n"
        "posts/p1: {title: Notes, author: !ref users/ada}\n"
        "posts/p2: {title: More, author: {$ref: users/ada}}\n"
        "comments/c1: {post: !ref posts/p1, tags: [{$ref: users/ada}]}\n",
        app,
    )
    assert list(documents) == ["users/ada", "posts/p1", "posts/p2", "comments/c1"]
    assert documents["posts/p1"] == {
        "title": "Notes",
        "author": Ref("users/ada"),
        "published": False,  # the schema's default applies
    }
    assert documents["posts/p2"]["author"] == Ref("users/ada")  # type: ignore[index]
    assert documents["comments/c1"] == {
        "post": Ref("posts/p1"),
        "tags": [Ref("users/ada")],
    }


def test_a_schema_reference_field_takes_a_plain_path_or_id(app: tuple[Manifest, Path]) -> None:
    documents = seed(
        "posts/p1: {title: A, author: users/ada}\nposts/p2: {title: B, author: bob}\n", app
    )
    assert documents["posts/p1"]["author"] == Ref("users/ada")  # type: ignore[index]
    assert documents["posts/p2"]["author"] == Ref("users/bob")  # type: ignore[index]


def test_timestamps_are_timezone_aware(app: tuple[Manifest, Path]) -> None:
    documents = seed(
        "users/a: {joined: 2026-12-01T10:00:00Z, naive: 2026-12-01 10:00:00}\n"
        'users/b: {joined: {$time: "2026-12-02T08:30:00+01:00"}}\n',
        app,
    )
    assert documents["users/a"] == {
        "joined": datetime(2026, 12, 1, 10, tzinfo=UTC),
        "naive": datetime(2026, 12, 1, 10, tzinfo=UTC),
    }
    joined = documents["users/b"]["joined"]  # type: ignore[index]
    assert joined == datetime(2026, 12, 2, 7, 30, tzinfo=UTC)


def test_a_json_seed_file_says_the_same(app: tuple[Manifest, Path], tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_text(
        json.dumps(
            {
                "users/ada": {"name": "Ada", "joined": {"$time": "2026-12-01T10:00:00Z"}},
                "posts/p1": {"title": "Notes", "author": {"$ref": "users/ada"}},
            }
        )
    )
    manifest, functions = app
    documents = read_seed(path, manifest, functions)
    assert documents["users/ada"]["joined"] == datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert documents["posts/p1"]["author"] == Ref("users/ada")


def test_every_problem_is_reported_with_its_location(app: tuple[Manifest, Path]) -> None:
    text = (
        "users/ada: {name: Ada}\n"  # 1: fine
        "usres/bob: {name: Bob}\n"  # 2: unknown collection
        "posts/p1: {author: !ref users/ada}\n"  # 3: title missing
        "posts/p2: {title: 7, author: !ref users}\n"  # 4: wrong type, bad reference
        "posts/p3: [not, a, mapping]\n"  # 5
        "users: {name: x}\n"  # 6: a collection, not a document
        "users/c: {at: {$time: yesterday}}\n"  # 7
        "users/d: {x: !point 1}\n"  # 8
    )
    assert problems(text, app) == [
        "seed.yaml:2:1: error: 'usres/bob' is not a document of a collection views.yaml "
        "declares (did you mean 'users'?)",
        "seed.yaml:3:11: error: posts/p1: field 'title': Missing data for required field. "
        "(see PostSchema)",
        "seed.yaml:4:30: error: a reference must name a document path, not 'users' (write the "
        "whole path, e.g. !ref users/ada or {$ref: users/ada})",
        "seed.yaml:5:11: error: the fields of posts/p3 must be a mapping, not a list (write "
        "`path: {field: value, ...}`)",
        "seed.yaml:6:1: error: 'users' is not a document of a collection views.yaml declares "
        "(a document path has an even number of segments, e.g. users/ada)",
        "seed.yaml:7:23: error: a timestamp must be an ISO 8601 date and time, not 'yesterday' "
        '(for example {$time: "2026-12-01T10:00:00Z"})',
        "seed.yaml:8:14: error: unknown tag !point (the only tag a seed file knows is !ref)",
    ]


def test_a_file_that_does_not_parse_names_the_place(app: tuple[Manifest, Path]) -> None:
    assert problems("users/a: {name: [}\n", app) == [
        "seed.yaml:1:18: error: cannot parse the seed file: expected the node content, but "
        "found '}'"
    ]


def test_an_empty_seed_file_has_no_documents(app: tuple[Manifest, Path]) -> None:
    assert seed("# nothing yet\n", app) == {}


def test_a_missing_seed_file_is_one_problem(app: tuple[Manifest, Path], tmp_path: Path) -> None:
    manifest, functions = app
    with pytest.raises(SeedError, match=r"seed\.yaml:1:1: error: cannot read the seed file"):
        read_seed(tmp_path / "seed.yaml", manifest, functions)
