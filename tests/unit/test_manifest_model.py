"""The validated manifest model: path templates, derived lookups, the shipped app's shape."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError
from meeting_room_app import VIEWS_YAML

from boiler_core.documents import Doc, Ref, ref_id
from boiler_core.manifest import load_manifest, load_manifest_text
from boiler_core.manifest.model import HookField, PathTemplate
from boiler_core.rebuild import fingerprints
from boiler_core.schema_fields import Reference


def test_path_template_formats_and_matches_documents() -> None:
    template = PathTemplate.parse("users/{user}/meeting_sessions/{meeting}")
    assert template.variables == ("user", "meeting")
    assert template.collection_id == "meeting_sessions"
    path = template.format({"user": "ada", "meeting": "m1"})
    assert path == "users/ada/meeting_sessions/m1"
    assert template.match(path) == {"user": "ada", "meeting": "m1"}
    assert template.match("users/ada/other/m1") is None
    assert template.match("users/ada") is None


def test_shipped_manifest_lists_sources_and_the_views_they_feed() -> None:
    manifest = load_manifest(VIEWS_YAML)
    assert manifest.source_collections() == ("locations", "meetings", "tickets", "users")
    assert [v.name for v in manifest.views_fed_by("meetings")] == [
        "meeting_sessions",
        "user_profiles",
    ]
    assert [v.name for v in manifest.views_fed_by("tickets")] == ["meeting_sessions"]
    assert manifest.source_path("users").text == "users/{user}"
    session = manifest.views["meeting_sessions"]
    assert session.root_variable == "meeting"
    assert session.copies[0].variable == "user"
    assert manifest.mutations["set_in_session"].method == "PATCH"


def test_doc_reads_dotted_paths_and_its_id() -> None:
    doc = Doc("meetings/m1", {"location": {"address": "Gilman"}, "status": "closed"})
    assert doc.get("location.address") == "Gilman"
    assert doc.get("$id") == "m1"
    assert doc.get("location.missing", "x") == "x"
    assert doc.ref == Ref("meetings/m1")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Ref("users/ada"), "ada"),
        ("users/ada", "ada"),
        ("ada", "ada"),
        ("", None),
        (3, None),
        ("users/", None),
        ("..", None),
        (Ref("users/."), None),
        ("__id__", None),
        ("__x", "__x"),
    ],
)
def test_ref_id_accepts_references_paths_and_ids(value: object, expected: str | None) -> None:
    assert ref_id(value) == expected


def test_reference_field_loads_paths_ids_and_refs() -> None:
    field = Reference("users")
    assert field.deserialize("ada") == Ref("users/ada")
    assert field.deserialize("users/ada") == Ref("users/ada")
    assert field.deserialize(Ref("users/ada")) == Ref("users/ada")
    with pytest.raises(ValidationError, match="Expected a reference to users/"):
        field.deserialize("tickets/t1")
    with pytest.raises(ValidationError, match="Not a reference to a document of users"):
        field.deserialize(42)


HOOKED = """\
version: 1
collections:
  posts: {path: "posts/{post}"}
views:
  summaries:
    path: "summaries/{post}"
    root: posts
    fields:
      dump: {hook: "json:dumps"}
"""


def test_a_hook_field_knows_where_it_is_declared_and_moving_it_changes_nothing_else() -> None:
    manifest = load_manifest_text(HOOKED)
    moved = load_manifest_text(HOOKED.replace("    fields:\n", "\n    # computed\n    fields:\n"))
    (_, spec), (_, spec_moved) = (m.views["summaries"].fields[0] for m in (manifest, moved))
    assert isinstance(spec, HookField)
    assert isinstance(spec_moved, HookField)
    assert (str(spec.location), str(spec_moved.location)) == ("views.yaml:9:20", "views.yaml:11:20")
    assert moved == manifest
    assert fingerprints(moved) == fingerprints(manifest)
