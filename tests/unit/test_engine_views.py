"""The views one change feeds are recomputed at the same time, and one view's failure does not
keep the others from finishing (users feed both `meeting_sessions` and `user_profiles`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from delegating import Delegating

from boiler_core.engine import Engine
from boiler_core.errors import ContentionError, Unfinished
from boiler_core.store.memory import MemoryStore
from boiler_core.store.port import Transaction
from boiler_core.testing import Harness, update

T = TypeVar("T")


class SessionsWaitForProfile(Delegating[MemoryStore]):
    """Holds every transaction that writes a `meeting_sessions` document, before it commits,
    until a transaction writing a `user_profiles` document has committed (at most ``wait``
    seconds); records for each whether the profile's commit came in time."""

    def __init__(self, inner: MemoryStore, wait: float) -> None:
        super().__init__(inner)
        self.wait = wait
        self.profile_committed = threading.Event()
        self.sessions_waited: list[bool] = []

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        wrote: set[str] = set()

        def held(tx: Transaction) -> T:
            wrote.clear()
            result = fn(_Recording(tx, wrote))
            if any(p.startswith("meeting_sessions/") for p in wrote):
                self.sessions_waited.append(self.profile_committed.wait(self.wait))
            return result

        result = self.inner.run_transaction(held, max_attempts=max_attempts)
        if any(p.startswith("user_profiles/") for p in wrote):
            self.profile_committed.set()
        return result


class _Recording:
    """A transaction that notes the paths it sets."""

    def __init__(self, tx: Transaction, wrote: set[str]) -> None:
        self._tx, self._wrote = tx, wrote

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    def set(self, path: str, data: Any) -> None:
        self._wrote.add(path)
        self._tx.set(path, data)


def test_the_views_of_one_change_are_recomputed_at_the_same_time(seeded: Harness) -> None:
    store = SessionsWaitForProfile(seeded.store, wait=10.0)
    engine = Engine(seeded.manifest, store, log=lambda e: None)
    cost = engine.handle(update(seeded.store, "users/tijuana", {"first_name": "Tia"}))

    # one after the other, the sessions' commit would wait for a profile not yet begun
    assert store.sessions_waited == [True]
    assert set(cost.views) == {"meeting_sessions", "user_profiles"}
    assert (seeded.store.doc("user_profiles/tijuana") or {})["first_name"] == "Tia"


def test_one_at_a_time_with_parallel_1(seeded: Harness) -> None:
    """The check above can fail: with ``parallel=1`` the views run in turn."""
    store = SessionsWaitForProfile(seeded.store, wait=0.2)
    engine = Engine(seeded.manifest, store, log=lambda e: None, parallel=1)
    engine.handle(update(seeded.store, "users/tijuana", {"first_name": "Tia"}))
    assert store.sessions_waited == [False]


class HotTicket(Delegating[MemoryStore]):
    """Another writer changes a ticket during every transaction: only `meeting_sessions` reads
    tickets, so only its transactions conflict."""

    def run_transaction(self, fn: Callable[[Transaction], T], *, max_attempts: int = 5) -> T:
        def contended(tx: Transaction) -> T:
            result = fn(tx)
            ticket = self.inner.doc("tickets/tj_t") or {}
            self.inner.put("tickets/tj_t", {**ticket, "n": ticket.get("n", 0) + 1})
            return result

        return self.inner.run_transaction(contended, max_attempts=max_attempts)


def test_a_view_that_gives_up_does_not_stop_the_others(seeded: Harness) -> None:
    lines: list[dict[str, Any]] = []
    engine = Engine(seeded.manifest, HotTicket(seeded.store), log=lines.append, max_attempts=2)

    with pytest.raises(Unfinished) as caught:
        engine.handle(update(seeded.store, "users/tijuana", {"first_name": "Tia"}))

    assert caught.value.views == ("meeting_sessions",)
    assert isinstance(caught.value.__cause__, ContentionError)
    assert caught.value.__cause__.view == "meeting_sessions"
    assert (seeded.store.doc("user_profiles/tijuana") or {})["first_name"] == "Tia"
    [line] = lines
    assert line["severity"] == "ERROR"
    assert line["boiler"]["gave_up"]["view"] == "meeting_sessions"
    assert set(line["boiler"]["views"]) == {"meeting_sessions", "user_profiles"}
    assert line["boiler"]["writes"] >= 1  # the profile's, committed although the sessions failed
