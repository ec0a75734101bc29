"""Declarative projections and join kinds the meeting-room app does not use, on a small blog app.

Posts have a writer (``ref``), comments pointing at them by bare id (``query`` with ``key: id``),
each comment's author (a ``ref`` join hanging from the comments), and watchers whose list field
contains the post (``query``, ``array-contains``) and who each get a copy of the page.
"""

from __future__ import annotations

from typing import Any

import pytest

from boiler_core.documents import Ref
from boiler_core.engine import Engine
from boiler_core.errors import HookError
from boiler_core.manifest import Manifest, load_manifest_text
from boiler_core.store.memory import MemoryStore
from boiler_core.testing import Harness, visible

BLOG = """
version: 1
collections:
  posts: {path: "posts/{post}"}
  comments: {path: "comments/{comment}"}
  authors: {path: "authors/{author}"}
  watchers: {path: "watchers/{watcher}"}
views:
  post_pages:
    path: "post_pages/{post}"
    root: posts
    joins:
      writer: {collection: authors, ref: author}
      editor: {collection: authors, ref: editor_id, key: id}
      comments: {collection: comments, query: post, key: id}
      comment_author: {collection: authors, parent: comments, ref: author}
      watchers: {collection: watchers, query: watching, op: array-contains}
    fields:
      title: title
      writer_name: {source: writer.name, default: anonymous}
      editor_name: editor.name
      author: author
      published: {source: state, equals: published}
      approved: {count: comments, where: {approved: true}}
      best:
        list: comments
        where: {approved: true}
        sort: [-score, $id]
        limit: 2
        item: {id: $id, text: text, by: comment_author.name}
      scores: {list: comments, sort: [score], item: score}
    copies:
      - path: "watchers/{watcher}/feed/{post}"
        for_each: watchers
"""


@pytest.fixture(scope="module")
def blog() -> Manifest:
    return load_manifest_text(BLOG)


@pytest.fixture
def site(blog: Manifest) -> Harness:
    app = Harness(blog)
    app.write("authors/ada", {"name": "Ada"})
    app.write("authors/bob", {"name": "Bob"})
    app.write(
        "posts/p1",
        {"title": "Hello", "author": Ref("authors/ada"), "editor_id": "bob", "state": "published"},
    )
    app.write("posts/p2", {"title": "Draft", "state": "draft"})
    for cid, score, approved, author in [
        ("c1", 3, True, "bob"),
        ("c2", 9, True, "ada"),
        ("c3", 9, True, "bob"),
        ("c4", 7, False, "bob"),
    ]:
        app.write(
            f"comments/{cid}",
            {
                "post": "p1",
                "score": score,
                "approved": approved,
                "text": f"text {cid}",
                "author": Ref(f"authors/{author}"),
            },
        )
    app.write("watchers/w1", {"watching": [Ref("posts/p1")]})
    return app


def page(app: Harness, post: str) -> dict[str, Any]:
    return visible(app.views()[f"post_pages/{post}"])


def test_projections_of_a_page(site: Harness) -> None:
    assert page(site, "p1") == {
        "title": "Hello",
        "writer_name": "Ada",
        "editor_name": "Bob",
        "author": "authors/ada",
        "published": True,
        "approved": 3,
        "best": [
            {"id": "c2", "text": "text c2", "by": "Ada"},
            {"id": "c3", "text": "text c3", "by": "Bob"},
        ],
        "scores": [3, 7, 9, 9],
    }


def test_missing_source_takes_the_default_and_empty_joins_give_empty_values(
    site: Harness,
) -> None:
    assert page(site, "p2") == {
        "title": "Draft",
        "writer_name": "anonymous",
        "editor_name": None,
        "author": None,
        "published": False,
        "approved": 0,
        "best": [],
        "scores": [],
    }


def test_comment_moving_to_another_post_updates_both(site: Harness) -> None:
    site.update("comments/c2", {"post": "p2"})
    assert [item["id"] for item in page(site, "p1")["best"]] == ["c3", "c1"]
    assert page(site, "p2")["best"] == [{"id": "c2", "text": "text c2", "by": "Ada"}]
    assert page(site, "p2")["approved"] == 1


def test_author_rename_reaches_pages_through_writer_editor_and_comment_authors(
    site: Harness,
) -> None:
    site.update("authors/bob", {"name": "Robert"})
    assert [item["by"] for item in page(site, "p1")["best"]] == ["Ada", "Robert"]
    assert page(site, "p1")["editor_name"] == "Robert"
    site.update("authors/ada", {"name": "Ada L."})
    assert page(site, "p1")["writer_name"] == "Ada L."
    assert page(site, "p1")["best"][0]["by"] == "Ada L."


def test_watcher_copies_follow_the_watchers_list(site: Harness) -> None:
    assert visible(site.views()["watchers/w1/feed/p1"]) == page(site, "p1")
    site.update("watchers/w1", {"watching": [Ref("posts/p2")]})
    assert "watchers/w1/feed/p1" not in site.views()
    assert visible(site.views()["watchers/w1/feed/p2"]) == page(site, "p2")
    site.delete("watchers/w1")
    assert [p for p in site.views() if p.startswith("watchers/")] == []


def test_deleted_post_deletes_copies_of_watchers_still_pointing_at_it(site: Harness) -> None:
    site.write("watchers/w2", {"watching": [Ref("posts/p1"), Ref("posts/p2")]})
    site.delete("posts/p1")
    assert sorted(site.views()) == ["post_pages/p2", "watchers/w2/feed/p2"]


def test_recompute_of_unchanged_roots_writes_nothing(site: Harness) -> None:
    cost = site.engine.recompute("post_pages", ["p1", "p2"])
    assert (cost.writes, cost.deletes, cost.roots) == (0, 0, 2)
    assert cost.skipped == 3  # two pages and one watcher's copy already up to date


def test_recompute_in_small_chunks_runs_one_transaction_per_chunk(blog: Manifest) -> None:
    store = MemoryStore({f"posts/p{i}": {"title": f"t{i}"} for i in range(7)})
    engine = Engine(blog, store, log=lambda entry: None, chunk_size=3)
    cost = engine.recompute("post_pages", [f"p{i}" for i in range(7)])
    assert (cost.writes, cost.roots) == (7, 7)
    assert store.paths("post_pages/") == [f"post_pages/p{i}" for i in range(7)]


def test_recompute_of_an_unknown_view_names_the_known_ones(blog: Manifest) -> None:
    engine = Engine(blog, MemoryStore(), log=lambda entry: None)
    with pytest.raises(KeyError, match="post_pages"):
        engine.recompute("post_page", ["p1"])


HOOKED = """
version: 1
collections:
  posts: {path: "posts/{post}"}
views:
  summaries:
    path: "summaries/{post}"
    root: posts
    fields:
      title: title
      dump: {hook: "json:dumps"}
"""


def test_failing_hook_fails_its_root_alone_on_one_line_naming_where_it_is_declared() -> None:
    app = Harness(load_manifest_text(HOOKED))
    reason = (
        "views.yaml:11:20: hook json:dumps (field dump of view summaries) raised TypeError: "
        "Object of type Sources is not JSON serializable on posts/p1"
    )
    [failure] = app.write("posts/p1", {"title": "Hello"}).failed
    assert (failure.view, failure.document, failure.reason) == ("summaries", "posts/p1", reason)
    assert app.views() == {}
    root_line, cost_line = app.logs
    assert root_line["severity"] == "ERROR"
    assert root_line["boiler"]["failed_root"] == {
        "view": "summaries",
        "document": "posts/p1",
        "reason": reason,
        "repair": "boiler verify --repair summaries",
    }
    assert root_line["message"] == (
        f"boiler posts/p1: root posts/p1 of view summaries failed, the rest of the event was "
        f"handled: {reason}; once the cause is fixed: boiler verify --repair summaries"
    )
    assert cost_line["severity"] == "WARNING"
    assert cost_line["boiler"]["failed"] == [
        {"view": "summaries", "document": "posts/p1", "reason": reason}
    ]


def test_hook_that_cannot_be_imported_fails_at_engine_construction() -> None:
    manifest = load_manifest_text(
        HOOKED.replace("json:dumps", "no_such_module:fn"), import_code=False
    )
    with pytest.raises(HookError) as e:
        Engine(manifest, MemoryStore())
    assert str(e.value).startswith(
        "views.yaml:11:20: hook no_such_module:fn (field dump of view summaries) cannot be "
        "imported: cannot import module 'no_such_module'"
    )
