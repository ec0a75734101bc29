"""``boiler verify``: compare every view document with a recompute from domain state; repair."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from boiler_core.cli.options import load_or_exit, manifest_option
from boiler_core.cli.target import (
    choose_views,
    engine_for,
    open_target,
    page_size_option,
    project_option,
)
from boiler_core.rebuild import Verifier, ViewCheck, fingerprints, read_records, stale_views
from boiler_core.rebuild.order import build_order
from boiler_core.rebuild.verify import KINDS, Kind

SHOWN = 50
"""Divergences listed per view unless ``--show`` says otherwise."""


@click.command()
@manifest_option
@project_option
@click.argument("views", nargs=-1, metavar="[VIEW]...")
@click.option("--repair", is_flag=True, help="Recompute and fix every divergent document.")
@click.option(
    "--show",
    type=click.IntRange(min=0),
    default=SHOWN,
    show_default=True,
    help="Divergences listed per view (the counts always cover all).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report instead of text.")
@page_size_option
@click.pass_context
def verify(
    ctx: click.Context,
    manifest_path: Path,
    project: str | None,
    views: tuple[str, ...],
    repair: bool,
    show: int,
    as_json: bool,
    page_size: int,
) -> None:
    """Check that every view document equals a recompute of the domain state.

    For each VIEW (default: all), recomputes every root without writing and reports view
    documents that are missing, different (naming the fields) or extra (a master whose root is
    gone, a copy whose member left; found by listing the master collection and the copy
    collection groups), and, as failed, each root whose documents cannot be computed (a hook
    raised, or data it cannot take), with where and why on one line. Exit 1 when anything
    diverges, unless --repair fixed it, and whenever a root failed; --repair recomputes the
    divergent roots in transactions (safe while triggers run) and says what it wrote; exit 2
    when no database is reachable. Against the emulator: run `boiler dev`, then in
    another terminal `FIRESTORE_EMULATOR_HOST=127.0.0.1:PORT boiler verify`.
    """
    manifest = load_or_exit(manifest_path)
    names = build_order(manifest, choose_views(manifest, views))  # repair what a view reads first
    target = open_target(ctx, manifest, project)
    with engine_for(manifest, manifest_path, target) as engine:
        verifier = Verifier(engine, target.store, page_size=page_size)
        checks = [verifier.check(name, repair=repair) for name in names]
    stale = stale_views(fingerprints(manifest), read_records(target.store, names))
    divergent = sum(len(check.divergences) for check in checks)
    failed = sum(len(check.failed) for check in checks)
    if as_json:
        click.echo(json.dumps(_report(checks, stale), indent=2))
    else:
        for check in checks:
            _print_check(check, show, stale.get(check.view))
        click.echo(_summary(checks, repair))
    if failed or (divergent and not repair):
        raise SystemExit(1)


def _print_check(check: ViewCheck, show: int, stale: str | None) -> None:
    counts = _counts(check.counts())
    listed = ", ".join(str(source) for source in check.sources)
    click.echo(
        f"{check.view}: {_plural(check.roots, 'root')}, {check.expected} documents expected, "
        f"{check.listed} stored (listed {listed}); {counts}; {check.reads} reads"
    )
    for divergence in check.divergences[:show]:
        if divergence.kind == "failed":  # the message names the document and where it failed
            click.echo(f"  {divergence.kind:<10} {divergence.detail}")
            continue
        detail = f" ({divergence.detail})" if divergence.detail else ""
        click.echo(f"  {divergence.kind:<10} {divergence.path}{detail}")
    if len(check.divergences) > show:
        click.echo(f"  ... and {len(check.divergences) - show} more (--show N lists more)")
    if check.repaired is not None and len(check.divergences) > len(check.failed):
        cost = check.repaired
        click.echo(
            f"  repaired: {cost.writes} written, {cost.deletes} deleted "
            f"({_plural(cost.roots, 'root')} recomputed, {cost.reads} reads)"
        )
    if stale is not None:
        click.echo(f"  note: {stale}; `boiler backfill --changed` rebuilds and records it")


def _summary(checks: list[ViewCheck], repair: bool) -> str:
    divergent = sum(len(check.divergences) for check in checks)
    failed = sum(len(check.failed) for check in checks)
    views = _plural(len(checks), "view")
    if not divergent:
        return f"0 divergences in {views}"
    by_kind = {kind: sum(c.counts()[kind] for c in checks) for kind in KINDS}
    counts = _counts(by_kind)
    fix = (
        f"; {_plural(failed, 'root')} could not be computed: fix the hook or the document "
        "each failed line names, then run `boiler verify` again"
        if failed
        else ""
    )
    if divergent == failed:
        return f"{_plural(divergent, 'divergence')} in {views} ({counts}){fix}"
    if repair:
        done = "repaired" if not failed else f"the other {divergent - failed} repaired"
        return f"{_plural(divergent, 'divergence')} in {views} ({counts}), {done}{fix}"
    return (
        f"{_plural(divergent, 'divergence')} in {views} ({counts}): "
        f"`boiler verify --repair` fixes {'them' if not failed else 'the others'}{fix}"
    )


def _counts(by_kind: Mapping[Kind, int]) -> str:
    """``1 missing, 0 extra, 0 different``, and the failed roots when there are any."""
    return ", ".join(f"{n} {kind}" for kind, n in by_kind.items() if kind != "failed" or n)


def _report(checks: list[ViewCheck], stale: dict[str, str]) -> dict[str, Any]:
    return {
        "divergences": sum(len(check.divergences) for check in checks),
        "views": [
            {
                "view": check.view,
                "roots": check.roots,
                "expected": check.expected,
                "listed": check.listed,
                "sources": [str(source) for source in check.sources],
                "reads": check.reads,
                "counts": check.counts(),
                "divergences": [
                    {"kind": d.kind, "path": d.path, "root": d.root, "detail": d.detail}
                    for d in check.divergences
                ],
                "repaired": None
                if check.repaired is None
                else {"writes": check.repaired.writes, "deletes": check.repaired.deletes},
                "definition": stale.get(check.view, "current"),
            }
            for check in checks
        ],
    }


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
