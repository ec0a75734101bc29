"""``boiler generate``: write the files derived from views.yaml, or check they are current.

What goes where, and what is refused, is :func:`boiler_core.codegen.files.plan`'s decision; this
command prints it and writes the files (nothing at all when one is refused).
"""

from __future__ import annotations

from pathlib import Path

import click

from boiler_core.cli.options import load_or_exit, manifest_option
from boiler_core.codegen.files import plan
from boiler_core.errors import GenerateError


@click.command()
@manifest_option
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 and name the files that differ from what views.yaml gives.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace files boiler did not generate instead of refusing to touch them.",
)
def generate(manifest_path: Path, check_only: bool, force: bool) -> None:
    """Generate boiler's functions (main.py, requirements.txt, openapi.json), the Firestore
    rules and the indexes.

    A project's own rules file keeps its rules: boiler writes only its block (added by
    `boiler init`); indexes are merged. Exit 1 without writing anything when a file exists that
    boiler did not generate (use --force to replace it).
    """
    manifest = load_or_exit(manifest_path)
    try:
        planned, refused = plan(manifest, manifest_path.parent, force=force)
    except GenerateError as exc:
        raise click.ClickException(str(exc)) from None
    if refused:
        for refusal in refused:
            click.echo(f"boiler generate: refused: {refusal}", err=True)
        click.echo("nothing was written", err=True)
        raise SystemExit(1)
    stale = [item for item in planned if item.placement.action != "unchanged"]
    if check_only:
        for item in stale:
            click.echo(f"stale: {item.shown}", err=True)
        if stale:
            click.echo("generated files are out of date: run `boiler generate`", err=True)
            raise SystemExit(1)
    else:
        for item in stale:
            item.path.parent.mkdir(parents=True, exist_ok=True)
            item.path.write_text(item.placement.text, encoding="utf-8")
            click.echo(f"{item.verb} {item.shown}")
    if not stale:
        click.echo(f"{len(planned)} generated files are up to date")
