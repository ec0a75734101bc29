"""``boiler types``: write the TypeScript types of the view documents, or check they are current."""

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
from boiler_core.manifest.imports import ImportProblem, importable_from


@click.command()
@manifest_option
@output_option
@check_output_option
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
    emit_rendered(text, output, check_only=check_only, command="boiler types")
