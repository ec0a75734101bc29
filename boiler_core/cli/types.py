"""``boiler types``: write the TypeScript types of the view documents, or check they are current."""

from __future__ import annotations

from pathlib import Path

import click

from boiler_core.cli.options import load_or_exit, manifest_option
from boiler_core.errors import GenerateError
from boiler_core.manifest.imports import ImportProblem, importable_from


@click.command()
@manifest_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write, e.g. web/src/views.ts (default: standard output).",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 when the --output file differs from what views.yaml gives.",
)
def types(manifest_path: Path, output: Path | None, check_only: bool) -> None:
    """Print or write TypeScript declarations for every view document and mutation body.

    One interface per view (MeetingSessionsView), typed from the source schemas and the hooks'
    return annotations (a TypedDict becomes a named interface), one per mutation body, and the
    maps ViewPaths and Mutations. Run with --check in CI to catch drift from views.yaml.
    """
    from boiler_core.codegen.types_file import render_types  # apispec: only this command needs it

    manifest = load_or_exit(manifest_path)
    functions_dir = manifest_path.resolve().parent / manifest.project.functions_dir
    try:
        with importable_from(functions_dir):
            text = render_types(manifest)
    except (GenerateError, ImportProblem) as exc:
        raise click.ClickException(str(exc)) from None
    if check_only:
        if output is None:
            raise click.UsageError("--check needs --output FILE to compare with")
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if current != text:
            click.echo(f"stale: {output}; run `boiler types -o {output}`", err=True)
            raise SystemExit(1)
        click.echo(f"{output} is up to date")
        return
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}")
