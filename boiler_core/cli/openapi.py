"""``boiler openapi``: write the API's OpenAPI 3.1 document, or check a written one is current."""

from __future__ import annotations

from pathlib import Path

import click

from boiler_core.cli.options import load_or_exit, manifest_option
from boiler_core.errors import GenerateError


@click.command()
@manifest_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Write nothing; exit 1 when the --output file differs from what views.yaml gives.",
)
def openapi(manifest_path: Path, output: Path | None, check_only: bool) -> None:
    """Print or write the OpenAPI 3.1 document of the HTTP API declared in views.yaml.

    `boiler generate` also writes it to functions/openapi.json, which the deployed function
    serves at /openapi.json.
    """
    from boiler_core.http.openapi import render_openapi

    manifest = load_or_exit(manifest_path)
    try:
        text = render_openapi(manifest)
    except GenerateError as exc:
        raise click.ClickException(str(exc)) from None
    if check_only:
        if output is None:
            raise click.UsageError("--check needs --output FILE to compare with")
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if current != text:
            click.echo(f"stale: {output}; run `boiler openapi -o {output}`", err=True)
            raise SystemExit(1)
        click.echo(f"{output} is up to date")
        return
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}")
