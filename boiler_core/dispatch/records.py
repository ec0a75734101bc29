"""What the dispatcher process prints, one JSON line per record, and how the parent reads it back.

The dispatcher's stdout carries three kinds of lines, in the order they happened:

* its own records, JSON objects with a ``"dispatch"`` key: :class:`Ready` once loaded,
  :class:`Invocation` after each function call (with the traceback when the function raised),
  :class:`Barrier` when a settle marker arrives, :class:`Failed` when ``main.py`` cannot be
  loaded;
* the engine's cost lines, Cloud Logging JSON with a ``"boiler"`` payload (contract 6), printed
  by the function during its invocation (:class:`CostLine`);
* HTTP functions' request logs, Cloud Logging JSON with ``httpRequest`` (:class:`HttpLine`);
* anything else the functions print, tracebacks included (:class:`Text`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class TriggerInfo:
    """A served trigger as the dispatcher reports it."""

    name: str
    document: str
    event_type: str


@dataclass(frozen=True)
class Ready:
    """The dispatcher listens at :attr:`url` and serves :attr:`triggers`."""

    url: str
    triggers: tuple[TriggerInfo, ...]
    others: tuple[str, ...] = ()
    """Firebase functions of main.py served neither as triggers nor over HTTP."""
    http: tuple[tuple[str, str], ...] = ()
    """HTTP functions and the URL each is served at: ``(("api", "http://127.0.0.1:PORT"),)``."""
    tasks: tuple[str, ...] = ()
    """Task-queue functions the dispatcher runs as Cloud Tasks would (:mod:`.tasks`)."""


@dataclass(frozen=True)
class Invocation:
    """One delivery handled: which function ran on which document, how long, and how it ended."""

    function: str
    document: str
    event_id: str | None
    ms: float
    ok: bool
    error: str | None = None
    """``ExceptionType: message`` when the function raised."""
    traceback: str | None = field(default=None, compare=False)
    """The traceback when the function raised (for logs; consoles show :attr:`error`)."""
    cost: Mapping[str, Any] | None = field(default=None, compare=False)
    """The engine's cost payload for this event, attached by the reader (see :class:`CostLine`)."""

    def with_cost(self, cost: Mapping[str, Any] | None) -> Invocation:
        """A copy carrying ``cost``."""
        return replace(self, cost=cost)


@dataclass(frozen=True)
class Barrier:
    """A settle marker (document ``{collection}/{id}``) reached the dispatcher: every delivery the
    emulator queued before it has been handled."""

    id: str


@dataclass(frozen=True)
class Failed:
    """The dispatcher could not start (``main.py`` failed to import); :attr:`error` says why."""

    error: str
    location: tuple[str, int, int] | None = None
    """``(file, line, column)`` of the code that failed, when known: the line of a syntax error,
    else the innermost frame of the functions folder in the traceback."""
    traceback: str | None = field(default=None, compare=False)
    """The traceback of the failure (for logs and the error raised in the parent)."""


@dataclass(frozen=True)
class CostLine:
    """An engine cost line: Cloud Logging JSON whose ``boiler`` payload counts reads and writes."""

    payload: Mapping[str, Any]
    message: str

    @property
    def event_id(self) -> str | None:
        """The event the cost belongs to."""
        value = self.payload.get("event_id")
        return str(value) if value is not None else None


@dataclass(frozen=True)
class HttpLine:
    """An HTTP function's request log (Cloud Logging JSON with ``httpRequest``)."""

    method: str
    url: str
    status: int
    latency: str
    """As logged, e.g. ``0.012345s``."""


@dataclass(frozen=True)
class Text:
    """Any other output line."""

    line: str


Record = Ready | Invocation | Barrier | Failed | CostLine | HttpLine | Text


def encode(record: Ready | Invocation | Barrier | Failed) -> str:
    """The JSON line (without newline) the dispatcher prints for one of its own records."""
    data: dict[str, Any]
    if isinstance(record, Ready):
        data = {
            "dispatch": "ready",
            "url": record.url,
            "triggers": [[t.name, t.document, t.event_type] for t in record.triggers],
            "others": list(record.others),
            "http": [list(pair) for pair in record.http],
            "tasks": list(record.tasks),
        }
    elif isinstance(record, Invocation):
        data = {
            "dispatch": "invocation",
            "function": record.function,
            "document": record.document,
            "event_id": record.event_id,
            "ms": round(record.ms, 3),
            "ok": record.ok,
        }
        if record.error is not None:
            data["error"] = record.error
        if record.traceback is not None:
            data["traceback"] = record.traceback
    elif isinstance(record, Barrier):
        data = {"dispatch": "barrier", "id": record.id}
    else:
        data = {"dispatch": "failed", "error": record.error}
        if record.location is not None:
            data["location"] = list(record.location)
        if record.traceback is not None:
            data["traceback"] = record.traceback
    return json.dumps(data, sort_keys=True)


def parse_line(line: str) -> Record:
    """Read one output line back into a record (:class:`Text` when it is none of the others)."""
    text = line.rstrip("\n")
    if not text.startswith("{"):
        return Text(text)
    try:
        data = json.loads(text)
    except ValueError:
        return Text(text)
    if not isinstance(data, dict):
        return Text(text)
    kind = data.get("dispatch")
    try:
        if kind == "ready":
            triggers = tuple(TriggerInfo(*map(str, t)) for t in data["triggers"])
            others = tuple(map(str, data.get("others", [])))
            http = tuple((str(name), str(url)) for name, url in data.get("http", []))
            tasks = tuple(map(str, data.get("tasks", [])))
            return Ready(str(data["url"]), triggers, others, http, tasks)
        if kind == "invocation":
            return Invocation(
                function=str(data["function"]),
                document=str(data["document"]),
                event_id=data.get("event_id"),
                ms=float(data["ms"]),
                ok=bool(data["ok"]),
                error=data.get("error"),
                traceback=data.get("traceback"),
            )
        if kind == "barrier":
            return Barrier(str(data["id"]))
        if kind == "failed":
            where = data.get("location")
            location = (str(where[0]), int(where[1]), int(where[2])) if where else None
            return Failed(str(data["error"]), location, data.get("traceback"))
    except (KeyError, TypeError, ValueError):
        return Text(text)
    payload = data.get("boiler")
    if isinstance(payload, dict) and "reads" in payload:
        return CostLine(payload, str(data.get("message", "")))
    request = data.get("httpRequest")
    if isinstance(request, dict) and {"requestMethod", "requestUrl", "status"} <= set(request):
        return HttpLine(
            str(request["requestMethod"]),
            str(request["requestUrl"]),
            int(request["status"]),
            str(request.get("latency", "")),
        )
    return Text(text)
