"""Do an app's views converge? Play domain writes, deliver their events, compare with a rebuild.

:func:`play_in_memory` applies writes to a :class:`~boiler_core.store.memory.MemoryStore` and
hands each change to the engine the way Firestore triggers may: late, duplicated and reordered,
from a seed, so a failure replays exactly.
:func:`play_on_emulator` writes through a Firestore client to the emulator of a running
:class:`~boiler_core.dispatch.LocalRuntime`, whose triggers run the app's generated functions.

Either way :func:`divergences` then asks what ``boiler verify`` asks (every view document against
a recompute of its root) and also compares every view document with a rebuild of all views from
the domain documents alone, so a view of a view cannot hide behind a stale upstream document.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from boiler_core.engine.change import Change
from boiler_core.engine.engine import Engine
from boiler_core.engine.relevance import same_value
from boiler_core.manifest.model import Manifest
from boiler_core.rebuild.order import build_order
from boiler_core.rebuild.verify import Verifier
from boiler_core.store.memory import MemoryStore, copy_value
from boiler_core.store.port import ListingStore
from boiler_core.testing.oracle import expected_views, stored_views
from boiler_core.testing.strategies import Write
from boiler_core.testing.writes import write_change


@dataclass
class Outcome:
    """What playing writes left behind: failed invocations and divergent view documents."""

    failures: list[str] = field(default_factory=list)
    """One line per failed invocation: the event and the error."""
    divergences: list[str] = field(default_factory=list)
    """One line per view document that differs from what the domain state implies."""

    def __bool__(self) -> bool:
        return bool(self.failures or self.divergences)

    def report(self, writes: Iterable[Write]) -> str:
        """A readable account for a failing test: the writes, then what went wrong."""
        lines = ["after these writes:", *(f"  {write}" for write in writes)]
        if self.failures:
            lines += ["invocations failed:", *(f"  {line}" for line in self.failures[:10])]
        if self.divergences:
            lines += ["view documents diverge:", *(f"  {line}" for line in self.divergences[:20])]
        return "\n".join(lines)


def play_in_memory(manifest: Manifest, writes: Iterable[Write], *, seed: int | None) -> Outcome:
    """Apply ``writes`` one by one to an empty in-memory store and hand each event to the engine
    as triggers may: mostly right after its write, sometimes a few writes late (so events
    overtake each other), sometimes twice. ``seed`` decides; the same seed replays exactly.

    With ``seed`` None every event is delivered once, in order, and the views are compared with
    a rebuild after each write: a view left stale by one event shows even when a later event
    would have repaired it. Returns any invocation that raised, any root an invocation could not
    compute or store, and what :func:`divergences` finds (at the first write that showed a
    divergence, in order; at the end otherwise)."""
    rng = random.Random(seed)
    store = _ViewEvents(_upstream_views(manifest))
    outcome = Outcome()
    engine = Engine(manifest, store, log=lambda entry: None)
    due: dict[int, list[Change]] = defaultdict(list)

    def deliver(until: int) -> None:
        for moment in sorted(m for m in due if m <= until):
            batch = due.pop(moment)
            rng.shuffle(batch)
            for change in batch:
                try:
                    cost = engine.handle(change)
                except Exception as exc:
                    outcome.failures.append(f"{change.path}: {type(exc).__name__}: {exc}")
                    continue
                outcome.failures.extend(
                    f"{change.path}: root {f.document} of view {f.view} failed: {f.reason}"
                    for f in cost.failed
                )

    def schedule(moment: int, changes: Iterable[Change]) -> None:
        for change in changes:
            copies = 1 if seed is None else (2 if rng.random() < 0.3 else 1)
            for _ in range(copies):
                due[moment + (0 if seed is None else rng.choice(_LAGS))].append(change)

    moment = -1
    for moment, write in enumerate(writes):
        deliver(moment - 1)
        schedule(moment, store.take_events())  # view documents other views read are events too
        schedule(moment, [write_change(store, write.path, write.apply_to(store.doc(write.path)))])
        if seed is None:
            while due:  # in order: the event, then the events of the views it wrote
                deliver(moment)
                schedule(moment, store.take_events())
            stale = _rebuild_differences(manifest, store)
            if stale:
                outcome.divergences = [f"after write {moment + 1} ({write}):", *stale]
                return outcome
    while due:
        moment += 1
        deliver(moment)
        schedule(moment, store.take_events())
    outcome.divergences = divergences(manifest, engine, store)
    return outcome


_LAGS = (0, 0, 0, 0, 1, 2, 3)
"""How many writes late an event is delivered: mostly at once."""


def _upstream_views(manifest: Manifest) -> frozenset[str]:
    """Views that other views read (their documents' writes are events too)."""
    read = {view.root for view in manifest.views.values()}
    read |= {join.collection for view in manifest.views.values() for join in view.joins}
    return frozenset(read & set(manifest.views))


class _ViewEvents(MemoryStore):
    """An in-memory store that also records the changes of the view documents other views
    read, as the triggers on those view collections receive them."""

    def __init__(self, watched: frozenset[str]) -> None:
        super().__init__()
        self._watched = watched
        self._events: list[Change] = []

    def take_events(self) -> list[Change]:
        """The changes recorded since the last call."""
        events, self._events = self._events, []
        return events

    def _apply(self, path: str, data: Mapping[str, Any] | None, *, tick: bool = True) -> None:
        collection, _, doc_id = path.partition("/")
        if collection not in self._watched or "/" in doc_id:
            super()._apply(path, data, tick=tick)
            return
        before = self._docs.get(path)
        super()._apply(path, data, tick=tick)
        self._events.append(
            Change(
                collection,
                doc_id,
                None if before is None else copy_value(before),
                None if data is None else copy_value(data),
            )
        )


def divergences(manifest: Manifest, engine: Engine, store: ListingStore) -> list[str]:
    """Every view document that differs from what the domain state implies, one line each:
    first what ``boiler verify`` reports, then documents that differ from a rebuild of every
    view from the domain documents alone."""
    lines = []
    verifier = Verifier(engine, store)
    for name in build_order(manifest, list(manifest.views)):
        check = verifier.check(name)
        for divergence in check.divergences:
            detail = f" ({divergence.detail})" if divergence.detail else ""
            lines.append(f"verify: {divergence.kind} {divergence.path}{detail}")
    return lines + _rebuild_differences(manifest, store)


def _rebuild_differences(manifest: Manifest, store: ListingStore) -> list[str]:
    """Every view document that differs from a rebuild of all views from the domain documents."""
    expected, stored = expected_views(manifest, store), stored_views(manifest, store)
    return [
        f"rebuild: {path}: stored {_short(stored.get(path))}, rebuilt {_short(expected.get(path))}"
        for path in sorted(set(expected) | set(stored))
        if not same_value(expected.get(path), stored.get(path))
    ]


def play_on_emulator(
    manifest: Manifest,
    writes: Iterable[Write],
    *,
    set_document: Callable[[str, Mapping[str, Any]], None],
    delete_document: Callable[[str], None],
    settle: Callable[[], None],
) -> None:
    """Apply ``writes`` in order through a client (``set_document``, ``delete_document``: whole
    documents), then wait until the triggers handled them (``settle``)."""
    state: dict[str, dict[str, Any]] = {}
    for write in writes:
        after = write.apply_to(state.get(write.path))
        if after is None:
            state.pop(write.path, None)
            delete_document(write.path)
        else:
            state[write.path] = after
            set_document(write.path, after)
    settle()


def _short(value: Any) -> str:
    text = "absent" if value is None else repr(value)
    return text if len(text) <= 300 else text[:297] + "..."
