"""Options and helpers shared by several ``boiler`` commands."""

from __future__ import annotations

from pathlib import Path

import click

from boiler_core.errors import ManifestError
from boiler_core.manifest import Manifest, load_manifest

manifest_option = click.option(
    "-f",
    "--file",
    "manifest_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("views.yaml"),
    show_default=True,
    help="The views.yaml to read.",
)


def load_or_exit(path: Path) -> Manifest:
    """Load views.yaml; on problems print each as file:line:col and exit 1."""
    try:
        return load_manifest(path)
    except ManifestError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        count = len(exc.problems)
        click.echo(f"{path}: {count} problem{'s' if count != 1 else ''} found", err=True)
        raise SystemExit(1) from None
