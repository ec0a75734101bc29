"""The functions of a functions folder, loaded as ``firebase deploy`` would serve them.

Like ``firebase_functions.private.serving.get_functions``: put the folder first on ``sys.path``,
execute its ``main.py`` as module ``main``, and keep every top-level function carrying a
``__firebase_endpoint__``, keyed by the endpoint's ``entryPoint`` (the function's name, which is
also its trigger id). Only the dispatcher's own process does this; it changes that process's
``sys.path`` just as the Functions runtime does.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cloudevents.http import CloudEvent

from boiler_core.dispatch.tasks import QueueRetry, TaskFunction

FIRESTORE_EVENT_PREFIX = "google.cloud.firestore.document.v1."
"""Event types of Firestore document triggers (written, created, updated, deleted)."""


@dataclass(frozen=True)
class Trigger:
    """A Firestore trigger function of ``main.py`` and what it listens to."""

    name: str
    """Function name = entry point = trigger id the emulator delivers to."""

    event_type: str
    """``google.cloud.firestore.document.v1.written`` (or created/updated/deleted)."""

    document: str
    """Document path pattern, e.g. ``meetings/{meeting}``."""

    database: str
    """Firestore database id, ``(default)``."""

    function: Callable[[CloudEvent], Any]
    """The decorated function object: it takes the raw CloudEvent."""


@dataclass(frozen=True)
class LoadedFunctions:
    """The Firebase functions of ``main.py``: Firestore triggers, HTTP functions, task-queue
    functions, the others."""

    triggers: Mapping[str, Trigger]
    """Firestore triggers by name."""

    http: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    """HTTP functions (``https_fn.on_request``) by name: they take a flask request."""

    others: tuple[str, ...] = ()
    """Names of the remaining Firebase functions (scheduled, callable, ...), sorted; not served."""

    tasks: Mapping[str, TaskFunction] = field(default_factory=dict)
    """Task-queue functions (``tasks_fn.on_task_dispatched``) by name, with their queue's retry
    configuration: the dispatcher runs them (:mod:`.tasks`)."""


def load_functions(functions_dir: Path) -> LoadedFunctions:
    """Import ``functions_dir/main.py`` and collect its Firebase functions.

    Raises whatever importing ``main.py`` raises (the caller reports it with the traceback), and
    :class:`FileNotFoundError` when there is no ``main.py`` (run ``boiler generate``).
    """
    main_py = functions_dir / "main.py"
    if not main_py.is_file():
        raise FileNotFoundError(f"{main_py} does not exist: run `boiler generate` first")
    folder = str(functions_dir.resolve())
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location("main", main_py)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"cannot load {main_py} as a Python module")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return collect_functions(vars(module))


def collect_functions(namespace: Mapping[str, Any]) -> LoadedFunctions:
    """Sort the Firebase functions found in a module namespace into triggers and others."""
    triggers: dict[str, Trigger] = {}
    http: dict[str, Callable[[Any], Any]] = {}
    tasks: dict[str, TaskFunction] = {}
    others: list[str] = []
    for _, value in sorted(namespace.items()):
        endpoint = getattr(value, "__firebase_endpoint__", None)
        if endpoint is None or not inspect.isfunction(value):
            continue
        name = str(endpoint.entryPoint)
        trigger = _firestore_trigger(name, endpoint, value)
        queue = getattr(endpoint, "taskQueueTrigger", None)
        if trigger is not None:
            triggers[name] = trigger
        elif getattr(endpoint, "httpsTrigger", None) is not None:
            http[name] = value
        elif isinstance(queue, Mapping):
            tasks[name] = TaskFunction(name, value, QueueRetry.of(queue.get("retryConfig")))
        else:
            others.append(name)
    return LoadedFunctions(triggers=triggers, http=http, others=tuple(sorted(others)), tasks=tasks)


def _firestore_trigger(name: str, endpoint: Any, function: Any) -> Trigger | None:
    event = getattr(endpoint, "eventTrigger", None)
    if not event or not str(event.get("eventType", "")).startswith(FIRESTORE_EVENT_PREFIX):
        return None
    filters = dict(event.get("eventFilters") or {})
    patterns = dict(event.get("eventFilterPathPatterns") or {})
    document = patterns.get("document", filters.get("document"))
    if document is None:
        return None
    return Trigger(
        name=name,
        event_type=str(event["eventType"]),
        document=str(document),
        database=str(filters.get("database", "(default)")),
        function=function,
    )
