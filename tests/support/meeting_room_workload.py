"""Seeded random domain writes on the meeting-room app, for the fault tests of both tiers.

:class:`MeetingRoomWorkload` is the only writer of the domain collections in a fault run, so its
model of the domain state is exact. :meth:`MeetingRoomWorkload.writes` yields ``(path, data)``
pairs (``None`` deletes) covering every kind of change the views must follow: creates, updates and
deletes of every collection, membership changes (a user with a ticket joins a meeting, leaves it),
attendance and status flips (the ABA material), renames, location moves, a meeting deleted and
recreated under the same id, dangling references, no-op writes and writes of fields no view reads.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from typing import Any

from boiler_core.documents import Ref

Write = tuple[str, dict[str, Any] | None]

FIRST = ["Ada", "Bo", "Cy", "Di", "Ed"]
LAST = ["Lee", "Moss", "Nye", "Orr"]
ORGS = ["UCSD", "SDSU", "UCLA"]
STATUSES = ["not-started", "in-session", "closed"]
DELETE_SHARE = 0.25
"""Chance that picking an existing user, location or meeting for delete-or-create deletes it
(creating a missing one always happens), so most documents exist at any time."""
MAX_MEMBERS = 7
"""Meetings stop growing here (joins then turn into departures)."""
ADDRESSES = ["9500 Gilman Dr", "5500 Campanile Dr", "405 Hilgard Ave", "1 Market St"]


class MeetingRoomWorkload:
    """Random writes over ``users`` users, ``meetings`` meetings and ``locations`` locations."""

    def __init__(
        self, seed: int, *, users: int = 24, meetings: int = 10, locations: int = 4
    ) -> None:
        self.rng = random.Random(seed)
        self.user_ids = [f"u{i:02d}" for i in range(users)]
        self.meeting_ids = [f"m{i:02d}" for i in range(meetings)]
        self.location_ids = [f"loc{i}" for i in range(locations)]
        self.state: dict[str, dict[str, Any]] = {}
        """The domain documents as written so far, by path."""
        self._ops: list[tuple[int, Callable[[], Iterator[Write]]]] = [
            (6, self._rename_user),
            (3, self._user_detail),
            (2, self._delete_or_create_user),
            (3, self._move_location),
            (1, self._delete_or_create_location),
            (2, self._meeting_location),
            (6, self._status),
            (7, self._join),
            (5, self._leave),
            (8, self._attendance),
            (2, self._irrelevant),
            (2, self._noop),
            (2, self._delete_or_recreate_meeting),
            (1, self._delete_ticket),
        ]

    # -- public ----------------------------------------------------------------------------------

    def seed_writes(self) -> Iterator[Write]:
        """Create every location, user and meeting (each with some members and their tickets)."""
        for loc in self.location_ids:
            yield self._put(f"locations/{loc}", self._location())
        for uid in self.user_ids:
            yield self._put(f"users/{uid}", self._user())
        for mid in self.meeting_ids:
            yield from self._create_meeting(mid)

    def writes(self, count: int) -> Iterator[Write]:
        """``count`` random writes after the seed (each a single document write)."""
        weights = [w for w, _ in self._ops]
        made = 0
        while made < count:
            (_, op) = self.rng.choices(self._ops, weights)[0]
            for write in op():
                yield write
                made += 1
                if made == count:
                    return

    # -- documents -------------------------------------------------------------------------------

    def _user(self) -> dict[str, Any]:
        return {
            "first_name": self.rng.choice(FIRST),
            "last_name": self.rng.choice(LAST),
            "organization": self.rng.choice(ORGS),
            "hearing_aid_requested": self.rng.random() < 0.5,
        }

    def _location(self) -> dict[str, Any]:
        i = self.rng.randrange(len(ADDRESSES))
        return {"latitude": 32.0 + i, "longitude": -117.0 - i, "address": ADDRESSES[i]}

    def _create_meeting(self, mid: str) -> Iterator[Write]:
        members = self.rng.sample(self.user_ids, self.rng.randint(1, 6))
        for uid in members:
            yield self._put(f"tickets/{mid}_{uid}", self._ticket(uid))
        yield self._put(
            f"meetings/{mid}",
            {
                "location": Ref(f"locations/{self.rng.choice(self.location_ids)}"),
                "users": [Ref(f"users/{u}") for u in members],
                "tickets": [Ref(f"tickets/{mid}_{u}") for u in members],
                "status": self.rng.choice(STATUSES),
            },
        )

    def _ticket(self, uid: str) -> dict[str, Any]:
        role = self.rng.choice(["Participant", "Organizer"])
        return {"role": role, "user": Ref(f"users/{uid}"), "attendance": self.rng.random() < 0.7}

    # -- operations (each yields one or more writes) ---------------------------------------------

    def _rename_user(self) -> Iterator[Write]:
        path = self._pick("users")
        if path:
            field = self.rng.choice(["first_name", "last_name"])
            yield self._update(path, {field: self.rng.choice(FIRST if field[0] == "f" else LAST)})

    def _user_detail(self) -> Iterator[Write]:
        path = self._pick("users")
        if path and self.rng.random() < 0.5:
            yield self._update(path, {"organization": self.rng.choice(ORGS)})
        elif path:
            flag = not self.state[path]["hearing_aid_requested"]
            yield self._update(path, {"hearing_aid_requested": flag})

    def _delete_or_create_user(self) -> Iterator[Write]:
        path = f"users/{self.rng.choice(self.user_ids)}"
        if path not in self.state:
            yield self._put(path, self._user())
        elif self.rng.random() < DELETE_SHARE:
            yield self._put(path, None)

    def _move_location(self) -> Iterator[Write]:
        path = self._pick("locations")
        if path:
            yield self._update(path, self._location())

    def _delete_or_create_location(self) -> Iterator[Write]:
        path = f"locations/{self.rng.choice(self.location_ids)}"
        if path not in self.state:
            yield self._put(path, self._location())
        elif self.rng.random() < DELETE_SHARE:
            yield self._put(path, None)

    def _meeting_location(self) -> Iterator[Write]:
        path = self._pick("meetings")
        if path:
            yield self._update(path, {"location": Ref(self._any("locations"))})

    def _status(self) -> Iterator[Write]:
        path = self._pick("meetings")
        if path:
            yield self._update(path, {"status": self.rng.choice(STATUSES)})

    def _join(self) -> Iterator[Write]:
        path = self._pick("meetings")
        if not path:
            return
        mid = path.split("/")[1]
        meeting = self.state[path]
        if len(meeting["users"]) >= MAX_MEMBERS:
            yield from self._leave()
            return
        outside = [u for u in self.user_ids if Ref(f"users/{u}") not in meeting["users"]]
        uid = self.rng.choice(outside or self.user_ids)
        ticket = f"tickets/{mid}_{uid}"
        if ticket not in self.state:
            yield self._put(ticket, self._ticket(uid))
        users = [*meeting["users"], Ref(f"users/{uid}")]
        tickets = [*meeting["tickets"], Ref(ticket)]
        yield self._update(path, {"users": _unique(users), "tickets": _unique(tickets)})

    def _leave(self) -> Iterator[Write]:
        path = self._pick("meetings")
        if not path or not self.state[path]["users"]:
            return
        meeting = self.state[path]
        gone = self.rng.choice(meeting["users"])
        users = [u for u in meeting["users"] if u != gone]
        keep_ticket = self.rng.random() < 0.5  # sometimes the ticket stays listed
        tickets = (
            meeting["tickets"]
            if keep_ticket
            else [t for t in meeting["tickets"] if not t.path.endswith(f"_{gone.id}")]
        )
        yield self._update(path, {"users": users, "tickets": tickets})

    def _attendance(self) -> Iterator[Write]:
        path = self._pick("tickets")
        if path:
            yield self._update(path, {"attendance": not self.state[path]["attendance"]})

    def _irrelevant(self) -> Iterator[Write]:
        path = self._pick("tickets") if self.rng.random() < 0.5 else self._pick("meetings")
        if path and path.startswith("tickets/"):
            yield self._update(path, {"role": self.rng.choice(["Participant", "Organizer"])})
        elif path:
            yield self._update(path, {"notes": f"note {self.rng.randrange(1000)}"})

    def _noop(self) -> Iterator[Write]:
        path = self._pick(self.rng.choice(["users", "meetings", "tickets", "locations"]))
        if path:
            yield self._put(path, copy.deepcopy(self.state[path]))

    def _delete_or_recreate_meeting(self) -> Iterator[Write]:
        mid = self.rng.choice(self.meeting_ids)
        if f"meetings/{mid}" not in self.state:
            yield from self._create_meeting(mid)
        elif self.rng.random() < DELETE_SHARE:
            yield self._put(f"meetings/{mid}", None)

    def _delete_ticket(self) -> Iterator[Write]:
        path = self._pick("tickets")
        if path:
            yield self._put(path, None)

    # -- helpers ---------------------------------------------------------------------------------

    def _pick(self, collection: str) -> str | None:
        paths = sorted(p for p in self.state if p.startswith(f"{collection}/"))
        return self.rng.choice(paths) if paths else None

    def _any(self, collection: str) -> str:
        ids = self.location_ids if collection == "locations" else self.user_ids
        return f"{collection}/{self.rng.choice(ids)}"

    def _update(self, path: str, fields: dict[str, Any]) -> Write:
        return self._put(path, {**copy.deepcopy(self.state[path]), **fields})

    def _put(self, path: str, data: dict[str, Any] | None) -> Write:
        if data is None:
            self.state.pop(path, None)
        else:
            self.state[path] = copy.deepcopy(data)
        return path, copy.deepcopy(data)


def _unique(refs: list[Ref]) -> list[Ref]:
    out: list[Ref] = []
    for ref in refs:
        if ref not in out:
            out.append(ref)
    return out
