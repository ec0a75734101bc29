"""What ``boiler dev`` and ``boiler demo`` add for the live page: serving its build next to the
runtime (seed files give it something to show: :mod:`boiler_core.cli.seeding`).

The page is the project's own front end (``web/``, built into ``web/dist`` by ``make web``);
boiler serves whatever folder it is given, with ``/config.json`` and the HTTP functions on the
same origin (:class:`~boiler_core.frontend.PageServer`, docs/frontend.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from boiler_core.dispatch import LocalRuntime
from boiler_core.frontend import PageServer
from boiler_core.frontend.files import INDEX

DEFAULT_PAGE_DIR = Path("web/dist")
"""The page's build folder, relative to the folder of views.yaml."""

F = TypeVar("F", bound=Callable[..., Any])


def page_options(command: F) -> F:
    """``--page-dir`` and ``--page-port``."""
    command = click.option(
        "--page-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=f"Folder of the built page to serve [default: {DEFAULT_PAGE_DIR} beside views.yaml].",
    )(command)
    return click.option(
        "--page-port",
        type=click.IntRange(0, 65535),
        default=None,
        help="Port of the live page on 127.0.0.1; 0 for any free port [default: boiler dev: "
        "firebase.json's emulators.hosting.port, else 5000; boiler demo: any free port].",
    )(command)


def page_folder(manifest_path: Path, page_dir: Path | None) -> Path:
    """The folder to serve: ``--page-dir``, else ``web/dist`` beside views.yaml."""
    return page_dir if page_dir is not None else manifest_path.resolve().parent / DEFAULT_PAGE_DIR


@contextmanager
def live_page(runtime: LocalRuntime, folder: Path, port: int | None = 0) -> Iterator[str | None]:
    """Serve ``folder`` for ``runtime`` on ``port`` (0 or None: any free port) until the block
    ends; yields the page's URL, or None when the folder holds no ``index.html`` (not built).
    The HTTP functions are reached at ``runtime.http_functions``, which do not change when a
    reloadable runtime reloads."""
    if not (folder / INDEX).is_file():
        yield None
        return
    server = PageServer.for_runtime(
        folder,
        project=runtime.project,
        emulator_host=runtime.emulator_host,
        functions=runtime.http_functions,
        port=port or 0,
    )
    with server:
        yield server.url


def describe_page(url: str | None, folder: Path) -> list[str]:
    """The console lines about the live page."""
    if url is None:
        return [
            f"  live page           not built ({folder / INDEX} is missing): run `make web` "
            "(needs Node.js 20 and npm)"
        ]
    return [f"  live page           {url}   (open it in a browser and pick a participant)"]
