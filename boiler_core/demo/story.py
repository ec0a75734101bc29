"""The story ``boiler demo`` plays: the meeting-room reference scenario, step by step.

Each :class:`Step` is one or more domain writes (what a mutation or an app would do), the view
state the step must lead to, and an optional check of other view documents once the runtime is
quiet. The data comes from the app's own fixture module (``meeting_room.fixture``), the one the
tests use, so the demo shows exactly the reference outputs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from google.cloud.firestore import Client

from boiler_core.store.codec import to_firestore

View = Mapping[str, Any] | None
VIEW_COLLECTION = "meeting_sessions"


@dataclass(frozen=True)
class Step:
    """One step of the story."""

    key: str
    """Reference scenario id (``S2``), or a short tag."""

    title: str
    """What happens, in words a newcomer understands."""

    writes: str
    """The domain writes, as paths and fields."""

    apply: Callable[[Client], object]
    """Performs the writes."""

    reached: Callable[[View], bool]
    """True once the watched view shows the step's outcome."""

    expected: str
    """The outcome in words."""

    check: Callable[[Client], str] | None = None
    """Once the runtime is quiet: verify other documents; returns a sentence, raises
    AssertionError with the difference when they are wrong."""

    note: str | None = None
    """Something a newcomer should know to read the step's timing."""


def meeting_room_story(fixture: ModuleType) -> tuple[str, list[Step]]:
    """The watched view path and the steps S1, S2, S6, S3 (as a domain write) and S12."""
    meeting = str(fixture.MEETING_ID)
    view_path = f"{VIEW_COLLECTION}/{meeting}"
    expected: dict[str, Any] = dict(fixture.EXPECTED_MEETING_SESSION)
    documents: dict[str, dict[str, Any]] = fixture.fixture_documents()
    users = [path.split("/", 1)[1] for path in documents if path.startswith("users/")]
    copies = [f"users/{user}/{VIEW_COLLECTION}/{meeting}" for user in users]

    def seed(client: Client) -> None:
        batch = client.batch()
        for path, data in documents.items():
            batch.set(client.document(path), to_firestore(data, client))
        batch.commit()

    def copies_equal_view(client: Client) -> str:
        master = _visible(client.document(view_path).get().to_dict(), expected)
        for path in copies:
            copy = _visible(client.document(path).get().to_dict(), expected)
            assert copy == master, f"{path} differs from {view_path}: {copy} != {master}"
        return f"each participant's copy ({', '.join(copies)}) equals it"

    def profile_renamed(client: Client) -> str:
        profile = client.document("user_profiles/thomasina").get().to_dict() or {}
        assert profile.get("last_name") == "Manes-Kennedy", f"user_profiles/thomasina: {profile}"
        return "user_profiles/thomasina has last_name 'Manes-Kennedy' too"

    def copies_gone(client: Client) -> str:
        left = [path for path in copies if client.document(path).get().exists]
        assert not left, f"copies still present: {left}"
        return "every participant's copy is deleted too"

    steps = [
        Step(
            "S1",
            "Seed the reference fixture: 3 users, a location, 3 tickets, meeting_1 in session",
            f"{len(documents)} documents in one batch: " + ", ".join(documents),
            seed,
            lambda view: view is not None and _visible(view, expected) == expected,
            "the view equals the reference (everyone attends; 2 hearing aids)",
            copies_equal_view,
            "the first update includes the functions' cold start (engine and client setup)",
        ),
        Step(
            "S2",
            "Tijuana leaves the room: her ticket's attendance turns false",
            "tickets/tj_t  attendance: true -> false",
            lambda client: client.document("tickets/tj_t").update({"attendance": False}),
            lambda view: (
                _names(view) == ["Joshua Pendergrast", "Thomasina Manes"]
                and _get(view, "numHearingAidRequested") == 1
            ),
            "attending = Joshua, Thomasina; 1 hearing aid",
        ),
        Step(
            "S6",
            "Thomasina changes her last name",
            "users/thomasina  last_name: 'Manes' -> 'Manes-Kennedy'",
            lambda client: client.document("users/thomasina").update(
                {"last_name": "Manes-Kennedy"}
            ),
            lambda view: "Thomasina Manes-Kennedy" in _names(view),
            "her name is 'Thomasina Manes-Kennedy' in the attending list",
            profile_renamed,
        ),
        Step(
            "S3",
            "The meeting is closed (here as a direct domain write; the app does it by PATCH)",
            f"meetings/{meeting}  status: 'in-session' -> 'closed'",
            lambda client: client.document(f"meetings/{meeting}").update({"status": "closed"}),
            lambda view: _get(view, "inSession") is False,
            "inSession becomes false; everything else stays",
        ),
        Step(
            "S12",
            "The meeting is deleted",
            f"meetings/{meeting}  deleted",
            lambda client: client.document(f"meetings/{meeting}").delete(),
            lambda view: view is None,
            "the view document disappears",
            copies_gone,
        ),
    ]
    return view_path, steps


def describe(view: View) -> str:
    """The view in one sentence: session state, place, who attends, hearing aids."""
    if view is None:
        return "no such meeting session (the view document does not exist)"
    state = "in session" if view.get("inSession") else "not in session"
    names = _names(view)
    attending = ", ".join(names) if names else "nobody"
    aids = view.get("numHearingAidRequested")
    return (
        f"{state} at {view.get('address')}; attending ({len(names)}): {attending}; "
        f"hearing aids requested: {aids}"
    )


def changes(before: View, after: View) -> list[str]:
    """What differs between two states of the view, one line per field."""
    if before is None and after is None:
        return ["still absent"]
    if before is None:
        return ["created"]
    if after is None:
        return ["deleted"]
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key == "attending":
            lines.append(f"attending: {_name_list(before)} -> {_name_list(after)}")
        else:
            lines.append(f"{key}: {_show(old)} -> {_show(new)}")
    return lines or ["no visible change"]


def _visible(view: View, like: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``view`` the reference compares (bookkeeping fields left out)."""
    return {key: view[key] for key in like if key in view} if view else {}


def _get(view: View, key: str) -> Any:
    return view.get(key) if view is not None else None


def _names(view: View) -> list[str]:
    attending = _get(view, "attending") or []
    return [str(entry.get("name")) for entry in attending if isinstance(entry, Mapping)]


def _name_list(view: View) -> str:
    return "[" + ", ".join(_names(view)) + "]"


def _show(value: Any) -> str:
    return "absent" if value is None else json.dumps(value)
