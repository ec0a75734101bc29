"""The event kinds of the meeting-room app that the cost benchmark measures, as domain writes.

Each :class:`EventKind` knows the write it measures on the meeting-room fixture
(``functions/meeting_room/fixture.py``) and the unmeasured write that undoes it, so a kind can be
repeated: attendance flips, renames, moves and membership changes alternate, a deleted meeting is
recreated between repetitions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.domain import Domain, Write
from boiler_core.documents import Ref

MEETING = "meetings/meeting_1"


@dataclass(frozen=True)
class EventKind:
    """One kind of domain write: :attr:`measured` yields it for repetition ``i``; :attr:`undo`
    (not measured) restores a state from which the next repetition starts."""

    name: str
    measured: Callable[[Domain, int], Write]
    undo: Callable[[Domain, int], Write | None]


def _with(domain: Domain, path: str, **fields: Any) -> dict[str, Any]:
    return {**domain.state[path], **fields}


def _attendance(domain: Domain, i: int) -> Write:
    return "tickets/tj_t", _with(domain, "tickets/tj_t", attendance=i % 2 == 1)


def _rename(domain: Domain, i: int) -> Write:
    last = "Manes" if i % 2 else "Manes-Kennedy"
    return "users/thomasina", _with(domain, "users/thomasina", last_name=last)


def _irrelevant(domain: Domain, i: int) -> Write:
    return "tickets/tj_t", _with(domain, "tickets/tj_t", role=f"Participant {i}")


def _members(domain: Domain, *, joshua: bool) -> Write:
    users = [Ref("users/tijuana"), Ref("users/thomasina")]
    if joshua:
        users.append(Ref("users/joshua"))
    return MEETING, _with(domain, MEETING, users=users)


def _move(domain: Domain, i: int) -> Write:
    address = "9500 Gilman Drive, La Jolla, CA" if i % 2 else "5998 Alcala Park, San Diego, CA"
    latitude = 32.880361 if i % 2 else 32.771
    return "locations/gilman", _with(domain, "locations/gilman", address=address, latitude=latitude)


def _delete(domain: Domain, i: int) -> Write:
    return MEETING, None


KINDS: tuple[EventKind, ...] = (
    EventKind("ticket attendance", _attendance, lambda d, i: None),
    EventKind("user rename", _rename, lambda d, i: None),
    EventKind("irrelevant field (ticket role)", _irrelevant, lambda d, i: None),
    EventKind(
        "membership remove",
        lambda d, i: _members(d, joshua=False),
        lambda d, i: _members(d, joshua=True),
    ),
    EventKind(
        "membership add",
        lambda d, i: _members(d, joshua=True),
        lambda d, i: _members(d, joshua=False),
    ),
    EventKind("location move", _move, lambda d, i: None),
    EventKind("meeting delete", _delete, lambda d, i: (MEETING, dict(RECREATE))),
)
"""In run order. "membership add" starts from the state "membership remove"'s measured write
leaves only after its undo ran, so each kind sets itself up: see :func:`prepare`."""

RECREATE: dict[str, Any] = {}
"""The meeting as seeded, filled in by :func:`remember_meeting` (for recreating it)."""


def remember_meeting(domain: Domain) -> None:
    """Keep the seeded meeting so "meeting delete" can recreate it between repetitions."""
    RECREATE.clear()
    RECREATE.update(domain.state[MEETING])


def prepare(kind: EventKind, domain: Domain) -> list[Write]:
    """Writes (unmeasured) that put the fixture in the state the kind's first write expects."""
    if kind.name == "membership add":
        return [_members(domain, joshua=False)]
    return []
