"""The checkpoint of a backfill: where each view's rebuild stands, so a stopped run resumes.

A JSON file (default ``.boiler/backfill-checkpoint.json`` beside views.yaml) written atomically
after every page: the target project, the views of the run with their fingerprints, and per view
its phase (``roots``, then ``sweep`` of stored documents, then ``done``) and the cursor (last path
processed) within the phase. ``boiler backfill --resume`` continues from it; a run that finishes
removes it. A page interrupted halfway is redone on resume, which is harmless: a recompute of a
current document writes nothing.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from boiler_core.errors import CheckpointError

Phase = Literal["roots", "sweep", "done"]
CHECKPOINT_FORMAT = 1


@dataclass
class ViewProgress:
    """How far the rebuild of one view got."""

    phase: Phase = "roots"
    source: int = 0
    """In the sweep phase: index of the listed source (see ``strays.output_sources``)."""
    after: str | None = None
    """Cursor: the last path processed in the current phase and source."""
    roots: int = 0
    writes: int = 0
    deletes: int = 0
    reads: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    """Root documents whose view documents could not be computed, with the reason (one line
    each); their documents are left as they were."""


@dataclass
class Checkpoint:
    """A backfill run's progress, saved to :attr:`path`."""

    path: Path
    project: str
    fingerprints: dict[str, str]
    """The run's views, in order, with the fingerprint each is being built from."""
    progress: dict[str, ViewProgress] = field(default_factory=dict)

    def view(self, name: str) -> ViewProgress:
        """The progress of ``name`` (created at the start when absent)."""
        return self.progress.setdefault(name, ViewProgress())

    def save(self) -> None:
        """Write the checkpoint atomically (a crash leaves the old or the new file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "format": CHECKPOINT_FORMAT,
            "project": self.project,
            "fingerprints": self.fingerprints,
            "progress": {name: dataclasses.asdict(p) for name, p in self.progress.items()},
        }
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        temporary.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, self.path)

    def remove(self) -> None:
        """Delete the file (the run finished)."""
        self.path.unlink(missing_ok=True)

    def mismatch(self, project: str, fingerprints: dict[str, str]) -> str | None:
        """Why this checkpoint cannot resume a run on ``project`` for ``fingerprints``, or None."""
        if project != self.project:
            return f"it is for project '{self.project}', not '{project}'"
        if list(fingerprints) != list(self.fingerprints):
            were = ", ".join(self.fingerprints) or "none"
            return f"it rebuilds other views ({were})"
        changed = [v for v, p in fingerprints.items() if self.fingerprints[v] != p]
        if changed:
            return f"the definition of {', '.join(changed)} changed since it was written"
        return None

    @classmethod
    def load(cls, path: Path) -> Checkpoint | None:
        """The checkpoint at ``path``, or None when there is none."""
        if not path.exists():
            return None
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != CHECKPOINT_FORMAT:
                raise ValueError(f"unknown format {data.get('format')!r}")
            progress = {name: ViewProgress(**values) for name, values in data["progress"].items()}
            return cls(path, str(data["project"]), dict(data["fingerprints"]), progress)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(
                f"cannot read the backfill checkpoint {path}: {exc}; delete it to start over"
            ) from exc
