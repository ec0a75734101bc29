"""Cold start: importing the generated ``functions/main.py`` against the bare SDK, fresh processes.

Each sample is one new interpreter (``python -P -B -c``) timing its own import with
``time.perf_counter``: interpreter start-up is the same for every variant and left out. Variants:
the SDK modules every Python Firestore trigger imports (``firebase_functions.firestore_fn`` and
``https_fn``), the hand-written baseline's ``main.py``, and boiler's generated ``main.py``.
Samples alternate between variants so that machine load hits each alike; medians are reported.

boiler's ``main.py`` is imported from a copy of the functions folder with boiler_core beside it.
Deployed, boiler is installed by pip from its wheel (``--find-links wheels`` in the generated
requirements), so it comes byte-compiled like the SDK and every other installed package: that is
the import a deployed instance makes (:data:`GOAL_VARIANT`), and the goal is checked on it. A
second boiler variant imports boiler_core from source without bytecode, to show what compiling
costs; ``-B`` keeps every sample as it is (nothing is written back).

Importing ``main.py`` from the working tree instead would time whatever bytecode earlier runs
happened to leave in ``__pycache__``: with ``PYTHONDONTWRITEBYTECODE`` set (as on some machines)
there is none, without it there is; the ratio moved from 1.19x to 1.31x between two such trees.
"""

from __future__ import annotations

import compileall
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.harness import ROOT

SNIPPET = (
    "import sys, time; sys.path.insert(0, {folder!r}); t = time.perf_counter(); {statement}; "
    "elapsed = time.perf_counter() - t; {check}print(elapsed)"
)
VENDORED_CHECK = (
    "assert sys.modules['boiler_core'].__file__.startswith({folder!r}), "
    "sys.modules['boiler_core'].__file__; "
)
"""Each boiler sample checks that it imported the vendored copy, not the working tree's."""

BARE = "bare SDK (firestore_fn, https_fn)"
HANDWRITTEN = "hand-written baseline main.py"
GOAL_VARIANT = "boiler main.py, as deployed (boiler_core byte-compiled)"
SOURCE = "boiler main.py, boiler_core from source (no bytecode)"


@contextmanager
def deployed_copies(functions_dir: Path = ROOT / "functions") -> Iterator[tuple[Path, Path]]:
    """Two copies of ``functions_dir`` with boiler_core beside its modules: one source only, one
    byte-compiled; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="boiler-coldstart-") as scratch:
        source, compiled = Path(scratch) / "source", Path(scratch) / "compiled"
        ignored = shutil.ignore_patterns("venv", ".venv", "__pycache__", "*.pyc")
        shutil.copytree(functions_dir, source, ignore=ignored)
        shutil.copytree(ROOT / "boiler_core", source / "boiler_core", ignore=ignored)
        shutil.copytree(source, compiled)
        if not compileall.compile_dir(compiled, quiet=1):
            raise RuntimeError(f"byte-compiling {compiled} failed")
        yield source, compiled


def measure_cold_start(runs: int) -> dict[str, list[float]]:
    """Import seconds per variant, ``runs`` fresh processes each."""
    with deployed_copies() as (source, compiled):
        variants: dict[str, tuple[Path, str, str]] = {
            BARE: (ROOT, "from firebase_functions import firestore_fn, https_fn", ""),
            HANDWRITTEN: (ROOT / "bench" / "handwritten", "import main", ""),
            GOAL_VARIANT: (compiled, "import main", VENDORED_CHECK),
            SOURCE: (source, "import main", VENDORED_CHECK),
        }
        samples: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(runs):
            for name, (folder, statement, check) in variants.items():
                code = SNIPPET.format(
                    folder=str(folder), statement=statement, check=check.format(folder=str(folder))
                )
                done = subprocess.run(
                    [sys.executable, "-P", "-B", "-c", code],
                    capture_output=True,
                    text=True,
                    cwd=folder,
                    timeout=120,
                    check=False,
                )
                if done.returncode != 0:
                    raise RuntimeError(f"importing {name} failed:\n{done.stderr[-2000:]}")
                samples[name].append(float(done.stdout.strip().splitlines()[-1]))
    return samples


def goal_ratio(cold: dict[str, list[float]]) -> float | None:
    """The goal's ratio: boiler's import as deployed over the bare SDK's (None if either was not
    measured, as in figures saved before the deployed copy was)."""
    if BARE not in cold or GOAL_VARIANT not in cold:
        return None
    return median_ms(cold[GOAL_VARIANT]) / median_ms(cold[BARE])


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000.0
