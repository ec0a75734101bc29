"""Handing out a recompute's chunks of roots, one after another or several at once.

A recompute has roots named beforehand (``pending``) and queries that find more (a reverse query
such as "the meetings listing this user"). Chunks take up to ``chunk_size`` roots each: first the
named ones, then the next page of each open query, read inside the chunk's own transaction (so a
found root is read once, by the transaction that recomputes it). A chunk's queries decide where
the next chunk's pages start, so the next chunk can be handed out as soon as the chunk's
transaction has run its queries, while it goes on reading, computing and committing: with an
executor, chunks overlap that way (and chunks of named roots alone start at once, up to the
executor's size); without one they run one after another. The first chunk always runs in the
calling thread, so a recompute that fits in one chunk never waits for a thread.

This module does no I/O: the ``work`` function given to :class:`Schedule` runs a chunk and calls
back with what its queries found (:data:`Found`).
"""

from __future__ import annotations

import contextvars
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass

from boiler_core.engine.cost import Cost
from boiler_core.engine.links import Query

Page = tuple[Query, str | None]
"""An open query for roots and its cursor: the path of the last root it returned (None: not run)."""

Found = Callable[[Sequence[str], Sequence[Page]], None]
"""Called once per chunk with the roots its queries' pages hold and the queries still open."""


@dataclass(frozen=True)
class Assignment:
    """One chunk's work: named roots, the open queries to page on, the roots to leave alone."""

    given: tuple[str, ...]
    pages: tuple[Page, ...]
    skip: frozenset[str]
    """Roots assigned to other chunks: a page that returns them does not recompute them again."""


Work = Callable[[Assignment, Found], Cost]
"""Runs one chunk; a chunk with pages calls ``Found`` once its queries have run (it may not, if it
fails first). A chunk without pages need not: :class:`Schedule` hands out the next at once."""


class Schedule:
    """Runs chunks of ``pending`` roots and of the roots ``queries`` find; see the module doc."""

    def __init__(
        self,
        pending: Sequence[str],
        queries: Sequence[Query],
        chunk_size: int,
        work: Work,
        executor: Executor | None = None,
    ) -> None:
        self._pending = sorted(set(pending))
        self._first_pages: tuple[Page, ...] = tuple((query, None) for query in queries)
        self._chunk_size = chunk_size
        self._work = work
        self._executor = executor
        self._lock = threading.Lock()
        self._assigned: set[str] = set()
        self._queued: deque[Assignment] = deque()
        self._futures: list[Future[Cost]] = []
        self._errors: list[BaseException] = []
        self._cost = Cost()
        self._started = False

    def run(self) -> Cost:
        """Run every chunk; return their costs added up, or raise the first chunk's error once
        every chunk handed out has finished."""
        self._advance(self._first_pages)
        while True:
            with self._lock:
                queued = self._queued.popleft() if self._queued else None
                running = [f for f in self._futures if not f.done()]
            if queued is not None:
                found = self._found(queued)
                if not queued.pages:  # nothing to wait for: the next named roots can start now
                    found(queued.given, ())
                try:
                    cost = self._work(queued, found)
                except BaseException as exc:
                    self._errors.append(exc)
                else:
                    self._cost += cost
            elif running:
                wait(running)
            else:
                break
        for future in self._futures:  # all done: costs and errors in the order handed out
            error = future.exception()
            if error is not None:
                self._errors.append(error)
            else:
                self._cost += future.result()
        if self._errors:
            raise self._errors[0]
        return self._cost

    def _advance(self, pages: Sequence[Page]) -> None:
        """Hand out the next chunk, if any work is left: the next named roots and ``pages``; and
        the chunks after it while they have no pages to wait for."""
        while True:
            with self._lock:
                if not self._pending and not pages:
                    return
                size = self._chunk_size
                given, self._pending = self._pending[:size], self._pending[size:]
                skip = frozenset(self._assigned)
                self._assigned.update(given)
                assignment = Assignment(tuple(given), tuple(pages), skip)
                if self._executor is None or not self._started:  # the first runs in run()'s
                    self._started = True
                    self._queued.append(assignment)
                    return
                context = contextvars.copy_context()
                found = self._found(assignment)
                self._futures.append(
                    self._executor.submit(context.run, self._work, assignment, found)
                )
            if assignment.pages:  # the next chunk waits for this one's queries
                return
            pages = ()

    def _found(self, assignment: Assignment) -> Found:
        """What ``assignment``'s chunk calls once its queries have run: takes the roots they
        found out of the pending ones and hands out the next chunk (the first call only)."""
        published = threading.Event()

        def found(ids: Sequence[str], still_open: Sequence[Page]) -> None:
            if published.is_set():
                return
            published.set()
            with self._lock:
                self._assigned.update(ids)
                self._pending = [root for root in self._pending if root not in self._assigned]
            self._advance(still_open)

        return found
