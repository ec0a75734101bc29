"""The relevance filter: which changes can affect a view, decided before any read."""

from __future__ import annotations

from typing import Any

import pytest

from boiler_core.engine import Change
from boiler_core.engine.relevance import changed_fields, is_relevant, usage
from boiler_core.manifest import Manifest, load_manifest_text
from boiler_core.manifest.model import ROOT

TICKET = {"role": "Participant", "user": "users/tijuana", "attendance": True}


def test_usage_names_projected_hook_read_and_link_fields_per_node(manifest: Manifest) -> None:
    assert usage(manifest.views["meeting_sessions"]) == {
        ROOT: frozenset({"status", "location", "users", "tickets"}),
        "location": frozenset({"latitude", "longitude", "address"}),
        "users": frozenset({"first_name", "last_name", "organization", "hearing_aid_requested"}),
        "tickets": frozenset({"user", "attendance"}),
    }
    assert usage(manifest.views["user_profiles"]) == {
        ROOT: frozenset({"first_name", "last_name", "organization", "hearing_aid_requested"}),
        "meetings": frozenset({"users", "status", "location"}),
        "meeting_location": frozenset({"address"}),
    }


@pytest.mark.parametrize(
    ("before", "after", "relevant"),
    [
        (TICKET, {**TICKET, "role": "Organizer"}, False),
        (TICKET, {**TICKET, "notes": "unused"}, False),
        (TICKET, TICKET, False),
        (TICKET, {**TICKET, "attendance": False}, True),
        (TICKET, {**TICKET, "user": "users/joshua"}, True),
        (TICKET, {k: v for k, v in TICKET.items() if k != "attendance"}, True),
        (None, TICKET, True),
        (TICKET, None, True),
        (None, None, False),
    ],
)
def test_ticket_change_is_relevant_only_when_a_used_field_differs(
    manifest: Manifest,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    relevant: bool,
) -> None:
    view = manifest.views["meeting_sessions"]
    change = Change("tickets", "tj_t", before, after)
    assert is_relevant(view, usage(view), change) is relevant


def test_view_not_reading_the_collection_is_never_relevant(manifest: Manifest) -> None:
    view = manifest.views["user_profiles"]
    assert not is_relevant(view, usage(view), Change("tickets", "t", None, TICKET))


def test_hook_without_reads_makes_every_update_relevant() -> None:
    manifest = load_manifest_text(
        """
version: 1
collections:
  posts: {path: "posts/{post}"}
views:
  summaries:
    path: "summaries/{post}"
    root: posts
    fields:
      title: title
      everything: {hook: "json:dumps"}
"""
    )
    view = manifest.views["summaries"]
    assert usage(view) is None
    change = Change("posts", "p", {"title": "a", "x": 1}, {"title": "a", "x": 2})
    assert is_relevant(view, usage(view), change)


@pytest.mark.parametrize(
    ("before", "after", "changed"),
    [
        ({"a": 1}, {"a": 1}, set()),
        ({"a": 1}, {"a": 2}, {"a"}),
        ({"a": None}, {}, {"a"}),
        ({"a": [1, 2]}, {"a": [2, 1]}, {"a"}),
        ({"a": {"b": 1}}, {"a": {"b": 1}, "c": 0}, {"c"}),
    ],
)
def test_changed_fields_compares_top_level_values_and_presence(
    before: dict[str, Any], after: dict[str, Any], changed: set[str]
) -> None:
    assert changed_fields(before, after) == changed


@pytest.mark.parametrize(
    ("before", "after"),
    [(0, False), (1, True), (1, 1.0), ({"a": 0}, {"a": False}), ([1], [True]), ("x", 0)],
)
def test_a_value_changing_type_is_a_change_as_firestore_sees_it(before: Any, after: Any) -> None:
    assert changed_fields({"f": before}, {"f": after}) == {"f"}


@pytest.mark.parametrize("value", [0, False, 1.5, {"a": [1, {"b": True}]}, "x", None])
def test_an_equal_value_of_the_same_type_is_no_change(value: Any) -> None:
    assert changed_fields({"f": value}, {"f": value}) == frozenset()
