"""``functions/main.py``: one Firestore trigger per source collection, and the embedded manifest.

One HTTP function, :data:`HTTP_FUNCTION`, routes every request of the API (mutations, view
reads, the OpenAPI document and its page) to :class:`boiler_core.http.api.HttpApi`, which
:class:`boiler_core.functions_runtime.DeployedApi` builds on the first request; docs/http.md
says why one router rather than a function per route.

Unless views.yaml turns them off (``project.retry``, ``project.backstop``), two more functions
keep events from being lost: the task-queue function
:data:`~boiler_core.retry.names.RETRY_FUNCTION`, to which a trigger hands the views it left
unfinished (Cloud Tasks retries it with the ``RetryConfig`` of ``project.retry``), and the
scheduled :data:`~boiler_core.retry.names.BACKSTOP_FUNCTION`, which replays the events recorded as
unfinished and verifies a slice of every view (docs/operations.md).

The triggers are rendered from a table (:func:`triggers`), one named top-level function each,
because ``firebase deploy`` takes a function's Python name as its entry point. Each function body
is a single call into :class:`boiler_core.functions_runtime.Triggers`, which holds the manifest
embedded as ``MANIFEST`` (canonical views.yaml text, see :mod:`.embed`) with the folder of
``main.py`` as its functions folder, so hooks import from the deployed source as they do locally.

The output is already ``ruff format``-ed: keep the templates formatted when editing them.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import asdict, dataclass

from boiler_core.codegen.embed import manifest_text
from boiler_core.codegen.header import HEADER
from boiler_core.codegen.names import trigger_names
from boiler_core.manifest.model import BackstopSettings, Manifest
from boiler_core.retry.names import BACKSTOP_FUNCTION, RETRY_FUNCTION

LINE_LENGTH = 100

_MODULE = '''\
{header}
"""Cloud Functions keeping the views declared in views.yaml current.

Each trigger hands the written document to boiler's engine, which recomputes the view documents
it affects. The HTTP function `api` serves the mutations, the view reads, /openapi.json and /docs.
{more}MANIFEST is views.yaml as boiler checked it. Regenerate with `boiler generate`.
"""
{imports}
from boiler_core import DeployedApi, Triggers, WrittenEvent

set_global_options(region={region})

MANIFEST = {manifest}

triggers = Triggers(MANIFEST, base_dir=Path(__file__).resolve().parent)
http_api = DeployedApi(triggers.manifest, base_dir=triggers.base_dir)
'''

_HTTP_FUNCTION = '''

@https_fn.on_request()
def {name}(request: https_fn.Request) -> https_fn.Response:
    """Serve the HTTP API declared in views.yaml (see docs/http.md)."""
    return http_api.handle(request)
'''

HTTP_FUNCTION = "api"
"""Name (and Cloud Functions id) of the one HTTP function, which routes every API request."""

_RETRY = '''

@tasks_fn.on_task_dispatched(
    retry_config=RetryConfig(
        max_attempts={max_attempts},
        min_backoff_seconds={min_backoff_seconds},
        max_backoff_seconds={max_backoff_seconds},
        max_doublings={max_doublings},
    ),
    rate_limits=RateLimits(max_concurrent_dispatches={max_concurrent}),
)
def {name}(request: tasks_fn.CallableRequest[Any]) -> None:
    """Redo the views a trigger left unfinished; Cloud Tasks runs it again while they stay so."""
    triggers.on_retry(request)
'''

_BACKSTOP = '''

@scheduler_fn.on_schedule(schedule="every {every_minutes} minutes")
def {name}(event: scheduler_fn.ScheduledEvent) -> None:
    """{docstring}"""
    triggers.on_schedule(event)
'''

_TRIGGER = """

@firestore_fn.on_document_written(document={pattern})
def {name}(event: WrittenEvent) -> None:
{docstring}
    triggers.on_written({collection}, event)
"""


@dataclass(frozen=True)
class Trigger:
    """One generated function: a source collection and the views it feeds."""

    name: str
    """Python name and Cloud Functions id, e.g. ``on_meetings_written``."""

    collection: str
    pattern: str
    """The trigger's document pattern, e.g. ``meetings/{meeting}``."""

    views: tuple[str, ...]


def triggers(manifest: Manifest) -> tuple[Trigger, ...]:
    """The functions main.py defines, sorted by source collection."""
    names = trigger_names(manifest.source_collections())
    return tuple(
        Trigger(
            name=names[collection],
            collection=collection,
            pattern=manifest.source_path(collection).trigger_pattern,
            views=tuple(v.name for v in manifest.views_fed_by(collection)),
        )
        for collection in manifest.source_collections()
    )


def render_main_py(manifest: Manifest) -> str:
    """The text of ``functions/main.py``."""
    retry, backstop = manifest.project.retry, manifest.project.backstop
    parts = [
        _MODULE.format(
            header=HEADER,
            more=_more(retry is not None, backstop is not None),
            imports=_imports(retry is not None, backstop is not None),
            region=_string(manifest.project.region),
            manifest=block_string(manifest_text(manifest)),
        )
    ]
    for trigger in triggers(manifest):
        parts.append(
            _TRIGGER.format(
                pattern=_string(trigger.pattern),
                name=trigger.name,
                docstring=_docstring(trigger),
                collection=_string(trigger.collection),
            )
        )
    parts.append(_HTTP_FUNCTION.format(name=HTTP_FUNCTION))
    if retry is not None:
        parts.append(_RETRY.format(name=RETRY_FUNCTION, **asdict(retry)))
    if backstop is not None:
        parts.append(
            _BACKSTOP.format(
                name=BACKSTOP_FUNCTION,
                every_minutes=backstop.every_minutes,
                docstring=_backstop_docstring(backstop),
            )
        )
    return "".join(parts)


def _backstop_docstring(backstop: BackstopSettings) -> str:
    """The scheduled function's docstring: what one run does."""
    text = f"Replay the events recorded as unfinished, the oldest {backstop.limit} at most"
    if backstop.verify_roots:
        text += (
            f";\n    then verify and repair the next {backstop.verify_roots} roots of each view "
            "(and as many stored documents)"
        )
    return text + "."


def _more(retry: bool, backstop: bool) -> str:
    """The module docstring's sentences on the retry and backstop functions."""
    text = ""
    if retry:
        text += (
            f"A trigger hands the views it leaves unfinished to `{RETRY_FUNCTION}` (Cloud Tasks "
            "retries).\n"
        )
    if backstop:
        text += (
            f"`{BACKSTOP_FUNCTION}` replays the events recorded as unfinished, on a schedule, and "
            "verifies\na slice of every view.\n"
        )
    return text


def _imports(retry: bool, backstop: bool) -> str:
    """The import lines, sorted as ruff sorts them, with what the functions need."""
    typing = "\nfrom typing import Any\n" if retry else "\n"
    modules = ["firestore_fn", "https_fn"]
    modules += ["scheduler_fn"] if backstop else []
    modules += ["tasks_fn"] if retry else []
    options = (
        ["RateLimits", "RetryConfig", "set_global_options"] if retry else ["set_global_options"]
    )
    return (
        "\nfrom pathlib import Path"
        + typing
        + f"\nfrom firebase_functions import {', '.join(modules)}"
        + f"\nfrom firebase_functions.options import {', '.join(options)}\n"
    )


def block_string(text: str) -> str:
    """A triple-quoted Python literal whose value is exactly ``text``, starting on a new line."""
    escaped = text.replace("\\", "\\\\").replace('"""', '""\\"')
    if escaped.endswith('"'):
        escaped = escaped[:-1] + '\\"'
    return f'"""\\\n{escaped}"""'


def _string(text: str) -> str:
    """A double-quoted Python literal (JSON string syntax is valid Python)."""
    return json.dumps(text)


def _docstring(trigger: Trigger) -> str:
    indent = "    "
    views = ", ".join(trigger.views)
    line = f'{indent}"""Recompute {views} when a document of {trigger.collection} is written."""'
    if len(line) <= LINE_LENGTH:
        return line
    summary = (
        f"Recompute the views fed by {trigger.collection} when one of its documents is written."
    )
    body = textwrap.fill(
        f"Views: {views}.", width=LINE_LENGTH, initial_indent=indent, subsequent_indent=indent
    )
    return f'{indent}"""{summary}\n\n{body}\n{indent}"""'
