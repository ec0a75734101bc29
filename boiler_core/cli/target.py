"""Which Firestore ``boiler backfill`` and ``boiler verify`` work on, and the engine they use.

Under ``FIRESTORE_EMULATOR_HOST`` the target is that emulator, with views.yaml's
``emulator_project_id`` unless ``--project`` says otherwise; without it, the production project of
``--project`` (or of the application default credentials), with those credentials. The target is
printed to stderr before anything is read, so nobody writes to the wrong database unknowingly.

Tests pass another opener through the click context (``obj={"open_target": ...}``) to run the
commands on an in-memory store.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from google.auth.exceptions import DefaultCredentialsError

from boiler_core.engine.engine import Engine
from boiler_core.errors import StoreError
from boiler_core.manifest import Manifest
from boiler_core.manifest.imports import importable_from
from boiler_core.manifest.reader import did_you_mean
from boiler_core.store.firestore import EMULATOR_HOST_ENV, FirestoreStore, firestore_client
from boiler_core.store.port import ListingStore

EXIT_NO_TARGET = 2
"""Exit code when no database can be reached (no credentials, no project)."""

project_option = click.option(
    "--project",
    metavar="ID",
    help="Firestore project. Default: views.yaml's emulator_project_id under "
    "FIRESTORE_EMULATOR_HOST, else the project of the application default credentials.",
)

page_size_option = click.option(
    "--page-size",
    type=click.IntRange(min=1, max=1000),
    default=300,
    show_default=True,
    help="Documents per listing request (paged by cursor).",
)


@dataclass(frozen=True)
class Target:
    """A database to work on."""

    store: ListingStore
    project: str
    description: str
    """Human-readable: emulator address or production project."""


TargetOpener = Callable[[Manifest, str | None], Target]


def open_firestore(manifest: Manifest, project: str | None) -> Target:
    """The Firestore target described in the module docstring."""
    host = os.environ.get(EMULATOR_HOST_ENV)
    if host:
        project = project or manifest.project.emulator_project_id
    try:
        client = firestore_client(project)
    except DefaultCredentialsError as exc:
        raise StoreError(
            f"cannot reach Firestore: {type(exc).__name__}: {exc}. For the emulator set "
            f"{EMULATOR_HOST_ENV} (boiler dev prints it); for production set "
            "GOOGLE_APPLICATION_CREDENTIALS and pass --project"
        ) from exc
    name = str(client.project)
    where = f"Firestore emulator {host}" if host else "Firestore (production credentials)"
    return Target(FirestoreStore(client), name, f"{where}, project {name}")


def open_target(ctx: click.Context, manifest: Manifest, project: str | None) -> Target:
    """The command's target (announced on stderr); exit 2 when it cannot be opened."""
    obj: dict[str, Any] = ctx.obj if isinstance(ctx.obj, dict) else {}
    opener: TargetOpener = obj.get("open_target", open_firestore)
    try:
        target = opener(manifest, project)
    except StoreError as exc:
        click.echo(f"boiler {ctx.info_name}: {exc}", err=True)
        raise SystemExit(EXIT_NO_TARGET) from None
    click.echo(f"boiler {ctx.info_name}: {target.description}", err=True)
    return target


@contextmanager
def engine_for(
    manifest: Manifest, manifest_path: Path, target: Target, **options: Any
) -> Iterator[Engine]:
    """An engine on the target, with the app's hooks importable as in the deployed functions."""
    functions = manifest_path.resolve().parent / manifest.project.functions_dir
    with importable_from(functions):
        yield Engine(manifest, target.store, log=lambda entry: None, **options)


def choose_views(manifest: Manifest, names: tuple[str, ...]) -> list[str]:
    """``names`` checked against the manifest (all views when empty); exit 1 naming an unknown
    view, with the closest known name."""
    unknown = [name for name in names if name not in manifest.views]
    for name in unknown:
        hint = did_you_mean(name, list(manifest.views)) or f"views: {', '.join(manifest.views)}"
        click.echo(f"boiler: no view '{name}' in views.yaml ({hint})", err=True)
    if unknown:
        raise SystemExit(1)
    return list(names) if names else list(manifest.views)
