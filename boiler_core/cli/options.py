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


output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)

check_output_option = click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 when the --output file differs from what views.yaml gives.",
)


def emit_rendered(text: str, output: Path | None, *, check_only: bool, command: str) -> None:
    """Print ``text``, write it to ``output``, or (``check_only``) compare it with ``output``.

    With ``check_only`` a differing file is reported as stale with the ``command`` that
    refreshes it, and the process exits 1.
    """
    if check_only:
        if output is None:
            raise click.UsageError("--check needs --output FILE to compare with")
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if current != text:
            click.echo(f"stale: {output}; run `{command} -o {output}`", err=True)
            raise SystemExit(1)
        click.echo(f"{output} is up to date")
        return
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}")
