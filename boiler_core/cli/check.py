"""``boiler check``: validate views.yaml and report every problem at once."""

from __future__ import annotations

from pathlib import Path

import click

from boiler_core.cli.options import load_or_exit, manifest_option
from boiler_core.deploy.agreement import data_files_problems, firebase_json_problems


@click.command()
@manifest_option
def check(manifest_path: Path) -> None:
    """Check views.yaml, firebase.json beside it and the data files views.yaml lists; print
    every problem as FILE:LINE:COL: error: WHAT (HINT)."""
    manifest = load_or_exit(manifest_path)
    problems = firebase_json_problems(manifest_path, manifest)
    problems += data_files_problems(manifest_path, manifest)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        count = len(problems)
        click.echo(f"{manifest_path}: {count} problem{'s' if count != 1 else ''} found", err=True)
        raise SystemExit(1)
    views = len(manifest.views)
    copies = sum(len(v.copies) for v in manifest.views.values())
    click.echo(
        f"{manifest_path}: ok: {len(manifest.collections)} collections, {views} views "
        f"({copies} per-member cop{'ies' if copies != 1 else 'y'}), "
        f"{len(manifest.mutations)} mutations"
    )
