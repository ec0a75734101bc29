"""``boiler backfill``: build or rebuild views from domain state, resumably and rate-limited."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import click

from boiler_core.cli.options import load_or_exit, manifest_option
from boiler_core.cli.target import (
    Target,
    choose_views,
    engine_for,
    open_target,
    page_size_option,
    project_option,
)
from boiler_core.engine.engine import Engine
from boiler_core.errors import BoilerError, CheckpointError
from boiler_core.manifest import Manifest
from boiler_core.rebuild import (
    META_COLLECTION,
    PRICES,
    Backfill,
    Checkpoint,
    RampingLimiter,
    estimate,
    fingerprints,
    ramp_seconds,
    read_records,
    stale_views,
)
from boiler_core.rebuild.bulk import (
    DEFAULT_MAX_DOCS,
    DEFAULT_WRITERS,
    STREAM_PAGE_SIZE,
    BulkBackfill,
    BulkView,
    aggregation_reads,
)
from boiler_core.rebuild.failures import Failure
from boiler_core.rebuild.order import build_order
from boiler_core.rebuild.paging import Source, all_paths, doc_id
from boiler_core.rebuild.snapshot import BYTES_PER_DOCUMENT
from boiler_core.rebuild.strays import output_sources

CHECKPOINT = Path(".boiler") / "backfill-checkpoint.json"
"""Default checkpoint file, relative to the folder of views.yaml."""

EXIT_INTERRUPTED = 130


@click.command()
@manifest_option
@project_option
@click.argument("views", nargs=-1, metavar="[VIEW]...")
@click.option("--all", "all_views", is_flag=True, help="Rebuild every view.")
@click.option(
    "--changed",
    is_flag=True,
    help="Rebuild the views whose definition changed since their last build (new ones too).",
)
@click.option("--resume", is_flag=True, help="Continue the run the checkpoint file recorded.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Write nothing: print document counts and estimated reads, writes and cost.",
)
@click.option(
    "--checkpoint",
    "checkpoint_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Checkpoint file [default: {CHECKPOINT} beside views.yaml].",
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0),
    default=500.0,
    show_default=True,
    help="Starting writes per second, raised 50% every 5 minutes (Firestore's 500/50/5 ramp); "
    "0 for no limit.",
)
@page_size_option
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1, max=500),
    default=50,
    show_default=True,
    help="Roots per transaction (one commit each).",
)
@click.option(
    "--bulk",
    is_flag=True,
    help="Read each source document once into memory, compute every view document there, and "
    "create them in batches (about 1 read per source document). Never overwrites: existing "
    "documents are recomputed in transactions. Not transactional against concurrent domain "
    "writes: for views nothing writes yet, or follow with `boiler verify --repair`. Not "
    "resumable mid-view; rerunning is safe.",
)
@click.option(
    "--bulk-max-docs",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_DOCS,
    show_default=True,
    help=f"--bulk refuses to hold more source documents in memory (about "
    f"{BYTES_PER_DOCUMENT // 1000} KB each).",
)
@click.option(
    "--bulk-page-size",
    type=click.IntRange(min=1, max=20_000),
    default=STREAM_PAGE_SIZE,
    show_default=True,
    help="--bulk: documents per request when streaming the sources (by cursor).",
)
@click.option(
    "--writers",
    type=click.IntRange(min=1, max=32),
    default=DEFAULT_WRITERS,
    show_default=True,
    help="--bulk: batches of creates committed in parallel.",
)
@click.option(
    "--prices",
    type=click.Choice(sorted(PRICES)),
    default="multi-region",
    show_default=True,
    help="Price list for --dry-run.",
)
@click.pass_context
def backfill(
    ctx: click.Context,
    manifest_path: Path,
    project: str | None,
    views: tuple[str, ...],
    all_views: bool,
    changed: bool,
    resume: bool,
    dry_run: bool,
    checkpoint_path: Path | None,
    rate: float,
    page_size: int,
    chunk_size: int,
    bulk: bool,
    bulk_max_docs: int,
    bulk_page_size: int,
    writers: int,
    prices: str,
) -> None:
    """Build or rebuild views from the domain state: VIEW..., --all or --changed.

    Lists each view's root collection by cursor, recomputes the roots in transactions of
    --chunk-size (only changed documents are written), then deletes view documents no root
    implies any more, and records the view's definition fingerprint in _boiler_meta/VIEW.
    Progress is checkpointed after every page: an interrupted run continues with --resume.

    With --bulk: one read per source document instead of about five, many times faster; see
    docs/operations.md for what it guarantees (it is not resumable and does not use the
    checkpoint). Exit codes: 1 an error, 130 interrupted (both keep the checkpoint), 2 no
    database reachable.
    """
    manifest = load_or_exit(manifest_path)
    chosen = sum(bool(x) for x in (views, all_views, changed))
    if chosen > 1 or (chosen == 0 and not resume):
        raise click.UsageError("name the views to rebuild, or pass --all or --changed")
    if bulk and resume:
        raise click.UsageError(
            "--resume does not apply to --bulk: a bulk build keeps no checkpoint and is not "
            "resumable mid-view. Run the same `boiler backfill --bulk ...` again (safe: documents "
            "already created are not overwritten, their roots are recomputed in transactions), or "
            "resume a transactional run with `boiler backfill --resume` alone"
        )
    target = open_target(ctx, manifest, project)
    current = fingerprints(manifest)
    if changed:
        names = _changed_views(manifest, target, current)
    elif all_views:
        names = list(manifest.views)
    else:
        names = choose_views(manifest, views) if views else []
    if not names and not resume:
        return  # --changed found every view current, and said so
    path = checkpoint_path or manifest_path.resolve().parent / CHECKPOINT
    with engine_for(manifest, manifest_path, target, chunk_size=chunk_size) as engine:
        if dry_run:
            if bulk:
                _bulk_dry_run(engine, target, names, rate, prices, bulk_max_docs)
            else:
                _dry_run(engine, target, names, rate, prices)
            return
        if bulk:
            if path.exists():
                click.echo(f"note: --bulk leaves the checkpoint of a transactional run at {path}")
            job = BulkBackfill(
                engine,
                target.store,
                names,
                limiter=RampingLimiter(rate),
                page_size=page_size,
                stream_page_size=bulk_page_size,
                writers=writers,
            )
            _run_bulk(job, current, bulk_max_docs)
            return
        checkpoint = _checkpoint(path, target, current, names, resume)
        _run(engine, target, checkpoint, RampingLimiter(rate), page_size)


def _changed_views(manifest: Manifest, target: Target, current: dict[str, str]) -> list[str]:
    records = read_records(target.store, list(current))
    stale = stale_views(current, records)
    for name, reason in stale.items():
        click.echo(f"{name}: {reason}")
    recorded = [doc_id(p) for p in all_paths(target.store, Source(META_COLLECTION))]
    gone = [name for name in recorded if name not in manifest.views]
    if gone:
        click.echo(
            f"note: build records of views no longer in views.yaml: {', '.join(gone)} "
            "(their documents are left as they are)"
        )
    if not stale:
        click.echo(f"all {len(current)} views are built from their current definition")
    return list(stale)


def _checkpoint(
    path: Path, target: Target, current: dict[str, str], names: list[str], resume: bool
) -> Checkpoint:
    try:
        found = Checkpoint.load(path)
    except CheckpointError as exc:
        raise click.ClickException(str(exc)) from None
    wanted = {name: current[name] for name in names}
    if resume:
        if found is None:
            raise click.ClickException(f"no checkpoint to resume at {path}")
        wanted = wanted or {name: current.get(name, "") for name in found.fingerprints}
        why = found.mismatch(target.project, wanted)
        if why is not None:
            raise click.ClickException(
                f"cannot resume from {path}: {why}; run without --resume to start over"
            )
        done = [v for v, p in found.progress.items() if p.phase != "roots" or p.after]
        click.echo(f"resuming from {path} ({len(done)} of {len(wanted)} views started)")
        return found
    if found is not None:
        click.echo(f"note: starting over; the checkpoint of an earlier run at {path} is replaced")
    checkpoint = Checkpoint(path, target.project, wanted)
    checkpoint.save()
    return checkpoint


def _run(
    engine: Engine, target: Target, checkpoint: Checkpoint, limiter: RampingLimiter, page: int
) -> None:
    failed: dict[str, dict[str, str]] = {}
    try:
        # a view reading another view's documents is built after it (else from nothing)
        for name in build_order(engine.manifest, list(checkpoint.fingerprints)):
            progress = checkpoint.view(name)
            if progress.phase == "done":
                click.echo(f"{name}: already done in the checkpointed run")
                continue
            total = target.store.count(engine.manifest.views[name].root)
            with click.progressbar(
                length=max(total, 1), label=f"{name} roots", file=sys.stderr, show_pos=True
            ) as bar:
                bar.update(progress.roots)
                job = Backfill(
                    engine,
                    target.store,
                    checkpoint,
                    limiter=limiter,
                    page_size=page,
                    on_roots=bar.update,
                )
                done = job.run_view(name)
            click.echo(
                f"{name}: {_plural(done.roots, 'root')}, {done.writes} written, "
                f"{done.deletes} deleted, {done.reads} reads; {_recorded(name, done.failed)}"
            )
            _print_failed(done.failed)
            if done.failed:
                failed[name] = done.failed
    except KeyboardInterrupt:
        click.echo(f"\ninterrupted; `boiler backfill --resume` continues from {checkpoint.path}")
        raise SystemExit(EXIT_INTERRUPTED) from None
    except BoilerError as exc:
        click.echo(f"boiler backfill: {type(exc).__name__}: {exc}", err=True)
        click.echo(f"`boiler backfill --resume` continues from {checkpoint.path}", err=True)
        raise SystemExit(1) from None
    checkpoint.remove()
    if limiter.slept:
        click.echo(f"rate limit: waited {limiter.slept:.1f} s in total")
    _exit_if_failed(failed)


def _recorded(name: str, failed: Mapping[str, str]) -> str:
    if not failed:
        return f"recorded in {META_COLLECTION}/{name}"
    return f"{_plural(len(failed), 'root')} failed, not recorded in {META_COLLECTION}/{name}"


def _print_failed(failed: Mapping[str, str]) -> None:
    """One line per root that could not be computed: the message names where, what and the
    document."""
    for reason in failed.values():
        click.echo(f"  failed     {reason}")


def _exit_if_failed(failed: Mapping[str, Mapping[str, str]], *, dry_run: bool = False) -> None:
    """Exit 1 when a root of any view could not be computed, saying how to go on."""
    if not failed:
        return
    count = sum(len(roots) for roots in failed.values())
    roots = _plural(count, "root")
    if dry_run:
        click.echo(
            f"{roots} of the sample cannot be computed (each failed line says where and why): "
            "a backfill would leave them as they are. Fix the hook or the documents first"
        )
    else:
        click.echo(
            f"{roots} could not be computed and {'is' if count == 1 else 'are'} left as "
            f"{'it was' if count == 1 else 'they were'} (each failed line says where and why); "
            "the other roots are built. Fix the hook or the documents, then run "
            f"`boiler backfill {' '.join(failed)}` again"
        )
    raise SystemExit(1)


def _dry_run(engine: Engine, target: Target, names: list[str], rate: float, prices: str) -> None:
    price = PRICES[prices]
    totals = [0, 0, 0, 0]
    failed: dict[str, dict[str, str]] = {}
    for name in names:
        guess = estimate(engine, target.store, name)
        cost = guess.cost(price)
        click.echo(
            f"{name}: {_plural(guess.roots, 'root')}, {guess.stored} view documents stored; "
            f"estimated {guess.reads} reads, {guess.writes} writes, {guess.deletes} deletes, "
            f"${cost:.4f} (sampled {_plural(guess.sampled, 'root')})"
        )
        _note_failed(guess.failed, failed, name)
        for index, value in enumerate((guess.reads, guess.writes, guess.deletes)):
            totals[index] += value
        totals[3] += guess.spent_reads
    reads, writes, deletes, spent = totals
    total_cost = (reads * price.read + writes * price.write + deletes * price.delete) / 100_000
    seconds = ramp_seconds(writes + deletes, rate)
    click.echo(
        f"total: {reads} reads, {writes} writes, {deletes} deletes, about ${total_cost:.4f}; "
        f"at least {seconds:.0f} s at the write ramp; nothing written"
    )
    click.echo(f"prices assumed: {price} (USD list prices, free quota not deducted)")
    click.echo(f"this estimate read {spent} documents")
    _exit_if_failed(failed, dry_run=True)


def _note_failed(found: Iterable[Failure], failed: dict[str, dict[str, str]], name: str) -> None:
    """Print the sampled roots that fail, and keep them for the exit code."""
    roots = {failure.document: failure.reason for failure in found}
    _print_failed(roots)
    if roots:
        failed[name] = roots


def _memory(documents: int) -> str:
    return f"about {max(1, round(documents * BYTES_PER_DOCUMENT / 1e6))} MB"


def _check_memory(job: BulkBackfill, counts: dict[str, int], max_docs: int) -> int:
    total = sum(counts.values())
    each = ", ".join(f"{name} {count}" for name, count in counts.items())
    click.echo(
        f"bulk: {_plural(len(counts), 'source collection')} to read once, "
        f"{_plural(total, 'document')} ({each}); held in memory: {_memory(total)}"
    )
    if total > max_docs:
        raise click.ClickException(
            f"--bulk would hold {total} source documents in memory ({_memory(total)}), more than "
            f"--bulk-max-docs {max_docs}: raise --bulk-max-docs if this machine has the memory, "
            "or run without --bulk (transactional, page by page, constant memory)"
        )
    return total


def _run_bulk(job: BulkBackfill, current: dict[str, str], max_docs: int) -> None:
    total = _check_memory(job, job.count_sources(), max_docs)
    manifest = job.engine.manifest
    failed: dict[str, dict[str, str]] = {}
    try:
        with click.progressbar(
            length=max(total, 1), label="streaming sources", file=sys.stderr, show_pos=True
        ) as bar:
            job.on_streamed = lambda _collection, n: bar.update(n)
            job.load()
        for name in job.order:
            roots = len(job.snapshot.paths(manifest.views[name].root))
            with click.progressbar(
                length=max(roots, 1), label=f"{name} roots", file=sys.stderr, show_pos=True
            ) as bar:
                job.on_roots = bar.update
                done = job.run_view(name, current[name])
            click.echo(
                f"{name}: {_plural(done.roots, 'root')}, {done.writes} written, "
                f"{done.deletes} deleted, {done.reads} reads; {_recorded(name, done.failed)}"
            )
            click.echo(f"  {_bulk_detail(done)}")
            _print_failed(done.failed)
            if done.failed:
                failed[name] = done.failed
    except KeyboardInterrupt:
        click.echo(
            "\ninterrupted; a bulk build is not resumable: run the same command again (documents "
            "already created are kept, their roots recomputed in transactions)"
        )
        raise SystemExit(EXIT_INTERRUPTED) from None
    except BoilerError as exc:
        click.echo(f"boiler backfill: {type(exc).__name__}: {exc}", err=True)
        click.echo("rerun the same command: it is safe (create-only, then transactions)", err=True)
        raise SystemExit(1) from None
    if job.limiter.slept:
        click.echo(f"rate limit: waited {job.limiter.slept:.1f} s in total")
    click.echo(
        "note: --bulk built from one scan of the domain, outside transactions: a root changed or "
        "deleted while it ran can be left stale when its trigger ran before the document was "
        "created. Unless no trigger of these views was deployed and nothing wrote to the domain "
        f"meanwhile, run `boiler verify --repair {' '.join(job.order)}`"
    )
    _exit_if_failed(failed)


def _bulk_detail(done: BulkView) -> str:
    text = f"bulk: {done.created} created, {done.existed} already existed"
    if done.existed:
        text += (
            f" (not overwritten; their {_plural(done.recomputed, 'root')} recomputed in "
            "transactions)"
        )
    if done.swept:
        return text + f"; stray sweep run ({done.stored_before} documents were stored before)"
    return text + "; stray sweep skipped (the view held no document before, nothing conflicted)"


def _bulk_dry_run(
    engine: Engine, target: Target, names: list[str], rate: float, prices: str, max_docs: int
) -> None:
    price = PRICES[prices]
    job = BulkBackfill(engine, target.store, names)
    counts = job.count_sources()
    firsts = job.collections()
    totals = [0, 0, 0, sum(aggregation_reads(n) for n in counts.values())]
    failed: dict[str, dict[str, str]] = {}
    for name in job.order:
        guess = estimate(engine, target.store, name)
        streamed = sum(
            counts[c] + aggregation_reads(counts[c]) for c, v in firsts.items() if v == name
        )
        reads = streamed + len(output_sources(engine.manifest.views[name]))
        deletes = guess.deletes if guess.stored else 0
        if guess.stored:  # every stored document conflicts: its root is recomputed in transactions
            reads += guess.reads
        cost = (reads * price.read + guess.writes * price.write + deletes * price.delete) / 100_000
        click.echo(
            f"{name}: {_plural(guess.roots, 'root')}, {guess.stored} view documents stored; "
            f"bulk: estimated {reads} reads, {guess.writes} writes, {deletes} deletes, "
            f"${cost:.4f} (sampled {_plural(guess.sampled, 'root')})"
        )
        if guess.stored:
            click.echo(
                f"  {guess.stored} stored documents are not overwritten: their roots are "
                "recomputed in transactions (reads estimated as a transactional backfill) and "
                "the stray sweep runs"
            )
        _note_failed(guess.failed, failed, name)
        for index, value in enumerate((reads, guess.writes, deletes)):
            totals[index] += value
        totals[3] += guess.spent_reads
    reads, writes, deletes, spent = totals
    total_cost = (reads * price.read + writes * price.write + deletes * price.delete) / 100_000
    source = sum(counts.values())
    click.echo(
        f"total: {reads} reads, {writes} writes, {deletes} deletes, about ${total_cost:.4f}; "
        f"at least {ramp_seconds(writes + deletes, rate):.0f} s at the write ramp; nothing written"
    )
    fits = "within" if source <= max_docs else "MORE than"
    click.echo(
        f"bulk holds {_plural(source, 'source document')} in memory ({_memory(source)}), "
        f"{fits} --bulk-max-docs {max_docs}"
    )
    click.echo(f"prices assumed: {price} (USD list prices, free quota not deducted)")
    click.echo(f"this estimate read {spent} documents")
    _exit_if_failed(failed, dry_run=True)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
