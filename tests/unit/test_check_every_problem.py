"""``boiler check`` reports every problem that does not depend on another one, in one run.

Each case is a small manifest of its own, with several problems; the test asserts the exact
``views.yaml:LINE:COL: error: WHAT (HINT)`` lines, and so also that a problem caused by another
(a path through a join that cannot be placed) is not reported a second time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from boiler_core.errors import ManifestError
from boiler_core.manifest import load_manifest_text

SCHEMAS = """\
from marshmallow import Schema, fields


class AuthorSchema(Schema):
    name = fields.String()
    country = fields.String()


class BookSchema(Schema):
    title = fields.String()
    author = fields.Raw()
    readers = fields.List(fields.Raw())


class ReaderSchema(Schema):
    name = fields.String()
    club = fields.Raw()
"""

HOOKS = """\
def blurb(sources):
    return ""


def allow(request):
    return True
"""

COLLECTIONS = """\
version: 1
collections:
  authors: {path: "authors/{author}", schema: "checked.schemas:AuthorSchema"}
  books: {path: "books/{book}", schema: "checked.schemas:BookSchema"}
  readers: {path: "readers/{reader}", schema: "checked.schemas:ReaderSchema"}
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A functions folder with the schemas and hooks the manifests name (imported once)."""
    root = tmp_path_factory.mktemp("checked")
    package = root / "functions" / "checked"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "schemas.py").write_text(SCHEMAS)
    (package / "hooks.py").write_text(HOOKS)
    return root


def problems(app: Path, text: str) -> list[str]:
    with pytest.raises(ManifestError) as caught:
        load_manifest_text(text, base_dir=app)
    return [str(problem) for problem in caught.value.problems]


def test_a_wrong_field_path_is_reported_with_an_unknown_join_collection(app: Path) -> None:
    text = COLLECTIONS + (
        "views:\n"
        "  cards:\n"
        '    path: "cards/{book}"\n'
        "    root: books\n"
        "    joins:\n"
        "      author: {collection: writers, ref: author}\n"
        "    fields:\n"
        "      title: titel\n"
        "      name: author.name\n"  # fields of an unknown collection are unknown: not reported
    )
    assert problems(app, text) == [
        "views.yaml:11:28: error: join 'author' of view 'cards' names unknown collection "
        "'writers' (declare it under collections (known: authors, books, cards, readers))",
        "views.yaml:13:14: error: unknown join or field 'titel' in field path 'titel' (did you "
        "mean 'title'?)",
    ]


def test_what_names_a_join_that_cannot_be_placed_is_not_reported_again(app: Path) -> None:
    text = COLLECTIONS + (
        "views:\n"
        "  cards:\n"
        '    path: "cards/{book}"\n'
        "    root: books\n"
        "    joins:\n"
        "      author: {collection: authors}\n"
        "      home: {collection: authors, parent: author, ref: country}\n"
        "      readers: {collection: readers, refs: readers, parent: nobody}\n"
        "    fields:\n"
        "      name: author.name\n"
        "      country: home.name\n"
        "      readers: {count: readers}\n"
        "      title: {source: titel}\n"
        "    copies:\n"
        '      - path: "readers/{reader}/cards/{book}"\n'
        "        for_each: readers\n"
        "    read: {members: readers}\n"
    )
    assert problems(app, text) == [
        "views.yaml:11:15: error: join 'author' of view 'cards' needs exactly one of ref, refs "
        "or query (found 0) (ref: FIELD (one reference on the parent), refs: FIELD (a list of "
        "references), query: FIELD (joined documents whose FIELD points at the parent))",
        "views.yaml:13:61: error: join 'readers' of view 'cards' has unknown parent join "
        "'nobody' (parent must name another join of this view)",
        "views.yaml:18:23: error: unknown join or field 'titel' in field path 'titel' (did you "
        "mean 'title'?)",
    ]


def test_every_part_of_a_list_field_is_checked(app: Path) -> None:
    text = COLLECTIONS + (
        "views:\n"
        "  cards:\n"
        '    path: "cards/{book}"\n'
        "    root: books\n"
        "    joins:\n"
        "      fans: {collection: readers, refs: readers}\n"
        "    fields:\n"
        "      fans:\n"
        "        list: fans\n"
        "        where: {clubb: x}\n"
        "        sort: [-nam, name]\n"
        "        item: {n: name, c: countryy}\n"
        "        limit: 0\n"
    )
    assert problems(app, text) == [
        "views.yaml:15:17: error: unknown join or field 'clubb' in field path 'clubb' (did you "
        "mean 'club'?)",
        "views.yaml:16:16: error: unknown join or field 'nam' in field path 'nam' (did you mean "
        "'name'?)",
        "views.yaml:17:28: error: unknown join or field 'countryy' in field path 'countryy' "
        "(collection 'readers' has fields: club, name)",
        "views.yaml:18:16: error: limit of field 'fans' of view 'cards' must be at least 1, not 0",
    ]


def test_fields_copies_and_keys_that_do_not_apply_are_each_reported(app: Path) -> None:
    text = COLLECTIONS + (
        "views:\n"
        "  cards:\n"
        '    path: "cards/{book}"\n'
        "    root: books\n"
        "    joins:\n"
        "      readers: {collection: readers, refs: readers}\n"
        "      followers: {collection: readers, parent: readers, query: club}\n"
        "    fields:\n"
        "      _secret: {source: title, where: {name: x}}\n"
        "      title: {source: titl, limit: 3}\n"
        "      n: {count: followers, where: {nme: x}}\n"
        "    copies:\n"
        '      - path: "readers/{reader}/cards/{book}"\n'
        "        for_each: followers\n"
        '      - path: "followers/{follower}/cards/{book}"\n'
        "        for_each: readrs\n"
    )
    assert problems(app, text) == [
        "views.yaml:14:7: error: field name '_secret' of view 'cards' starts with '_', which is "
        "reserved for boiler's bookkeeping fields (_members) (rename it, e.g. 'secret')",
        "views.yaml:14:32: error: 'where' does not apply to a source field (field '_secret' of "
        "view 'cards') (a source field takes: default, equals, source)",
        "views.yaml:15:23: error: unknown join or field 'titl' in field path 'titl' (did you "
        "mean 'title'?)",
        "views.yaml:15:29: error: 'limit' does not apply to a source field (field 'title' of "
        "view 'cards') (a source field takes: default, equals, source)",
        "views.yaml:16:18: error: field 'n' of view 'cards': join 'followers' must hang from the "
        "root and yield many documents (use refs or query joins for counts and lists)",
        "views.yaml:16:37: error: unknown join or field 'nme' in field path 'nme' (did you mean "
        "'name'?)",
        "views.yaml:19:19: error: copies of view 'cards' iterate over join 'followers', which "
        "hangs from join 'readers', not from the root (for_each names a join hanging from the "
        "root: each of its documents gets a copy)",
        "views.yaml:21:19: error: copies of view 'cards' iterate over unknown join 'readrs' "
        "(did you mean 'readers'?)",
    ]


def test_a_copy_over_a_join_of_a_join_says_where_the_join_hangs(app: Path) -> None:
    text = COLLECTIONS + (
        "views:\n"
        "  cards:\n"
        '    path: "cards/{book}"\n'
        "    root: books\n"
        "    joins:\n"
        "      readers: {collection: readers, refs: readers}\n"
        "      followers: {collection: readers, parent: readers, query: club}\n"
        "    fields:\n"
        "      title: title\n"
        "    copies:\n"
        '      - path: "followers/{follower}/cards/{book}"\n'
        "        for_each: followers\n"
    )
    assert problems(app, text) == [
        "views.yaml:17:19: error: copies of view 'cards' iterate over join 'followers', which "
        "hangs from join 'readers', not from the root (for_each names a join hanging from the "
        "root: each of its documents gets a copy)"
    ]


def test_collections_mutations_and_views_report_each_independent_problem(app: Path) -> None:
    text = (
        "version: 1\n"
        "collections:\n"
        "  authors:\n"
        '    path: "authors/{author}"\n'
        "    client: {read: {owner: writer}, write: public}\n"
        '  books: {path: "books/{book}", schema: "checked.schemas:BookSchema"}\n'
        "views:\n"
        "  cards:\n"
        '    path: "cards/{book}"\n'
        "    root: books\n"
        "    fields:\n"
        "      title: titel\n"
        "  covers:\n"
        '    path: "cards/{book}"\n'
        "    root: books\n"
        "    fields:\n"
        "      title: title\n"
        "mutations:\n"
        "  rename:\n"
        "    handler: checked.hooks:renam\n"
        "    policy: {member-of: card}\n"
        "  close:\n"
        "    route: PATCH covers/{book}\n"
        "    handler: checked.hooks:blurb\n"
        "    policy: {hook: checked.hooks:alow}\n"
    )
    assert problems(app, text) == [
        "views.yaml:5:20: error: client read policy of collection 'authors': owner variable "
        "'writer' is not in the path 'authors/{author}' (use one of: author)",
        "views.yaml:5:44: error: client write policy of collection 'authors' may not be public: "
        "anyone, signed in or not, could change it (use signed-in, {owner: VARIABLE} or "
        "{rule: EXPRESSION})",
        "views.yaml:12:14: error: unknown join or field 'titel' in field path 'titel' (did you "
        "mean 'title'?)",
        "views.yaml:13:3: error: views 'cards' and 'covers' both write collection 'cards' (give "
        "each view its own collection)",
        "views.yaml:20:5: error: mutation 'rename' is missing required key 'route'",
        "views.yaml:20:14: error: module 'checked.hooks' has no attribute 'renam' (define renam "
        "in checked.hooks)",
        "views.yaml:21:13: error: mutation 'rename' policy names unknown view 'card' (did you "
        "mean 'cards'?)",
        "views.yaml:25:13: error: module 'checked.hooks' has no attribute 'alow' (did you mean "
        "'allow'?)",
    ]
