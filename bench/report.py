"""The benchmark's tables (printed and written to docs/internals/performance.md) and its chart.

Every table is built once as Markdown and both printed and written, so the document holds exactly
the figures the run printed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.backfill import BackfillResult
from bench.coldstart import median_ms
from bench.costs import KindCost
from bench.devloop import DevLoopResult, Sample
from bench.devloop import median as median_s
from bench.fanout import FanOut
from bench.latency import LatencyResult, percentile


@dataclass
class Results:
    """Everything one ``make bench`` run measured; absent parts are None."""

    machine: dict[str, str]
    ours_costs: list[KindCost] = field(default_factory=list)
    hand_costs: list[KindCost] = field(default_factory=list)
    latency: dict[str, LatencyResult] = field(default_factory=dict)
    ours_fanout: list[FanOut] = field(default_factory=list)
    hand_fanout: list[FanOut] = field(default_factory=list)
    seeding: dict[str, float] = field(default_factory=dict)
    backfill: BackfillResult | None = None
    """``boiler backfill --all --bulk`` (the mode issue 9's goals are checked on)."""
    backfill_transactional: BackfillResult | None = None
    """``boiler backfill --all`` without ``--bulk``, same domain, same run."""
    cold: dict[str, list[float]] = field(default_factory=dict)
    devloop: DevLoopResult | None = None
    """``boiler dev``: saving views.yaml or a hook until the change is served."""
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return (
            f"{value:.2f}"
            if abs(value) < 10
            else f"{value:.1f}"
            if abs(value) < 1000
            else f"{value:,.0f}"
        )
    return str(value)


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or (isinstance(b, float) and math.isnan(b)):
        return None
    if b == 0:
        return 1.0 if a == 0 else math.inf
    return a / b


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def cost_table(ours: list[KindCost]) -> str:
    rows = []
    for k in ours:
        lo, hi = k.spread("reads")
        rows.append(
            [
                k.name,
                _num(k.median("reads")) if lo == hi else f"{_num(k.median('reads'))} ({lo}-{hi})",
                _num(k.bound_median("reads")),
                ratio(k.median("reads"), k.bound_median("reads")),
                _num(k.median("writes")),
                _num(k.bound_median("writes")),
                ratio(k.median("writes"), k.bound_median("writes")),
                _num(k.median("deletes")),
                _num(k.bound_median("deletes")),
                _num(k.median("queries")),
                _num(k.bound_median("queries")),
                "yes" if k.views_ok else "NO",
            ]
        )
    return table(
        [
            "event kind",
            "reads",
            "bound",
            "ratio",
            "writes",
            "bound",
            "ratio",
            "deletes",
            "bound",
            "queries",
            "bound",
            "views exact",
        ],
        rows,
    )


def versus_table(ours: list[KindCost], hand: list[KindCost]) -> str:
    rows = []
    for a, b in zip(ours, hand, strict=True):
        ops_a = a.median("reads") + a.median("writes") + a.median("deletes")
        ops_b = b.median("reads") + b.median("writes") + b.median("deletes")
        rows.append(
            [
                a.name,
                _num(b.median("reads")),
                _num(b.median("writes")),
                _num(b.median("deletes")),
                _num(b.median("queries")),
                ratio(a.median("reads"), b.median("reads")),
                ratio(a.median("writes"), b.median("writes")),
                ratio(ops_a, ops_b),
                "yes" if b.views_ok else "NO",
            ]
        )
    return table(
        [
            "event kind",
            "baseline reads",
            "writes",
            "deletes",
            "queries",
            "ours/baseline reads",
            "writes",
            "all billed ops",
            "baseline views exact",
        ],
        rows,
    )


def latency_table(latency: dict[str, LatencyResult]) -> str:
    ours = latency.get("boiler")
    rows = []
    for name, result in latency.items():
        p50 = percentile(result.ms, 0.5)
        rows.append(
            [
                name,
                len(result.ms),
                result.timeouts,
                p50,
                percentile(result.ms, 0.95),
                percentile(result.ms, 0.99),
                max(result.ms) if result.ms else None,
                ratio(percentile(ours.ms, 0.5), p50) if ours else None,
                ratio(percentile(ours.ms, 0.99), percentile(result.ms, 0.99)) if ours else None,
                percentile(getattr(result, "function_ms", []), 0.5),
            ]
        )
    return table(
        [
            "implementation",
            "events",
            "timeouts",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "boiler/this p50",
            "boiler/this p99",
            "function p50 ms",
        ],
        rows,
    )


def fanout_table(ours: list[FanOut], hand: list[FanOut]) -> str:
    rows = []
    by_size = {f.meetings: f for f in hand}
    for f in ours:
        h = by_size.get(f.meetings)
        rows.append(
            [
                f.meetings,
                f.changed_docs,
                f.seconds,
                f.first_seconds,
                f.docs_per_second,
                f.cost.get("reads"),
                getattr(f, "bound_reads", None),
                f.cost.get("writes"),
                "yes" if f.views_ok else "NO",
                getattr(f, "cpu_seconds", None),
                h.seconds if h else None,
                h.first_seconds if h else None,
                h.docs_per_second if h else None,
                h.cost.get("reads") if h else None,
                h.cost.get("writes") if h else None,
                getattr(h, "cpu_seconds", None) if h else None,
                ratio(f.docs_per_second, h.docs_per_second) if h else None,
            ]
        )
    return table(
        [
            "M meetings",
            "view docs changed",
            "boiler s",
            "first s",
            "boiler docs/s",
            "reads",
            "read bound",
            "writes",
            "views exact",
            "boiler CPU s",
            "baseline s",
            "first s",
            "baseline docs/s",
            "reads",
            "writes",
            "baseline CPU s",
            "boiler/baseline docs/s",
        ],
        rows,
    )


def backfill_table(*results: BackfillResult | None) -> str:
    """Per mode and view: roots, written, deleted, reads; then per mode the totals."""
    ran = [r for r in results if r is not None]
    if not ran:
        return "(not run)"
    rows = [
        [r.mode, view, roots, written, deleted, reads]
        for r in ran
        for view, (roots, written, deleted, reads) in r.views.items()
    ]
    summary = table(
        [
            "mode",
            "source docs",
            "seconds",
            "view docs written",
            "view docs/s",
            "reads",
            "reads per source doc",
            "exit",
        ],
        [
            [
                r.mode,
                r.source_docs,
                r.seconds,
                r.written,
                r.written / r.seconds if r.seconds else None,
                r.reads,
                f"{r.reads / r.source_docs:.3f}",
                r.exit_code,
            ]
            for r in ran
        ],
    )
    return table(["mode", "view", "roots", "written", "deleted", "reads"], rows) + "\n\n" + summary


def cold_table(cold: dict[str, list[float]]) -> str:
    if not cold:
        return "(not run)"
    bare = median_ms(next(iter(cold.values())))
    rows = [
        [name, len(v), median_ms(v), min(v) * 1000, max(v) * 1000, median_ms(v) / bare]
        for name, v in cold.items()
    ]
    return table(["import", "runs", "median ms", "min ms", "max ms", "/ bare SDK"], rows)


def devloop_table(result: DevLoopResult | None) -> str:
    """Per kind of save: median and range of each time from the save, in seconds."""
    if result is None or not (result.new_view or result.hook_edit):
        return "(not run)"

    def spread(samples: list[Sample], pick: str) -> str:
        values = [getattr(s, pick) for s in samples]
        return f"{median_s(values):.2f} ({min(values):.2f}-{max(values):.2f})"

    rows = [
        [
            kind,
            len(samples),
            spread(samples, "reloaded"),
            spread(samples, "reported"),
            spread(samples, "served"),
        ]
        for kind, samples in (
            ("views.yaml: a view added", result.new_view),
            ("hooks.py: a line added", result.hook_edit),
        )
        if samples
    ]
    return table(
        [
            "save",
            "runs",
            "save -> reloaded line, s",
            "reload as printed, s",
            "save -> served, s",
        ],
        rows,
    )


def chart(results: Results, path: Path) -> None:
    """Four panels: reads per event, latency distribution, fan-out rate, cold import."""
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(13, 9))
    ax = axes[0][0]
    names = [k.name.split(" (")[0] for k in results.ours_costs]
    xs = range(len(names))
    width = 0.27
    ax.bar(
        [x - width for x in xs],
        [k.bound_median("reads") for k in results.ours_costs],
        width,
        label="lower bound",
    )
    ax.bar(list(xs), [k.median("reads") for k in results.ours_costs], width, label="boiler")
    if results.hand_costs:
        ax.bar(
            [x + width for x in xs],
            [k.median("reads") for k in results.hand_costs],
            width,
            label="hand-written",
        )
    ax.set_xticks(list(xs), names, rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("reads per event")
    ax.set_title("Reads per event")
    ax.legend(fontsize=8)
    ax = axes[0][1]
    for name, result in results.latency.items():
        if result.ms:
            ordered = sorted(result.ms)
            ax.plot(ordered, [(i + 1) / len(ordered) for i in range(len(ordered))], label=name)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xticks([10, 20, 50, 100, 200, 500])
    ax.set_xlabel("write -> every copy current (ms, log)")
    ax.set_ylabel("fraction of events")
    ax.set_title("Latency (CDF)")
    ax.legend(fontsize=8)
    ax = axes[1][0]
    for label, runs in (("boiler", results.ours_fanout), ("hand-written", results.hand_fanout)):
        points = [(f.meetings, f.docs_per_second) for f in runs if f.docs_per_second]
        if points:
            ax.plot(*zip(*points, strict=True), marker="o", label=label)
    ax.set_xscale("log")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("meetings of the renamed user (M)")
    ax.set_ylabel("view documents per second")
    ax.set_title("Fan-out")
    ax.legend(fontsize=8)
    ax = axes[1][1]
    if results.cold:
        labels = list(results.cold)
        ax.bar(range(len(labels)), [median_ms(v) for v in results.cold.values()])
        ax.set_xticks(
            range(len(labels)), [label.split(" (")[0] for label in labels], rotation=15, fontsize=8
        )
    ax.set_ylabel("median import ms")
    ax.set_title("Cold import")
    fig.suptitle(f"boiler benchmarks, {results.machine.get('date', '')}")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
