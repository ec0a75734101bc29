"""Cold start: importing the generated ``functions/main.py`` against the bare SDK, fresh processes.

Each sample is one new interpreter (``python -P -c``) timing its own import with
``time.perf_counter``: interpreter start-up is the same for every variant and left out. Variants:
the SDK modules every Python Firestore trigger imports (``firebase_functions.firestore_fn`` and
``https_fn``), the hand-written baseline's ``main.py``, and boiler's generated ``main.py``.
Samples alternate between variants so that machine load hits each alike; medians are reported.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

from bench.harness import ROOT

SNIPPET = (
    "import sys, time; sys.path.insert(0, {folder!r}); t = time.perf_counter(); {statement}; "
    "print(time.perf_counter() - t)"
)
VARIANTS: dict[str, tuple[Path, str]] = {
    "bare SDK (firestore_fn, https_fn)": (
        ROOT,
        "from firebase_functions import firestore_fn, https_fn",
    ),
    "hand-written baseline main.py": (ROOT / "bench" / "handwritten", "import main"),
    "boiler functions/main.py": (ROOT / "functions", "import main"),
}


def measure_cold_start(runs: int) -> dict[str, list[float]]:
    """Import seconds per variant, ``runs`` fresh processes each."""
    samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(runs):
        for name, (folder, statement) in VARIANTS.items():
            code = SNIPPET.format(folder=str(folder), statement=statement)
            done = subprocess.run(
                [sys.executable, "-P", "-c", code],
                capture_output=True,
                text=True,
                cwd=folder,
                timeout=120,
                check=True,
            )
            samples[name].append(float(done.stdout.strip().splitlines()[-1]))
    return samples


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000.0
