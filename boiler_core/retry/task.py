"""What a retry carries: an event's change and the views it left unfinished, as JSON (pure).

The trigger hands a :class:`RetryTask` to the retry function (a Cloud Tasks payload), and the
backstop finds it in a recorded event (a Firestore string field); both run
``engine.handle(task.change, views=task.views)``, the redo of exactly what the trigger left
undone. The change travels as the event carried it: the document's data before and after the
write (values encoded by :mod:`.values`), because the roots a document
*left* are found only from its data before the write (docs/internals/consistency.md, "Retries").

A task must fit a Cloud Tasks payload (1 MB) and a Firestore field. :func:`fit` keeps the whole
change when it fits in :data:`BODY_LIMIT`; else it cuts ``before`` and ``after`` down to the
fields the task's views use from that collection (``trimmed``; the engine reads the document
itself in its transaction, as it always does); when even that is too large, or a
view's hook reads every field, :class:`TooLarge` says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from boiler_core.engine.change import Change
from boiler_core.engine.links import nodes_reading
from boiler_core.engine.relevance import usage
from boiler_core.manifest.model import Manifest
from boiler_core.retry import values

FORMAT = 1
"""Version of the task format; a task of another version is refused (named in the error)."""

BODY_LIMIT = 960_000
"""Bytes of a task's JSON, at most: Cloud Tasks takes tasks of up to 1 MB with their headers,
and a recorded event holds the same text in one field of a document of at most 1 MiB."""


class TooLarge(ValueError):
    """Raised by :func:`fit` when a change cannot be carried within :data:`BODY_LIMIT`; the
    message gives the size and why it could not be cut down."""


@dataclass(frozen=True)
class RetryTask:
    """An event whose :attr:`views` a trigger left unfinished."""

    change: Change
    views: tuple[str, ...]
    """The views to bring up to date, in manifest order."""

    reason: str
    """Why the trigger left them unfinished (``ContentionError: ...``), one line."""

    failed_at: datetime
    """When the trigger's invocation failed (timezone-aware)."""

    trimmed: bool = False
    """Whether ``before`` and ``after`` were cut down to the fields the views use (:func:`fit`)."""

    @property
    def document(self) -> str:
        """The written document's path."""
        return self.change.path

    def to_data(self) -> dict[str, Any]:
        """The task as JSON data (for :meth:`from_data`)."""
        change = self.change
        return {
            "boiler_retry": FORMAT,
            "document": change.path,
            "views": list(self.views),
            "reason": self.reason,
            "failed_at": self.failed_at.isoformat(),
            "trimmed": self.trimmed,
            "change": {
                "collection": change.collection,
                "doc_id": change.doc_id,
                "before": None if change.before is None else values.encode(change.before),
                "after": None if change.after is None else values.encode(change.after),
                "event_id": change.event_id,
                "time": None if change.time is None else change.time.isoformat(),
            },
        }

    def to_json(self) -> str:
        """:meth:`to_data` as compact JSON text."""
        return json.dumps(self.to_data(), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_data(cls, data: Any) -> RetryTask:
        """The task :meth:`to_data` gave ``data``; ValueError naming what is wrong otherwise (a
        payload boiler did not write, or one of another format version)."""
        if not isinstance(data, Mapping) or "boiler_retry" not in data:
            raise ValueError("not a boiler retry task (no 'boiler_retry' key)")
        if data["boiler_retry"] != FORMAT:
            raise ValueError(
                f"a boiler retry task of format {data['boiler_retry']!r}; this boiler reads "
                f"format {FORMAT}"
            )
        try:
            raw = data["change"]
            change = Change(
                collection=str(raw["collection"]),
                doc_id=str(raw["doc_id"]),
                before=_document(raw["before"]),
                after=_document(raw["after"]),
                event_id=None if raw["event_id"] is None else str(raw["event_id"]),
                time=None if raw["time"] is None else datetime.fromisoformat(raw["time"]),
            )
            views = tuple(str(name) for name in data["views"])
            return cls(
                change=change,
                views=views,
                reason=str(data["reason"]),
                failed_at=datetime.fromisoformat(str(data["failed_at"])),
                trimmed=bool(data["trimmed"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(
                f"a malformed boiler retry task: {type(exc).__name__}: {exc}"
            ) from None


def fit(task: RetryTask, manifest: Manifest, *, limit: int = BODY_LIMIT) -> RetryTask:
    """``task`` as it can travel: whole when its JSON is at most ``limit`` bytes, else trimmed to
    the fields its views use (module docstring); :class:`TooLarge` when neither fits.
    :class:`~boiler_core.retry.values.Unencodable` (a value of a type no task carries) is
    treated like a size: the trimmed task may leave that field out."""
    whole = _size(task)
    if whole is not None and whole <= limit:
        return task
    used = used_fields(manifest, task.change.collection, task.views)
    shown = "values it cannot carry" if whole is None else f"{whole:,} bytes"
    if used is None:
        raise TooLarge(
            f"{task.document}: the change is {shown} as a retry task (at most {limit:,}), and "
            "it cannot be cut down: a hook of a view it feeds declares no `reads`"
        )
    change = task.change
    trimmed = replace(
        task,
        change=replace(
            change,
            before=_only(change.before, used),
            after=_only(change.after, used),
        ),
        trimmed=True,
    )
    size = _size(trimmed)
    if size is None or size > limit:
        what = "values it cannot carry" if size is None else f"{size:,} bytes"
        raise TooLarge(
            f"{task.document}: the change is {shown} as a retry task, and still {what} cut "
            f"down to the fields its views use ({', '.join(sorted(used))}); at most {limit:,}"
        )
    return trimmed


def used_fields(manifest: Manifest, collection: str, views: Sequence[str]) -> frozenset[str] | None:
    """The top-level fields ``views`` use from documents of ``collection`` (links included);
    None when a hook of one of them declares no ``reads`` (it may use any field)."""
    fields: set[str] = set()
    for name in views:
        view = manifest.views[name]
        used = usage(view)
        if used is None:
            return None
        for node in nodes_reading(view, collection):
            fields |= used[node]
    return frozenset(fields)


def _only(data: Mapping[str, Any] | None, keep: frozenset[str]) -> Mapping[str, Any] | None:
    return None if data is None else {k: v for k, v in data.items() if k in keep}


def _size(task: RetryTask) -> int | None:
    """Bytes of the task's JSON, None when a value cannot be encoded."""
    try:
        return len(task.to_json().encode("utf-8"))
    except values.Unencodable:
        return None


def _document(data: Any) -> Mapping[str, Any] | None:
    if data is None:
        return None
    decoded = values.decode(data)
    if not isinstance(decoded, dict):
        raise TypeError("a document is a map")
    return decoded
