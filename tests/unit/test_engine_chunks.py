"""Handing out chunks (boiler_core.engine.chunks): named roots, query pages, overlap, errors."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from boiler_core.engine.chunks import Assignment, Found, Page, Schedule, Work
from boiler_core.engine.cost import Cost
from boiler_core.engine.links import Query

QUERY = Query("meetings", "users", "array-contains", "u1")
MATCHES = [f"m{i}" for i in range(7)]


def paging_work(
    log: list[Assignment],
    chunk_size: int,
    matches: Sequence[str] = MATCHES,
    handled: list[str] | None = None,
) -> Work:
    """A work function paging through ``matches`` the way the engine's transactions do; the
    roots each chunk handles are appended to ``handled``."""
    lock = threading.Lock()

    def work(assignment: Assignment, found: Found) -> Cost:
        with lock:
            log.append(assignment)
        ids = list(assignment.given)
        still_open: list[Page] = []
        for query, after in assignment.pages:
            room = chunk_size - len(ids)
            if room <= 0:
                still_open.append((query, after))
                continue
            page = [m for m in matches if after is None or m > after][:room]
            ids.extend(m for m in page if m not in assignment.skip and m not in ids)
            if len(page) == room:
                still_open.append((query, page[-1]))
        found(ids, still_open)
        with lock:
            (handled if handled is not None else []).extend(ids)
        return Cost(roots=len(ids))

    return work


def test_named_roots_alone_go_in_chunks_of_chunk_size_in_order() -> None:
    log: list[Assignment] = []
    cost = Schedule(["e", "a", "c", "b", "d"], (), 2, paging_work(log, 2)).run()
    assert [a.given for a in log] == [("a", "b"), ("c", "d"), ("e",)]
    assert cost.roots == 5


def test_query_pages_fill_the_room_named_roots_leave_and_every_match_is_handled_once() -> None:
    log: list[Assignment] = []
    handled: list[str] = []
    cost = Schedule(["m3", "zz"], [QUERY], 3, paging_work(log, 3, handled=handled)).run()
    assert sorted(handled) == sorted([*MATCHES, "zz"])  # m3 (named and matching) once
    assert cost.roots == len(handled)
    assert log[0].given == ("m3", "zz")
    assert log[0].pages == ((QUERY, None),)
    assert [a.pages[0][1] for a in log[1:]] == ["m0", "m3", "m6"]  # cursors: last match seen


def test_with_an_executor_the_next_chunk_starts_before_the_previous_one_returns() -> None:
    started = [threading.Event() for _ in range(4)]  # 7 matches in pages of 2
    threads: list[str] = []
    paging = paging_work([], 2)
    lock = threading.Lock()

    def work(assignment: Assignment, found: Found) -> Cost:
        with lock:
            index = len(threads)
            threads.append(threading.current_thread().name)
        started[index].set()
        cost = paging(assignment, found)  # calls found: the next chunk is handed out here
        if index + 1 < len(started):
            assert started[index + 1].wait(5), "the next chunk did not start meanwhile"
        return cost

    with ThreadPoolExecutor(2) as pool:
        cost = Schedule([], [QUERY], 2, work, pool).run()
    assert cost.roots == len(MATCHES)
    assert threads[0] == threading.current_thread().name  # the first chunk: the caller's thread


def test_the_first_error_is_raised_once_every_chunk_handed_out_has_finished() -> None:
    finished: list[tuple[str, ...]] = []

    def work(assignment: Assignment, found: Found) -> Cost:
        found(assignment.given, ())
        if assignment.given == ("a",):
            raise RuntimeError("chunk a failed")
        finished.append(assignment.given)
        return Cost(roots=1)

    with ThreadPoolExecutor(2) as pool, pytest.raises(RuntimeError, match="chunk a failed"):
        Schedule(["a", "b", "c"], (), 1, work, pool).run()
    assert sorted(finished) == [("b",), ("c",)]
