"""docs/performance.md, rendered from one run's :class:`~bench.report.Results`."""

from __future__ import annotations

import math

from bench.coldstart import median_ms
from bench.latency import percentile
from bench.report import (
    Results,
    backfill_table,
    cold_table,
    cost_table,
    fanout_table,
    latency_table,
    ratio,
    table,
    versus_table,
)

METHOD = """\
## Method

`make bench` (`python -m bench.run`) starts boiler's local runtime: the official Firestore
emulator with trigger delivery to a dispatcher process that imports the generated
`functions/main.py` and runs each event through it, exactly as `boiler dev` and the integration
tests do. Domain writes come from a separate Firestore client, as an app's would. Nothing is
called in-process: every figure includes the emulator's delivery, the trigger function and
Firestore round trips.

- **Cost per event.** The reference fixture (`functions/meeting_room/fixture.py`) is seeded, then
  each event kind is written {reps} times (undone, unmeasured, in between). After each write the
  runtime settles and the cost lines of the invocations about the written document are added up
  (boiler's engine prints one per invocation; the baseline counts with the same billing rules: one
  read per document requested, found or not, a query costs its results with a minimum of one).
  The **lower bound** comes from the manifest and the domain state (`bench/lower_bound.py`): per
  view fed by the changed collection, one read per view document whose content changes (created,
  changed or deleted: the stale-write guard reads what it overwrites), plus the co-source
  documents those roots are computed from, loaded as the joins allow (a `ref`/`refs` target once,
  a `query` join per parent document, billed as Firestore bills queries), without the changed
  document (the event carries it); writes and deletes only for the documents whose content
  changes. Finding which roots a document feeds is not counted. After each kind the stored views
  are compared with a from-scratch recompute ("views exact").
- **Latency.** `tickets/tj_t.attendance` flips {events} times (after {warmup} unreported warm-up
  flips: the emulator's JIT is slow until warm); `on_snapshot` listeners watch the master view
  document and all 3 per-user copies; one event's latency runs from just before the write until
  the last of the 4 listeners has received the new value. Events are sequential.
- **Fan-out.** Seeded: 1,000 meetings; user `u1000` in all, `u100` in the first 100, `u10` in
  the first 10, one attending ticket per member. Renaming `uM` changes M masters, the copies of
  all members of those M meetings and the user's profile. Time from just before the write until
  the dispatcher reports the invocation returned (all its commits done); views then compared with
  a from-scratch recompute.
- **Backfill.** 10,000 meetings (3 of 100 users each, a ticket per member, 10 locations: 40,110
  source documents) batch-written into a project of the same emulator without triggers, then
  `boiler backfill --all --rate 0`, timed as a whole (process start included).
- **Cold start.** Fresh interpreters importing, timed inside the process: the SDK modules every
  Python Firestore trigger imports, the baseline's `main.py`, boiler's generated `main.py`;
  alternated, medians.
- **Baselines, same run, same emulator build.** (a) `bench/handwritten/main.py`: the hand-written
  triggers most Firebase apps use: re-read every source with one `get()` each, rewrite every view
  document blindly with one `set()` each; served by the same dispatcher, same workload. (b)
  flask-boiler 0.0.1b2 running its own meeting-room example (per-user `DocumentAsView` mediator,
  long-running listeners) in a Python 3.8 venv the benchmark builds from
  `bench/flask_boiler/requirements-0.0.1b2.txt`, against the same emulator process (its own
  project); latency measured by the same listener code on its 3 per-user view documents.

All processes (emulators, dispatchers, the flask-boiler worker) are started by the benchmark and
stopped by it; only 127.0.0.1 is contacted. Waits are polls or condition waits with deadlines.
"""


def _goal_rows(r: Results) -> list[list[object]]:
    rows: list[list[object]] = []
    if r.ours_costs:
        worst_reads = max(ratio(k.median("reads"), k.bound_median("reads")) or 0 for k in r.ours_costs)
        worst_writes = max(ratio(k.median("writes"), k.bound_median("writes")) or 0 for k in r.ours_costs)
        irrelevant = next((k for k in r.ours_costs if k.name.startswith("irrelevant")), None)
        rows.append(["reads per event at the bound (ratio 1.0), every kind", f"worst ratio {worst_reads:.2f}",
                     _yes(worst_reads <= 1.0)])
        rows.append(["writes per event at the bound, every kind", f"worst ratio {worst_writes:.2f}",
                     _yes(worst_writes <= 1.0)])
        if irrelevant:
            rows.append(["0 writes for an irrelevant change", f"{irrelevant.median('writes'):.0f} writes",
                         _yes(irrelevant.median("writes") == 0)])
    ours = r.latency.get("boiler")
    if ours and ours.ms:
        p50, p99 = percentile(ours.ms, 0.5), percentile(ours.ms, 0.99)
        rows.append(["latency p50 <= 25 ms", f"{p50:.1f} ms", _yes(p50 <= 25)])
        rows.append(["latency p99 <= 100 ms", f"{p99:.1f} ms", _yes(p99 <= 100)])
    big = {f.meetings: f for f in r.ours_fanout}.get(1000)
    hand = {f.meetings: f for f in r.hand_fanout}.get(1000)
    if big and hand:
        speed = ratio(big.docs_per_second, hand.docs_per_second)
        rows.append(["fan-out of 1,000: >= 10x the baseline's docs/s",
                     f"{speed:.1f}x" if speed else "n/a", _yes(bool(speed and speed >= 10))])
    if r.backfill and r.backfill.seconds:
        per = r.backfill.reads / r.backfill.source_docs
        rate = r.backfill.written / r.backfill.seconds
        rows.append(["backfill: 1 read per source document", f"{per:.2f}", _yes(per <= 1.0)])
        rows.append(["backfill: >= 1,000 view docs/s", f"{rate:,.0f}/s", _yes(rate >= 1000)])
    if r.cold:
        values = list(r.cold.values())
        cold = median_ms(values[-1]) / median_ms(values[0])
        rows.append(["cold import <= 1.3x the bare SDK", f"{cold:.2f}x", _yes(cold <= 1.3)])
    return rows


def _yes(ok: bool) -> str:
    return "reached" if ok else "NOT reached"


def render(r: Results, *, quick: bool = False) -> str:
    """The whole document."""
    m = r.machine
    reps = len(r.ours_costs[0].costs) if r.ours_costs else 0
    lat = r.latency.get("boiler")
    parts = [
        "# Performance",
        "",
        "Generated by `make bench` (`bench/`); do not edit by hand: the figures below are the ones "
        "the run printed." + (" (A `--quick` smoke run: small counts.)" if quick else ""),
        "",
        "![benchmark chart](performance.png)",
        "",
        METHOD.format(reps=reps, events=len(lat.ms) + lat.timeouts if lat else 0, warmup="the"),
        "## Machine",
        "",
        table(["", ""], [
            ["date", m.get("date")], ["cores (nproc)", m.get("nproc")], ["CPU", m.get("cpu")],
            ["memory", m.get("memory")], ["OS", m.get("os")], ["Python", m.get("python")],
            ["Firestore emulator", m.get("emulator")],
            ["load average at start / end (1/5/15 min)", f"{m.get('load_start')} ; {m.get('load_end')}"],
            ["whole run", f"{r.seconds:.0f} s"],
        ]),
        "",
        "The machine is shared with other work; the load average says how busy it was. Latency "
        "figures in particular move with it.",
        "",
        "## Goals",
        "",
        table(["goal", "measured", ""], _goal_rows(r)),
        "",
        "## Cost per event: boiler against the lower bound",
        "",
        "Medians over the repetitions per invocation (a range when repetitions differed).",
        "",
        cost_table(r.ours_costs) if r.ours_costs else "(not run)",
        "",
        "## Cost per event: the hand-written baseline, and ours / baseline",
        "",
        versus_table(r.ours_costs, r.hand_costs) if r.ours_costs and r.hand_costs else "(not run)",
        "",
        "## Latency: write until every copy is current (on_snapshot)",
        "",
        latency_table(r.latency) if r.latency else "(not run)",
        "",
        "## Fan-out: one user in M meetings renamed",
        "",
        fanout_table(r.ours_fanout, r.hand_fanout) if r.ours_fanout else "(not run)",
        "",
        "Seeding the fan-out domain through the triggers took "
        + ", ".join(f"{v:.0f} s ({k})" for k, v in r.seeding.items())
        + ".",
        "",
        "## Backfill: 10,000 meetings from scratch (`boiler backfill --all`)",
        "",
        backfill_table(r.backfill),
        "",
        "## Cold start: import time in fresh processes",
        "",
        cold_table(r.cold),
        "",
    ]
    if r.notes:
        parts += ["## Notes from this run", "", *[f"- {note}" for note in r.notes], ""]
    parts += [BOUNDS]
    return "\n".join(parts)


BOUNDS = """\
## What bounds the goals not reached

See the section "Analysis" below (written from the measurements of the committed run).
"""

_ = math
