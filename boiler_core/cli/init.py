"""``boiler init``: start an app, or add boiler to a Firebase project, from the package alone."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from boiler_core import __version__
from boiler_core.cli.options import load_or_exit
from boiler_core.codegen.files import plan as plan_generated
from boiler_core.manifest.syntax import RUNTIMES
from boiler_core.scaffold.plan import (
    InitPlan,
    Step,
    functions_dir_for,
    plan_init,
    project_id_for,
)
from boiler_core.scaffold.starter import Values

_SHOWN = {"create": "created", "replace": "replaced", "merge": "merged", "keep": "kept"}


def default_runtime() -> str:
    """The runtime of the Python running boiler, when Cloud Functions has it; else python311."""
    mine = f"python3{sys.version_info.minor}"
    return mine if mine in RUNTIMES else RUNTIMES[0]


@click.command()
@click.argument(
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    required=False,
)
@click.option(
    "--functions-dir",
    metavar="NAME",
    help="Folder of boiler's functions [default: functions, or boiler when functions/ holds "
    "the project's own].",
)
@click.option(
    "--project-id",
    metavar="ID",
    help="Emulator project id (must start with demo-) [default: demo-<folder name>].",
)
@click.option(
    "--runtime",
    type=click.Choice(RUNTIMES),
    default=default_runtime,
    show_default="the running Python's",
    help="Cloud Functions runtime of boiler's functions.",
)
@click.option("--force", is_flag=True, help="Replace files init would otherwise refuse to touch.")
@click.option("--dry-run", is_flag=True, help="Say what init would do; write nothing.")
def init(
    directory: Path,
    functions_dir: str | None,
    project_id: str | None,
    runtime: str,
    force: bool,
    dry_run: bool,
) -> None:
    """Create a boiler app in DIRECTORY (default: here), or add boiler to the Firebase project
    there.

    A new folder gets a small starter app (views.yaml with a join, a count, a hook and a copy per
    member; its schemas, hooks and mutation; a seed file; app tests; firebase.json, deploy.sh, a
    README, .gitignore and a CI workflow), then `boiler generate` runs. In a Firebase project
    (`firebase init` output), boiler's functions become a codebase of their own beside the
    project's, firebase.json and .gitignore get what boiler needs, the project's rules get
    boiler's block, and no file of the project is overwritten: init refuses, naming each file,
    unless --force. Works offline.
    """
    root = directory.resolve()
    if root.exists() and not root.is_dir():
        raise click.UsageError(f"{directory} is not a folder")
    name = root.name or "app"
    project = project_id or project_id_for(name)
    if not project.startswith("demo-"):
        raise click.BadParameter(
            f"'{project}' does not start with demo-; emulator project ids must, so nothing real "
            "is reached",
            param_hint="--project-id",
        )
    values = Values(
        app_name=name,
        project_id=project,
        runtime=runtime,
        functions_dir=(functions_dir or functions_dir_for(root)).strip("/"),
        boiler_version=__version__,
    )
    planned = plan_init(root, values, force=force) if root.exists() else _fresh(root, values)
    if planned.refusals:
        for refusal in planned.refusals:
            click.echo(f"boiler init: refused: {refusal}", err=True)
        click.echo("boiler init: nothing was written", err=True)
        raise SystemExit(1)
    where = click.format_filename(directory)
    what = "add boiler to the Firebase project in" if planned.merging else "create a boiler app in"
    click.echo(f"boiler init: {'would ' if dry_run else ''}{what} {where}")
    for step in sorted(planned.steps, key=lambda s: s.path):
        if step.action != "unchanged":
            click.echo(_line(step, dry_run))
    if dry_run:
        click.echo("then `boiler generate` (functions, rules, indexes); nothing was written")
        return
    for step in planned.steps:
        if step.text is not None and step.action in ("create", "replace", "merge"):
            path = root / step.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(step.text, encoding="utf-8")
    (root / "deploy.sh").chmod(0o755)
    _generate(root, force)
    _next_steps(directory, planned)


def _fresh(root: Path, values: Values) -> InitPlan:
    root.mkdir(parents=True)
    return plan_init(root, values)


def _line(step: Step, dry_run: bool) -> str:
    verb = _SHOWN.get(step.action, step.action)
    verb = f"would {step.action}" if dry_run else verb
    note = f": {step.note}" if step.note else ""
    return f"  {verb:<16} {step.path}{note}"


def _generate(root: Path, force: bool) -> None:
    manifest = load_or_exit(root / "views.yaml")
    planned, refused = plan_generated(manifest, root, force=force)
    for refusal in refused:  # init checked these; a refusal here means the folder changed
        click.echo(f"boiler generate: refused: {refusal}", err=True)
    if refused:
        raise SystemExit(1)
    for item in planned:
        if item.placement.action != "unchanged":
            item.path.parent.mkdir(parents=True, exist_ok=True)
            item.path.write_text(item.placement.text, encoding="utf-8")
            click.echo(f"  {item.verb:<16} {item.shown}   (boiler generate)")


def _next_steps(directory: Path, planned: InitPlan) -> None:
    cd = [] if directory.resolve() == Path.cwd() else [f"  cd {click.format_filename(directory)}"]
    lines = [
        "",
        "Next:",
        *cd,
        "  boiler dev --seed seed.yaml   # the emulator running your functions; reloads on save",
        "  pytest tests                  # the app tests (pip install 'boiler-core[testing]')",
        "  ./deploy.sh --dry-run         # what a deploy would upload",
    ]
    if planned.merging:
        lines.insert(
            1,
            f"boiler's functions live in {planned.values.functions_dir}/, a codebase of their "
            "own: your functions are untouched.",
        )
    click.echo("\n".join(lines))
