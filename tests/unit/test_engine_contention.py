"""Contention: bounded retries, one clear log line when the engine gives up, and a repairable
view afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from delegating import Delegating
from meeting_room.fixture import MEETING_ID

from boiler_core.engine import Engine
from boiler_core.errors import ContentionError, Unfinished
from boiler_core.manifest import Manifest
from boiler_core.rebuild import Verifier
from boiler_core.store.memory import MemoryStore
from boiler_core.store.port import Transaction
from boiler_core.testing import Harness, update

T = TypeVar("T")


class HotDocument(Delegating[MemoryStore]):
    """A store where another writer changes ``path`` during every transaction attempt: a real
    conflict each time, as under a hot document (one the transaction reads)."""

    def __init__(self, inner: MemoryStore, path: str) -> None:
        super().__init__(inner)
        self.path = path
        self.attempts = 0

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        def contended(tx: Transaction) -> T:
            self.attempts += 1
            result = fn(tx)
            self.inner.put(self.path, {**(self.inner.doc(self.path) or {}), "n": self.attempts})
            return result

        return self.inner.run_transaction(contended, max_attempts=max_attempts)


def test_giving_up_logs_one_line_naming_view_roots_and_attempts(seeded: Harness) -> None:
    change = update(seeded.store, "tickets/tj_t", {"attendance": False})
    hot = HotDocument(seeded.store, f"meetings/{MEETING_ID}")
    lines: list[dict[str, Any]] = []
    engine = Engine(seeded.manifest, hot, log=lines.append, max_attempts=3)

    with pytest.raises(Unfinished) as caught:
        engine.handle(change)

    assert hot.attempts == 3
    assert caught.value.views == ("meeting_sessions",)
    gave_up = caught.value.__cause__
    assert isinstance(gave_up, ContentionError)
    assert caught.value.errors == {"meeting_sessions": gave_up}
    assert (gave_up.view, gave_up.roots, gave_up.attempts) == (
        "meeting_sessions",
        (MEETING_ID,),
        3,
    )
    assert len(lines) == 1
    [line] = lines
    assert line["severity"] == "ERROR"
    assert line["boiler"]["gave_up"] == {
        "view": "meeting_sessions",
        "roots": [MEETING_ID],
        "attempts": 3,
    }
    assert line["boiler"]["unfinished"] == ["meeting_sessions"]
    message = line["message"]
    assert "gave up on view 'meeting_sessions'" in message
    assert f"root(s) {MEETING_ID} of 'meetings'" in message
    assert "after 3 contended attempts" in message
    assert "boiler verify --repair meeting_sessions" in message


def test_a_given_up_event_is_found_and_repaired_by_verify(
    manifest: Manifest, seeded: Harness
) -> None:
    change = update(seeded.store, "tickets/tj_t", {"attendance": False})
    hot = HotDocument(seeded.store, f"meetings/{MEETING_ID}")
    engine = Engine(manifest, hot, log=lambda e: None)
    with pytest.raises(Unfinished):
        engine.handle(change)

    verifier = Verifier(Engine(manifest, seeded.store, log=lambda e: None), seeded.store)
    found = verifier.check("meeting_sessions", repair=True)
    assert {d.kind for d in found.divergences} == {"different"}
    assert len(found.divergences) == 4
    attending = seeded.store.doc(f"meeting_sessions/{MEETING_ID}") or {}
    assert [a["name"] for a in attending["attending"]] == ["Joshua Pendergrast", "Thomasina Manes"]
    assert verifier.check("meeting_sessions").divergences == []


def test_a_long_chunk_names_a_few_roots_and_counts_the_rest(manifest: Manifest) -> None:
    app = Harness(manifest)
    for i in range(8):
        app.store.put(f"meetings/m{i}", {"status": "closed", "users": [], "tickets": []})
    engine = Engine(manifest, HotDocument(app.store, "meetings/m0"), log=lambda e: None)
    with pytest.raises(ContentionError, match=r"root\(s\) m0, m1, m2, m3, m4 and 3 more"):
        engine.recompute("meeting_sessions", [f"m{i}" for i in range(8)])
