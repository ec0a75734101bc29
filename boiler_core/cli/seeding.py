"""Seed files for the local runtime: read and checked before anything starts, written once it runs.

``boiler dev --seed FILE`` (and any command that wants documents in its emulator) calls
:func:`read_seed_or_exit` first, so a bad file prints every problem as ``file:line:col`` and
exits 1 before a process is started, then :func:`write_documents` once the runtime is up. The
file format is :mod:`boiler_core.seed`'s (docs/runtime.md, "Seed files").
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from boiler_core.cli.local import set_client_environment
from boiler_core.demo.story import Write
from boiler_core.demo.writes import apply
from boiler_core.dispatch import LocalRuntime
from boiler_core.errors import SeedError
from boiler_core.manifest import Manifest
from boiler_core.seed import read_seed
from boiler_core.store.firestore import firestore_client


def read_seed_or_exit(path: Path, manifest: Manifest, functions_dir: Path) -> dict[str, Any]:
    """The documents of the seed file at ``path``, ``{path: fields}`` in file order; on problems
    print each as ``file:line:col: error: ...`` and exit 1."""
    try:
        return read_seed(path, manifest, functions_dir)
    except SeedError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        count = len(exc.problems)
        click.echo(f"{path}: {count} problem{'s' if count != 1 else ''} found", err=True)
        raise SystemExit(1) from None


def write_documents(
    runtime: LocalRuntime, documents: Mapping[str, Mapping[str, Any]], *, timeout: float = 60.0
) -> int:
    """Write ``documents`` to the runtime's emulator in their order, in batches of
    :data:`~boiler_core.demo.writes.BATCH_SIZE`, then wait until the triggers have handled every
    write (:meth:`LocalRuntime.settle`); returns how many documents were written.

    Each document is set whole (replacing one that exists), with references written as Firestore
    references. Sets ``FIRESTORE_EMULATOR_HOST`` in this process (entry points only).
    """
    set_client_environment(runtime)
    writes = [Write("set", path, dict(fields)) for path, fields in documents.items()]
    client = firestore_client(runtime.project)
    try:
        apply(client, writes)
    finally:
        client.close()  # type: ignore[no-untyped-call]
    runtime.settle(timeout)
    return len(writes)
