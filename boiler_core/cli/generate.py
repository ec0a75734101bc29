"""``boiler generate``: write the files derived from views.yaml, or check they are current."""

from __future__ import annotations

from pathlib import Path

import click

from boiler_core.cli.options import load_or_exit, manifest_option
from boiler_core.codegen import render_all
from boiler_core.errors import GenerateError


@click.command()
@manifest_option
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 and name the files that differ from what views.yaml gives.",
)
def generate(manifest_path: Path, check_only: bool) -> None:
    """Generate functions/main.py, functions/requirements.txt, firestore.indexes.json and
    firestore.rules."""
    manifest = load_or_exit(manifest_path)
    root = manifest_path.parent
    try:
        files = render_all(manifest)
    except GenerateError as exc:
        raise click.ClickException(str(exc)) from None
    stale = []
    for relative, content in sorted(files.items()):
        target = root / relative
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == content:
            continue
        stale.append(relative)
        if not check_only:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
            click.echo(f"wrote {relative}")
    if check_only and stale:
        for relative in stale:
            click.echo(f"stale: {relative}", err=True)
        click.echo("generated files are out of date: run `boiler generate`", err=True)
        raise SystemExit(1)
    if not stale:
        click.echo(f"{len(files)} generated files are up to date")
