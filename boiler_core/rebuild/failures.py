"""Roots whose view documents cannot be computed, set apart so the rest of a rebuild goes on.

``boiler verify`` and ``boiler backfill`` work on chunks of roots, one engine call per chunk.
A recompute sets failing roots apart itself (:meth:`Engine.recompute` with ``failed``:
:func:`failures_of`). A plan (a dry run) raises a :class:`~boiler_core.errors.ComputeError`
for the chunk when a hook raises or a root's data cannot be computed or stored;
:func:`each_root` then runs the chunk again one root at a time, so every other root is still
checked, and each root that fails is reported once, as a :class:`Failure` carrying the engine's
one-line message.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from boiler_core.engine.failures import RootFailure
from boiler_core.errors import ComputeError

T = TypeVar("T")


@dataclass(frozen=True)
class Failure:
    """A root document whose view documents could not be computed."""

    document: str
    """Path of the root document."""

    root: str
    """Its id."""

    reason: str
    """The error's message: one line naming where, what failed and the document."""


def each_root(
    collection: str, roots: Sequence[str], attempt: Callable[[list[str]], T]
) -> tuple[list[T], list[Failure]]:
    """``attempt(roots)``; when it raises a :class:`ComputeError`, ``attempt([root])`` for each
    root of ``collection`` instead. Returns what the attempts that worked returned, and a
    :class:`Failure` per root that still fails alone. Any other error propagates."""
    try:
        return [attempt(list(roots))], []
    except ComputeError as exc:
        if len(roots) == 1:
            return [], [_failure(collection, roots[0], exc)]
    results: list[T] = []
    failures: list[Failure] = []
    for root in roots:
        try:
            results.append(attempt([root]))
        except ComputeError as exc:
            failures.append(_failure(collection, root, exc))
    return results, failures


def failures_of(roots: Sequence[RootFailure]) -> list[Failure]:
    """The engine's failed roots (:meth:`Engine.recompute` with ``failed``) as failures."""
    return [Failure(f.document, f.document.rsplit("/", 1)[-1], f.reason) for f in roots]


def _failure(collection: str, root: str, exc: ComputeError) -> Failure:
    return Failure(exc.document or f"{collection}/{root}", root, str(exc))
