"""``boiler schema``: the JSON Schema of views.yaml, for editors."""

from __future__ import annotations

from pathlib import Path

import click

from boiler_core.cli.options import check_output_option, emit_rendered, output_option
from boiler_core.manifest.json_schema import schema_text


@click.command()
@output_option
@check_output_option
def schema(output: Path | None, check_only: bool) -> None:
    """Print or write the JSON Schema of views.yaml.

    Write it beside views.yaml (`boiler schema -o views.schema.json`) and start views.yaml with
    the line below; editors with the YAML language server then validate as you type. `boiler
    generate` keeps that copy current.

    \b
        # yaml-language-server: $schema=views.schema.json
    """
    emit_rendered(schema_text(), output, check_only=check_only, command="boiler schema")
