"""The ``_members`` bookkeeping field the engine keeps for views read by ``{members: JOIN}``.

The security rules let a user read such a view document when their uid is in its ``_members``
list; the engine keeps that list equal to the ids of the join's documents, on the master document
only (a copy is read by its own member and must not reveal who else may read the master).
"""

from __future__ import annotations

from meeting_room.fixture import MEETING_ID, USERS

from boiler_core.documents import Ref
from boiler_core.manifest import Manifest, load_manifest_text
from boiler_core.testing import Harness, visible
from boiler_core.versions import version_of

MASTER = f"meeting_sessions/{MEETING_ID}"
MEETING = f"meetings/{MEETING_ID}"

PAGES = """
collections:
  posts: {path: "posts/{post}"}
  readers: {path: "readers/{reader}"}
views:
  pages:
    path: "pages/{post}"
    root: posts
    joins:
      readers: {collection: readers, query: reading, op: array-contains}
    fields:
      title: title
    copies:
      - path: "readers/{reader}/pages/{post}"
        for_each: readers
    read: {members: readers}
  titles:
    path: "titles/{post}"
    root: posts
    fields:
      title: title
    read: signed-in
"""


def test_master_lists_the_member_ids_sorted(seeded: Harness) -> None:
    assert seeded.views()[MASTER]["_members"] == ["joshua", "thomasina", "tijuana"]


def test_copies_and_views_without_members_policy_carry_only_their_version(
    seeded: Harness,
) -> None:
    for path, data in seeded.views().items():
        if path != MASTER:
            assert [name for name in data if name.startswith("_")] == ["_version"], path


def test_removed_member_leaves_the_list_and_joining_member_enters_it(seeded: Harness) -> None:
    seeded.write("users/lorenzo", {"first_name": "Lorenzo", "last_name": "Ruiz"})
    meeting = seeded.store.doc(MEETING)
    assert meeting is not None
    users = [Ref("users/lorenzo"), *(u for u in meeting["users"] if u != Ref("users/joshua"))]
    seeded.update(MEETING, {"users": users})
    assert seeded.views()[MASTER]["_members"] == ["lorenzo", "thomasina", "tijuana"]


def test_a_referenced_user_without_a_document_is_no_member_until_it_exists(
    seeded: Harness,
) -> None:
    seeded.delete("users/joshua")
    assert seeded.views()[MASTER]["_members"] == ["thomasina", "tijuana"]
    seeded.write("users/joshua", USERS["joshua"])
    assert seeded.views()[MASTER]["_members"] == ["joshua", "thomasina", "tijuana"]


def test_recomputing_an_unchanged_master_writes_nothing(seeded: Harness) -> None:
    cost = seeded.engine.recompute("meeting_sessions", [MEETING_ID])
    assert (cost.writes, cost.deletes, cost.skipped) == (0, 0, 1 + len(USERS))


def test_members_of_a_query_join_follow_the_members_documents() -> None:
    manifest: Manifest = load_manifest_text(PAGES)
    app = Harness(manifest)
    app.write("posts/p1", {"title": "Hello"})
    app.write("readers/zoe", {"reading": [Ref("posts/p1")]})
    app.write("readers/amy", {"reading": [Ref("posts/p1")]})
    assert without_version(app.views()["pages/p1"]) == {
        "title": "Hello",
        "_members": ["amy", "zoe"],
    }
    assert visible(app.views()["readers/zoe/pages/p1"]) == {"title": "Hello"}
    assert visible(app.views()["titles/p1"]) == {"title": "Hello"}
    app.update("readers/zoe", {"reading": []})
    assert without_version(app.views()["pages/p1"]) == {"title": "Hello", "_members": ["amy"]}
    assert "readers/zoe/pages/p1" not in app.views()


def without_version(data: dict[str, object]) -> dict[str, object]:
    return {name: value for name, value in data.items() if name != "_version"}


def test_every_view_document_stores_the_version_of_its_content(seeded: Harness) -> None:
    views = seeded.views()
    assert views
    for path, data in views.items():
        assert data["_version"] == version_of(visible(data)), path
    master_before = views[MASTER]["_version"]
    seeded.update("tickets/tj_t", {"attendance": False})
    assert seeded.views()[MASTER]["_version"] != master_before
