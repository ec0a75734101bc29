"""The dispatcher process: ``python -u -P -m boiler_core.dispatch --functions-dir DIR ...``.

Started by :class:`boiler_core.dispatch.process.DispatcherProcess` with an explicit environment
(``FIRESTORE_EMULATOR_HOST`` and the project id, which the Firebase SDK reads inside the trigger
functions to build its Firestore client), exactly as the Functions runtime gives a deployed function
its environment. It prints one JSON record per event on stdout (see :mod:`.records`) and exits
when its stdin closes, so it cannot outlive the process that started it. HTTP functions of
``main.py`` are served too, each on its own free loopback port (functions-framework's routing:
every method and path goes to the function). Task-queue functions are run by the dispatcher,
standing in for Cloud Tasks: it sets ``CLOUD_TASKS_EMULATOR_HOST`` to its own address in its
environment, so firebase-admin enqueues to it (:mod:`.tasks`).

With ``--standby`` it imports the libraries every generated ``main.py`` imports, then waits for a
line on stdin before loading ``main.py``: a reloadable runtime keeps one such process ready, so a
reload costs loading the app's own code, not starting Python and its libraries.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
import threading
import traceback
from pathlib import Path

from boiler_core.dispatch.functions import load_functions
from boiler_core.dispatch.records import Failed, Ready, TriggerInfo, encode
from boiler_core.dispatch.server import DispatchServer
from boiler_core.http.server import LocalServer, function_app
from boiler_core.retry.queue import TASKS_EMULATOR_ENV


class _LineWriter:
    """Writes whole lines to stdout, one at a time, flushed (invocations run on many threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __call__(self, text: str) -> None:
        with self._lock:
            sys.stdout.write(text + "\n")
            sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    """Load ``main.py``, serve its triggers, print :class:`Ready`; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m boiler_core.dispatch")
    parser.add_argument("--functions-dir", type=Path, required=True)
    parser.add_argument("--project", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--record", type=Path, default=None)
    parser.add_argument("--standby", action="store_true")
    args = parser.parse_args(argv)
    emit = _LineWriter()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # each request logs its own JSON line
    if args.standby and not _stand_by():
        return 0
    try:
        loaded = load_functions(args.functions_dir)
        server = DispatchServer(
            args.port,
            triggers=loaded.triggers,
            project=args.project,
            emit=emit,
            record=args.record,
            tasks=loaded.tasks,
        )
        os.environ[TASKS_EMULATOR_ENV] = server.url.removeprefix("http://")
    except Exception as exc:  # reported to the parent as a record carrying the traceback
        where = failure_location(exc, args.functions_dir)
        trace = traceback.format_exc().rstrip()
        emit(encode(Failed(f"{type(exc).__name__}: {exc}", where, trace)))
        return 1
    http_servers = [
        (name, LocalServer(function_app(function, name)).start())
        for name, function in loaded.http.items()
    ]
    infos = tuple(TriggerInfo(t.name, t.document, t.event_type) for t in loaded.triggers.values())
    http = tuple((name, served.url) for name, served in http_servers)
    tasks = tuple(sorted(loaded.tasks))
    emit(encode(Ready(server.url, infos, loaded.others, http, tasks)))
    threading.Thread(target=_stop_when_stdin_closes, args=(server,), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()
        for _, served in http_servers:
            served.stop()
    return 0


PRELOADED = (
    "firebase_functions.firestore_fn",
    "firebase_functions.https_fn",
    "firebase_functions.options",
    "firebase_functions.scheduler_fn",
    "firebase_functions.tasks_fn",
    "google.cloud.firestore",
    "boiler_core.functions_runtime",
)
"""What every generated main.py imports: the libraries a standby dispatcher imports in advance."""


def _stand_by() -> bool:
    """Import :data:`PRELOADED`, then wait for one line on stdin: True to go on and load
    ``main.py``, False when stdin closes first (the standby was not needed). The app's own
    modules are not touched before the line comes, so they load as they are then."""
    for name in PRELOADED:
        with contextlib.suppress(Exception):  # loading main.py reports it, located, if it matters
            importlib.import_module(name)
    return bool(sys.stdin.buffer.readline())


def failure_location(exc: BaseException, functions_dir: Path) -> tuple[str, int, int] | None:
    """Where loading the functions failed: the line and column of a syntax error, else the
    innermost frame of the traceback inside ``functions_dir`` (1-based line and column)."""
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        return (exc.filename, exc.lineno, max(exc.offset or 1, 1))
    folder = functions_dir.resolve()
    inside = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if Path(frame.filename).resolve().is_relative_to(folder)
        and not any(part in _NOT_APP_CODE for part in Path(frame.filename).parts)
    ]
    if not inside:
        return None
    frame = inside[-1]
    column = (frame.colno or 0) + 1
    return (frame.filename, frame.lineno or 1, column)


_NOT_APP_CODE = frozenset({"site-packages", "venv", ".venv", "boiler_core"})
"""Folders of a functions folder that hold installed or vendored code, not the app's."""


def _stop_when_stdin_closes(server: DispatchServer) -> None:
    sys.stdin.buffer.read()
    server.shutdown()


if __name__ == "__main__":
    raise SystemExit(main())
