"""Checking ``project.retry`` and ``project.backstop``: how unfinished events are retried.

Each is ``false`` (off), ``true`` (the defaults) or a mapping of whole numbers, each within the
range Cloud Tasks and Cloud Scheduler accept and boiler finds sensible::

    project:
      retry: {max_attempts: 10, min_backoff_seconds: 10, max_backoff_seconds: 600}
      backstop: {every_minutes: 30, limit: 50, verify_roots: 100}

``verify_roots: 0`` turns the backstop's rolling verification off (it still replays events).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any, TypeVar

import yaml

from boiler_core.manifest.model import BackstopSettings, RetrySettings
from boiler_core.manifest.reader import Reader, describe

_BOOL = "tag:yaml.org,2002:bool"

RETRY_RANGES = {
    "max_attempts": (1, 100),
    "min_backoff_seconds": (1, 3600),
    "max_backoff_seconds": (1, 3600),
    "max_doublings": (0, 16),
    "max_concurrent": (1, 1000),
}
"""The whole numbers ``project.retry`` accepts, inclusive."""

BACKSTOP_RANGES = {"every_minutes": (1, 1440), "limit": (1, 500), "verify_roots": (0, 5000)}
"""The whole numbers ``project.backstop`` accepts, inclusive (at most once a day; 0 roots: no
rolling verification)."""

S = TypeVar("S", RetrySettings, BackstopSettings)


def read_retry(
    reader: Reader, node: yaml.Node, keys: Iterable[str], values: dict[str, Any]
) -> None:
    """Put ``project.retry`` into ``values["retry"]`` when it is valid (None for ``false``)."""
    settings = _read(reader, node, "project.retry", keys, RETRY_RANGES, RetrySettings)
    if isinstance(settings, _Invalid):
        return
    if settings is not None and settings.max_backoff_seconds < settings.min_backoff_seconds:
        reader.error(
            node,
            f"project.retry.max_backoff_seconds ({settings.max_backoff_seconds}) is less than "
            f"min_backoff_seconds ({settings.min_backoff_seconds})",
            "the longest wait between attempts must be at least the first one",
        )
        return
    values["retry"] = settings


def read_backstop(
    reader: Reader, node: yaml.Node, keys: Iterable[str], values: dict[str, Any]
) -> None:
    """Put ``project.backstop`` into ``values["backstop"]`` when it is valid (None for
    ``false``)."""
    settings = _read(reader, node, "project.backstop", keys, BACKSTOP_RANGES, BackstopSettings)
    if not isinstance(settings, _Invalid):
        values["backstop"] = settings


class _Invalid:
    """Marks a section with problems (recorded on the reader)."""


_INVALID = _Invalid()


def _read(
    reader: Reader,
    node: yaml.Node,
    what: str,
    keys: Iterable[str],
    ranges: dict[str, tuple[int, int]],
    kind: type[S],
) -> S | _Invalid | None:
    if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
        return kind() if yaml.safe_load(node.value) else None
    if not isinstance(node, yaml.MappingNode):
        reader.error(
            node,
            f"{what} must be true, false or a mapping, not {describe(node)}",
            f"e.g. {what.split('.')[-1]}: {{{_example(kind)}}}",
        )
        return _INVALID
    items = reader.mapping(node, what, keys)
    if items is None:
        return _INVALID
    problems = len(reader.problems)
    numbers: dict[str, int] = {}
    for key, (_, value_node) in items.items():
        low, high = ranges[key]
        value = reader.integer(value_node, f"{what}.{key}", minimum=low)
        if value is not None and value > high:
            reader.error(value_node, f"{what}.{key} must be at most {high}, not {value}")
        elif value is not None:
            numbers[key] = value
    if len(reader.problems) != problems:
        return _INVALID
    return kind(**numbers)


def _example(kind: type[RetrySettings] | type[BackstopSettings]) -> str:
    default = kind()
    return ", ".join(f"{f.name}: {getattr(default, f.name)}" for f in fields(default)[:2])
