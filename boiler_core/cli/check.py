"""``boiler check``: validate views.yaml and report every problem at once."""

from __future__ import annotations

from pathlib import Path

import click

from boiler_core.cli.options import load_or_exit, manifest_option


@click.command()
@manifest_option
def check(manifest_path: Path) -> None:
    """Check views.yaml; print every problem as FILE:LINE:COL: error: WHAT (HINT)."""
    manifest = load_or_exit(manifest_path)
    views = len(manifest.views)
    copies = sum(len(v.copies) for v in manifest.views.values())
    click.echo(
        f"{manifest_path}: ok: {len(manifest.collections)} collections, {views} views "
        f"({copies} per-member cop{'ies' if copies != 1 else 'y'}), "
        f"{len(manifest.mutations)} mutations"
    )
