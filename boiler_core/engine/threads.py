"""The threads an :class:`~boiler_core.engine.engine.Engine` runs on besides the caller's.

Two pools: one for the views of a change (all handled at once, the first in the calling thread),
one for the chunks of a view. A view waits for its chunks, so they must not share threads. Each
pool is made on first use and both are shut down by :meth:`Threads.close`, which the engine calls
when it is closed (``engine.close()``, or the end of a ``with Engine(...)`` block).
"""

from __future__ import annotations

import threading
from concurrent.futures import Executor, ThreadPoolExecutor


class Threads:
    """The pools of one engine: ``views`` and ``chunks`` threads at most (0: none, the work runs
    in the calling thread)."""

    def __init__(self, *, views: int, chunks: int) -> None:
        self._sizes = {"view": views, "chunk": chunks}
        self._pools: dict[str, ThreadPoolExecutor] = {}
        self._lock = threading.Lock()
        self._closed = False

    def for_views(self) -> Executor | None:
        """The pool the views of a change run on besides the caller's (None: no such threads)."""
        return self._pool("view")

    def for_chunks(self) -> Executor | None:
        """The pool a view's chunks run on besides the caller's (None: no such threads)."""
        return self._pool("chunk")

    def check_open(self) -> None:
        """Raise ``RuntimeError`` when :meth:`close` was called."""
        with self._lock:
            self._check_open()

    def close(self) -> None:
        """Wait for the work handed out to finish and stop every thread; later use raises
        ``RuntimeError``. Closing again does nothing."""
        with self._lock:
            self._closed = True
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.shutdown(wait=True)

    def _pool(self, kind: str) -> Executor | None:
        with self._lock:
            self._check_open()
            size = self._sizes[kind]
            if size < 1:
                return None
            if kind not in self._pools:
                self._pools[kind] = ThreadPoolExecutor(size, thread_name_prefix=f"boiler-{kind}")
            return self._pools[kind]

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("this engine is closed: its threads are stopped")
