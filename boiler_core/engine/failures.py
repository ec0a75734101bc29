"""One-line messages for what goes wrong while a view document is computed (pure; no I/O).

A hook that raises, or domain data the computation cannot take, must reach the user as one line
saying where, what and on which document, never as a traceback: ``boiler verify`` and ``boiler
backfill`` print it per root, the triggers log it, ``boiler dev`` shows it per invocation::

    views.yaml:40:15: hook meeting_room.hooks:attending (field attending of view
    meeting_sessions) raised KeyError: 'first_name' on meetings/meeting_1, at
    functions/meeting_room/hooks.py:27

The code location is the innermost line of the traceback inside the hook's own package (the
app's code), so a hook that raises inside a library it calls is still placed in the app; a hook
that is itself a library function (installed, or of the standard library) gets none.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boiler_core.errors import ComputeError, HookError
from boiler_core.manifest.model import HookField, View

MAX_REASON = 300
"""Characters of an exception's own message kept in the one line."""


def hook_raised(view: View, name: str, spec: HookField, document: str, exc: Exception) -> HookError:
    """The error of hook field ``name`` of ``view`` raising ``exc`` on root ``document``."""
    where = f"{spec.location}: " if spec.location is not None else ""
    at = _app_frame(spec.hook, exc)
    return HookError(
        f"{where}hook {spec.hook} (field {name} of view {view.name}) raised {reason(exc)} on "
        f"{document}" + (f", at {at}" if at else ""),
        view=view.name,
        document=document,
    )


def compute_failed(view: View, document: str, exc: Exception) -> ComputeError:
    """The error of computing ``view``'s documents for root ``document`` failing with ``exc``
    outside any hook (domain data of a shape the computation cannot take)."""
    return ComputeError(
        f"view {view.name}: cannot compute the documents of {document}: {reason(exc)}",
        view=view.name,
        document=document,
    )


def rejected(view: View, documents: Sequence[str], exc: Exception | str) -> ComputeError:
    """The error of the database rejecting (or, before a commit, being sure to reject: ``exc``
    says why) the documents of ``view`` computed for the root ``documents`` (named when there is
    one; the engine splits a chunk to find which)."""
    shown = ", ".join(documents[:3]) + (
        f" and {len(documents) - 3} more" if len(documents) > 3 else ""
    )
    return ComputeError(
        f"view {view.name}: the documents computed for {shown} cannot be stored: {exc}",
        view=view.name,
        document=documents[0] if len(documents) == 1 else None,
    )


@dataclass(frozen=True)
class RootFailure:
    """A root whose view documents could not be computed or stored while an event was handled.

    It fails alone: the other roots of its chunk and the other views of the event are written.
    Its documents stay as they were until the cause is fixed and the root recomputed.
    """

    view: str
    document: str
    """Path of the root document."""

    reason: str
    """The error's one-line message: where, what failed, on which document."""

    @classmethod
    def of(cls, view: str, document: str, exc: ComputeError) -> RootFailure:
        """The failure ``exc`` of root ``document`` of ``view``."""
        return cls(view, exc.document or document, str(exc))

    @property
    def repair(self) -> str:
        """The command that recomputes the root once its cause is fixed."""
        return f"boiler verify --repair {self.view}"

    def to_log(self, where: dict[str, Any]) -> dict[str, Any]:
        """Its one structured ``ERROR`` line (Cloud Logging), for the event ``where`` names
        (``collection``, ``doc``, ``event_id``)."""
        event = f"{where.get('collection')}/{where.get('doc')}"
        message = (
            f"boiler {event}: root {self.document} of view {self.view} failed, the rest of the "
            f"event was handled: {self.reason}; once the cause is fixed: {self.repair}"
        )
        record = {"view": self.view, "document": self.document, "reason": self.reason}
        payload = {**where, "failed_root": {**record, "repair": self.repair}}
        return {"severity": "ERROR", "message": message, "boiler": payload}


def reason(exc: BaseException) -> str:
    """``Type: message`` on one line (whitespace runs folded, long messages cut)."""
    text = " ".join(str(exc).split())
    if len(text) > MAX_REASON:
        text = text[: MAX_REASON - 3] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _app_frame(hook: str, exc: BaseException) -> str | None:
    """``file:line`` of the innermost traceback entry inside the hook's top-level package."""
    package = sys.modules.get(hook.split(":")[0].split(".")[0])
    origin = getattr(package, "__file__", None)
    if origin is None:
        return None
    home = Path(origin).resolve()
    if home.name == "__init__.py":
        home = home.parent
    installed = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    if any(prefix in home.parents for prefix in installed):
        return None  # a hook from the standard library or an installed package: not app code
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename).resolve()
        if path == home or home in path.parents:
            return f"{_shown(path)}:{frame.lineno}"
    return None


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
