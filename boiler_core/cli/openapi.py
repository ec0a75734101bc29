"""``boiler openapi``: write the API's OpenAPI 3.1 document, or check a written one is current."""

from __future__ import annotations

from pathlib import Path

import click

from boiler_core.cli.options import (
    check_output_option,
    emit_rendered,
    load_or_exit,
    manifest_option,
    output_option,
)
from boiler_core.errors import GenerateError


@click.command()
@manifest_option
@output_option
@check_output_option
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
    emit_rendered(text, output, check_only=check_only, command="boiler openapi")
