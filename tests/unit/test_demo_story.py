"""The demo's story: steps recognise their outcome, and views are described for newcomers."""

from __future__ import annotations

import copy
from typing import Any

import meeting_room.fixture as fixture
from meeting_room.fixture import EXPECTED_MEETING_SESSION

from boiler_core.demo.story import changes, describe, meeting_room_story

S1 = copy.deepcopy(EXPECTED_MEETING_SESSION)


def with_fields(**fields: Any) -> dict[str, Any]:
    return {**copy.deepcopy(S1), **fields}


def test_story_watches_the_reference_meeting_and_plays_the_seeds_steps() -> None:
    view_path, steps = meeting_room_story(fixture)
    assert view_path == "meeting_sessions/meeting_1"
    assert [step.key for step in steps] == ["S1", "S2", "S6", "S3", "S12"]


def test_each_step_recognises_its_outcome_and_not_the_state_before() -> None:
    _, steps = meeting_room_story(fixture)
    s2 = with_fields(attending=S1["attending"][:2], numHearingAidRequested=1)
    renamed = copy.deepcopy(s2)
    renamed["attending"][1]["name"] = "Thomasina Manes-Kennedy"
    closed = {**renamed, "inSession": False}
    states: list[dict[str, Any] | None] = [None, S1, s2, renamed, closed, None]
    for step, before, after in zip(steps, states, states[1:], strict=False):
        assert step.reached(after), step.key
        assert not step.reached(before), step.key


def test_description_names_state_place_attendees_and_hearing_aids() -> None:
    assert describe(S1) == (
        "in session at 9500 Gilman Drive, La Jolla, CA; attending (3): Joshua Pendergrast, "
        "Thomasina Manes, Tijuana Furlong; hearing aids requested: 2"
    )
    assert describe(None).startswith("no such meeting session")


def test_changes_list_each_changed_field_with_old_and_new_values() -> None:
    after = with_fields(attending=S1["attending"][:2], numHearingAidRequested=1)
    assert changes(S1, after) == [
        "attending: [Joshua Pendergrast, Thomasina Manes, Tijuana Furlong] -> "
        "[Joshua Pendergrast, Thomasina Manes]",
        "numHearingAidRequested: 2 -> 1",
    ]
    assert changes(S1, with_fields(inSession=False)) == ["inSession: true -> false"]
    assert changes(None, S1) == ["created"]
    assert changes(S1, None) == ["deleted"]
    assert changes(S1, S1) == ["no visible change"]
