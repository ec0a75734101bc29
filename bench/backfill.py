"""Backfill: 10,000 meetings' views built from scratch by ``boiler backfill``, in both modes.

The domain (10,000 meetings of 3 users each out of 100, one ticket per member, 10 locations:
40,110 source documents) is seeded by batch commits into a project of the same emulator that has
no triggers, so no view exists before the run; each mode gets its own such project.
``boiler backfill --all --bulk --rate 0`` (one read per source document, create-only batches) and
``boiler backfill --all --rate 0`` (transactional; no write ramp: the emulator has no cold ranges)
then build every view; their own summary lines give the reads, writes and deletes per view, and
the bulk mode's header line the source documents it streams. Documents per second are view
documents written over the command's wall-clock time, start-up included.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.domain import Domain, Write
from bench.harness import ROOT, App
from boiler_core.documents import Ref

MEETINGS = 10_000
USERS = 100
LOCATIONS = 10
PROJECT = "demo-bench-backfill"
_SUMMARY = re.compile(r"^(\w+): (\d+) roots?, (\d+) written, (\d+) deleted, (\d+) reads")
_STREAMED = re.compile(r"^bulk: \d+ source collections? to read once, (\d+) documents?")


@dataclass
class BackfillResult:
    """What ``boiler backfill`` reported and how long it took."""

    seconds: float
    source_docs: int
    views: dict[str, tuple[int, int, int, int]]
    """Per view: roots, written, deleted, reads."""
    exit_code: int
    output: str
    mode: str = "transactional"
    """``bulk`` (``--bulk``) or ``transactional``."""
    streamed: int | None = None
    """Source documents the bulk mode read with their data (its other reads are COUNT
    aggregations); None for the transactional mode."""

    @property
    def written(self) -> int:
        return sum(v[1] for v in self.views.values())

    @property
    def reads(self) -> int:
        return sum(v[3] for v in self.views.values())


def seed_writes() -> list[Write]:
    """The backfill domain, deterministic."""
    writes: list[Write] = []
    for i in range(LOCATIONS):
        writes.append(
            (f"locations/l{i}", {"latitude": float(i), "longitude": 0.0, "address": f"{i} Main St"})
        )
    for i in range(USERS):
        writes.append(
            (
                f"users/b{i:03d}",
                {
                    "first_name": f"B{i}",
                    "last_name": "K",
                    "organization": "O",
                    "hearing_aid_requested": i % 3 == 0,
                },
            )
        )
    for i in range(MEETINGS):
        members = [f"b{(i * 7 + k * 31) % USERS:03d}" for k in range(3)]
        tickets = []
        for user in members:
            writes.append(
                (
                    f"tickets/k{i:05d}_{user}",
                    {
                        "role": "P",
                        "user": Ref(f"users/{user}"),
                        "attendance": (i + len(tickets)) % 4 != 0,
                    },
                )
            )
            tickets.append(Ref(f"tickets/k{i:05d}_{user}"))
        writes.append(
            (
                f"meetings/n{i:05d}",
                {
                    "location": Ref(f"locations/l{i % LOCATIONS}"),
                    "users": [Ref(f"users/{u}") for u in members],
                    "tickets": tickets,
                    "status": ("not-started", "in-session", "closed")[i % 3],
                },
            )
        )
    return writes


def measure_backfill(
    app: App, workdir: Path, *, timeout: float, bulk: bool = False
) -> BackfillResult:
    """Seed a trigger-less project, run ``boiler backfill --all [--bulk]``, parse its summary."""
    project = f"{PROJECT}-bulk" if bulk else PROJECT
    domain = Domain(app.client(project))
    count = domain.bulk(seed_writes())
    env = {**os.environ, "FIRESTORE_EMULATOR_HOST": app.runtime.emulator_host}
    command = [
        str(Path(sys.executable).parent / "boiler"),
        "backfill",
        "--all",
        "--rate",
        "0",
        *(["--bulk"] if bulk else []),
        "--project",
        project,
        "-f",
        str(ROOT / "views.yaml"),
        "--checkpoint",
        str(workdir / "backfill-checkpoint.json"),
    ]
    began = time.perf_counter()
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
    seconds = time.perf_counter() - began
    views = {}
    streamed = None
    for line in done.stdout.splitlines():
        header = _STREAMED.match(line.strip())
        if header:
            streamed = int(header.group(1))
        match = _SUMMARY.match(line.strip())
        if match:
            name, *numbers = match.groups()
            roots, written, deleted, reads = map(int, numbers)
            views[name] = (roots, written, deleted, reads)
    return BackfillResult(
        seconds,
        count,
        views,
        done.returncode,
        done.stdout + done.stderr,
        mode="bulk" if bulk else "transactional",
        streamed=streamed,
    )
