"""``python -m boiler_core.deploy``: the bundle steps of deploy.sh.

* ``bundle``: vendor boiler_core into the functions folder, read the functions manifest the way
  ``firebase deploy`` does with the venv's Python, check it and the upload against views.yaml,
  print the plan (exit 1 listing every problem);
* ``unbundle``: remove the vendored copy again.

This is an entry-point module: it reads ``os.environ`` and passes it on explicitly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

import boiler_core
from boiler_core.cli.options import load_or_exit
from boiler_core.deploy.bundle import (
    VENDORED_PACKAGE,
    remove_vendored,
    secret_files,
    upload_files,
    vendor_package,
)
from boiler_core.deploy.config import FIREBASE_JSON, load_firebase_config
from boiler_core.deploy.discovery import discover_functions
from boiler_core.deploy.errors import DeployError
from boiler_core.deploy.plan import Plan, check_bundle, endpoints, render_plan

_HIDDEN_FROM_DISCOVERY = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "VIRTUAL_ENV",
    "FIRESTORE_EMULATOR_HOST",
    "FIREBASE_AUTH_EMULATOR_HOST",
)
"""Variables that would let the venv import more than the bundle or reach an emulator."""

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Project root: the folder of firebase.json and views.yaml.",
)


@click.group()
def main() -> None:
    """Bundle steps of deploy.sh."""


@main.command()
@root_option
@click.option(
    "--python",
    "python",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Python of the functions venv [default: FUNCTIONS/venv/bin/python].",
)
@click.option("--project", default="", help="The project deployed to (for the plan's text).")
def bundle(root: Path, python: Path | None, project: str) -> None:
    """Vendor boiler_core, discover the functions as firebase deploy does, print the plan."""
    root = root.resolve()
    manifest = load_or_exit(root / "views.yaml")
    try:
        config = load_firebase_config(root / FIREBASE_JSON)
        functions_dir = config.functions_dir
        python = python or functions_dir / "venv" / "bin" / "python"
        vendored = vendor_package(Path(boiler_core.__file__).resolve().parent, functions_dir)
        env = {k: v for k, v in os.environ.items() if k not in _HIDDEN_FROM_DISCOVERY}
        target = project or manifest.project.emulator_project_id
        env["GCLOUD_PROJECT"] = target
        env["FIREBASE_CONFIG"] = json.dumps({"projectId": target})
        found = endpoints(discover_functions(functions_dir, python.absolute(), env=env))
    except DeployError as exc:
        _fail(exc.problems)
    upload = upload_files(functions_dir, config.functions.ignore)
    problems = check_bundle(config, manifest, found)
    problems += [
        f"{config.functions.source}/{path} would be uploaded: it looks like a key or credential "
        "file; move it out of the functions folder (or add it to firebase.json's ignore)"
        for path in secret_files(upload.files)
    ]
    if any(f.path.startswith("venv/") for f in upload.files):
        problems.append('functions/venv would be uploaded: add "venv" to firebase.json\'s ignore')
    texts = {}
    for name in (config.rules, config.indexes):
        if name is not None:
            try:
                texts[name] = (root / name).read_text(encoding="utf-8")
            except OSError as exc:
                problems.append(f"{name}: cannot be read ({exc}); run `boiler generate`")
    if problems:
        _fail(problems)
    plan = Plan(
        config=config,
        manifest=manifest,
        endpoints=found,
        upload=upload,
        rules_text=texts.get(config.rules or ""),
        indexes_text=texts.get(config.indexes or ""),
        project=project or None,
    )
    click.echo(render_plan(plan), nl=False)
    click.echo(f"vendored {vendored.relative_to(root)}; functions read with {python}", err=True)


@main.command()
@root_option
def unbundle(root: Path) -> None:
    """Remove the vendored boiler_core from the functions folder."""
    try:
        config = load_firebase_config(root.resolve() / FIREBASE_JSON)
    except DeployError as exc:
        _fail(exc.problems)
    if remove_vendored(config.functions_dir):
        click.echo(f"removed {config.functions.source}/{VENDORED_PACKAGE}", err=True)


def _fail(problems: list[str]) -> None:
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    raise SystemExit(1)


if __name__ == "__main__":
    main()
