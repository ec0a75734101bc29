"""``make bench``: run every benchmark, print the tables, write docs/internals/performance.md and
the chart.

Order: cold start (no emulator); the dev loop (its own ``boiler dev``); boiler's runtime (costs,
latency, fan-out, then backfill and the flask-boiler predecessor on the same emulator under
projects without triggers); the hand-written baseline's runtime (costs, latency, fan-out). Every
process started is stopped by the context managers, also on errors and Ctrl-C. ``--quick``
shrinks counts for a smoke run (its figures are not written to docs/ unless ``--write``).
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
import time
import traceback
from pathlib import Path

from bench import document
from bench.backfill import measure_backfill
from bench.coldstart import measure_cold_start
from bench.costs import measure_costs
from bench.devloop import measure_devloop
from bench.fanout import RENAMES, measure_fanout
from bench.flask_boiler.runner import BaselineUnavailable, ensure_venv, running_worker, view_paths
from bench.harness import ROOT, App, running_app
from bench.latency import WATCHED, LatencyResult, flip_attendance
from bench.machine import describe, load_average
from bench.report import (
    Results,
    backfill_table,
    chart,
    cost_table,
    devloop_table,
    fanout_table,
    latency_table,
)
from boiler_core.emulator import find_emulator
from boiler_core.manifest import load_manifest

PROJECT = "demo-boiler"
FLASK_BOILER_PROJECT = "demo-flask-boiler"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--quick", action="store_true", help="small counts, for a smoke run")
    parser.add_argument("--write", action="store_true", help="write docs/ also with --quick")
    parser.add_argument("--skip", action="append", default=[], help="skip a part by name")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="run only this part (repeatable, e.g. --only backfill); prints its tables, writes "
        "nothing to docs/",
    )
    parser.add_argument(
        "--render", action="store_true", help="only re-render docs/ from the last run's figures"
    )
    args = parser.parse_args(argv)
    saved = ROOT / ".bench" / "last-run.pickle"
    if args.render:
        results = pickle.loads(saved.read_bytes())
        return publish(results, quick=False, write=True)
    quick = args.quick
    reps = 2 if quick else 6
    renames = 1 if quick else RENAMES
    events, warmup = (60, 20) if quick else (500, 150)
    deadline = 240.0 if quick else 600.0
    skip = set(args.skip)
    only = set(args.only)
    began = time.perf_counter()
    manifest = load_manifest(ROOT / "views.yaml")
    results = Results(describe(" ".join(find_emulator({**__import__("os").environ}).command)))
    cache = ROOT / ".bench"
    cache.mkdir(exist_ok=True)

    def wanted(*names: str) -> bool:
        return any(name not in skip and (not only or name in only) for name in names)

    def part(name: str, fn):  # type: ignore[no-untyped-def]
        if only and name not in only:
            return
        if name in skip:
            results.notes.append(f"{name}: skipped (--skip {name})")
            return
        started = time.perf_counter()
        print(f"== {name} ...", flush=True)
        try:
            fn()
        except (BaselineUnavailable, TimeoutError) as exc:
            results.notes.append(f"{name}: not measured: {exc}")
            print(f"   {name} not measured: {exc}", flush=True)
        except Exception:
            results.notes.append(f"{name}: failed: {traceback.format_exc(limit=3)}")
            traceback.print_exc()
        print(
            f"   {name} took {time.perf_counter() - started:.0f} s (load {load_average()})",
            flush=True,
        )

    part("cold start", lambda: results.cold.update(measure_cold_start(3 if quick else 7)))

    def devloop() -> None:
        results.devloop = measure_devloop(2 if quick else 5)

    part("devloop", devloop)
    python38: list[Path] = []
    part("flask-boiler venv", lambda: python38.append(ensure_venv(cache)))

    with tempfile.TemporaryDirectory(prefix="boiler-bench-") as tmp:
        workdir = Path(tmp)
        with running_app(ROOT / "functions", PROJECT) as app:
            part(
                "boiler costs",
                lambda: results.ours_costs.extend(measure_costs(app, manifest, reps)),
            )
            part(
                "boiler latency",
                lambda: results.latency.__setitem__("boiler", timed(app, events, warmup)),
            )

            def fanout() -> None:
                app.runtime.reset(timeout=deadline)
                runs, seconds = measure_fanout(app, manifest, deadline=deadline, renames=renames)
                results.ours_fanout.extend(runs)
                results.seeding["boiler"] = seconds

            part("boiler fan-out", fanout)

            def backfill() -> None:
                results.backfill = measure_backfill(app, workdir, timeout=deadline * 2, bulk=True)
                results.backfill_transactional = measure_backfill(
                    app, workdir, timeout=deadline * 2
                )

            part("backfill", backfill)

            def predecessor() -> None:
                if not python38:
                    raise BaselineUnavailable("its venv could not be built (see above)")
                with running_worker(
                    python38[0],
                    emulator_host=app.runtime.emulator_host,
                    project=FLASK_BOILER_PROJECT,
                    workdir=workdir,
                ):
                    results.latency["flask-boiler 0.0.1b2"] = flip_attendance(
                        app.client(FLASK_BOILER_PROJECT), view_paths(), events=events, warmup=warmup
                    )

            part("flask-boiler latency", predecessor)
        baseline = ("baseline costs", "baseline latency", "baseline fan-out")
        if wanted(*baseline):
            with running_app(ROOT / "bench" / "handwritten", PROJECT) as app:
                part(
                    "baseline costs",
                    lambda: results.hand_costs.extend(measure_costs(app, manifest, reps)),
                )
                part(
                    "baseline latency",
                    lambda: results.latency.__setitem__(
                        "hand-written baseline", timed(app, events, warmup)
                    ),
                )

                def hand_fanout() -> None:
                    app.runtime.reset(timeout=deadline)
                    runs, seconds = measure_fanout(
                        app, manifest, deadline=deadline, renames=renames
                    )
                    results.hand_fanout.extend(runs)
                    results.seeding["hand-written baseline"] = seconds

                part("baseline fan-out", hand_fanout)

    results.seconds = time.perf_counter() - began
    results.machine["load_end"] = load_average()
    if only:  # only the parts asked for: their tables, nothing written
        if results.ours_costs:
            print(cost_table(results.ours_costs))
        if results.latency:
            print(latency_table(results.latency))
        if results.ours_fanout or results.hand_fanout:
            print(fanout_table(results.ours_fanout, results.hand_fanout))
        if "backfill" in only:
            print(backfill_table(results.backfill, results.backfill_transactional))
        if results.devloop is not None:
            print(devloop_table(results.devloop))
            print(
                f"ready after {results.devloop.start_seconds:.1f} s; load before / after: "
                f"{results.devloop.load_before} ; {results.devloop.load_after}"
            )
        print("\n".join(results.notes))
        return 0
    saved.write_bytes(pickle.dumps(results))
    return publish(results, quick=quick, write=not quick or args.write)


def timed(app: App, events: int, warmup: int) -> LatencyResult:
    """:func:`flip_attendance` on ``app``, with how long the trigger function ran per measured
    event (the dispatcher's figure for the invocation)."""
    start = len(app.invocations)
    result = flip_attendance(app.db, WATCHED, events=events, warmup=warmup)
    ran = [i.ms for i in app.invocations.since(start) if i.document == "tickets/tj_t"]
    result.function_ms = ran[warmup : warmup + events]
    return result


def publish(results: Results, *, quick: bool, write: bool) -> int:
    """Print the document; write it and the chart to docs/ when ``write``."""
    text = document.render(results, quick=quick)
    print(text)
    if write:
        (ROOT / "docs" / "internals" / "performance.md").write_text(text, encoding="utf-8")
        chart(results, ROOT / "docs" / "internals" / "performance.png")
        print(
            "wrote docs/internals/performance.md and docs/internals/performance.png "
            f"({results.seconds:.0f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
