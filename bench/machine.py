"""What the benchmark ran on: cores, CPU model, memory, load, software versions."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from boiler_core.emulator.process import group_members


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def group_cpu_seconds(pgid: int | None) -> float | None:
    """User + system CPU seconds used so far by the live processes of process group ``pgid``
    (the emulator's, the dispatcher's); None when unknown (no ``/proc``, no such group)."""
    if pgid is None or not Path("/proc").is_dir():
        return None
    total, found = 0.0, False
    for pid in group_members(pgid):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:  # exited meanwhile
            continue
        fields = stat[stat.rfind(")") + 2 :].split()  # state ppid pgrp ... utime (11) stime (12)
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        found = True
    return total if found else None


def load_average() -> str:
    """The 1/5/15-minute load averages, as ``uptime`` prints them."""
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def _emulator_version() -> str:
    try:
        return (
            subprocess.run(
                ["dpkg-query", "-W", "-f", "${Version}", "google-cloud-cli-firestore-emulator"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            ).stdout.strip()
            or "unknown"
        )
    except OSError:
        return "unknown"


def describe(emulator_command: str) -> dict[str, str]:
    """The machine section of the report."""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "memory": f"{_memory_gib():.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "emulator": f"{emulator_command} (Debian package {_emulator_version()})",
        "load_start": load_average(),
    }
