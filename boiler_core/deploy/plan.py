"""What a deploy would ship, checked against views.yaml and said in words. Pure: no I/O.

:func:`endpoints` reads the functions manifest ``firebase deploy`` discovers;
:func:`check_bundle` compares it with what ``boiler generate`` produces for
the manifest: one Firestore ``written`` trigger per source collection, the HTTP function, and
(unless views.yaml turns them off) the retry function on its Cloud Tasks queue and the scheduled
backstop, in the manifest's region, with ids Cloud Functions accepts. :func:`render_plan`
prints the functions with their triggers, the upload, the rules and the indexes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from boiler_core.codegen.main_py import HTTP_FUNCTION
from boiler_core.codegen.names import FUNCTION_ID, trigger_names
from boiler_core.deploy.bundle import Upload
from boiler_core.deploy.config import FirebaseConfig
from boiler_core.deploy.shipping import Allowed
from boiler_core.manifest import Manifest
from boiler_core.retry.names import BACKSTOP_FUNCTION, RETRY_FUNCTION

WRITTEN = "google.cloud.firestore.document.v1.written"
"""Event type of the generated Firestore triggers (create, update and delete)."""

FIRESTORE_TARGETS = "firestore:rules,firestore:indexes"
"""The Firestore parts of ``firebase deploy --only``."""

_MATCH = re.compile(r"^\s*match\s+(/\S+)\s*\{")


@dataclass(frozen=True)
class Endpoint:
    """One function of the discovered manifest."""

    id: str
    entry_point: str
    platform: str
    regions: tuple[str, ...]
    event_type: str | None
    """The trigger's event type; None for an HTTPS function."""

    document: str | None
    """The trigger's document path pattern (``meetings/{meeting}``)."""

    retry: bool | None

    schedule: str | None = None
    """The schedule of a scheduled function (``every 30 minutes``)."""

    task_queue: Mapping[str, Any] | None = None
    """The ``taskQueueTrigger`` of a task-queue function (its retry configuration)."""

    @property
    def is_https(self) -> bool:
        return self.event_type is None and self.schedule is None and self.task_queue is None


@dataclass(frozen=True)
class Plan:
    """Everything :func:`render_plan` reports."""

    config: FirebaseConfig
    manifest: Manifest
    endpoints: tuple[Endpoint, ...]
    upload: Upload
    rules_text: str | None
    indexes_text: str | None
    project: str | None
    wheel: str
    """The wheel of boiler in the upload, relative to the functions folder."""


def deploy_targets(codebase: str) -> str:
    """``firebase deploy --only`` for boiler's codebase, its rules and indexes.

    firebase-tools reads ``functions:NAME`` as "every function of codebase NAME" when firebase.json
    lists a codebase of that name, so other codebases are neither deployed nor, with ``--force``,
    deleted.
    """
    return f"functions:{codebase},{FIRESTORE_TARGETS}"


def endpoints(spec: Mapping[str, Any]) -> tuple[Endpoint, ...]:
    """The endpoints of a functions manifest (``functions.yaml`` as parsed), sorted by id."""
    found = []
    for name, raw in sorted(dict(spec.get("endpoints") or {}).items()):
        body: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        trigger = body.get("eventTrigger")
        event: Mapping[str, Any] = trigger if isinstance(trigger, Mapping) else {}
        patterns = event.get("eventFilterPathPatterns") or {}
        found.append(
            Endpoint(
                id=str(name),
                entry_point=str(body.get("entryPoint", "")),
                platform=str(body.get("platform", "")),
                regions=tuple(str(r) for r in body.get("region") or ()),
                event_type=str(event["eventType"]) if "eventType" in event else None,
                document=str(patterns["document"]) if "document" in patterns else None,
                retry=event.get("retry") if event else None,
                schedule=_schedule(body.get("scheduleTrigger")),
                task_queue=_mapping(body.get("taskQueueTrigger")),
            )
        )
    return tuple(found)


def check_bundle(manifest: Manifest, found: Sequence[Endpoint]) -> list[str]:
    """Every way the discovered functions differ from what views.yaml asks. (firebase.json's
    runtime is compared with views.yaml by ``boiler check``.)"""
    problems = []
    names = trigger_names(manifest.source_collections())
    expected = {name: collection for collection, name in names.items()}
    by_id = {e.id: e for e in found}
    for name in sorted(set(expected) | {HTTP_FUNCTION} | set(_operations(manifest))):
        if name not in by_id:
            problems.append(
                f"function {name} is missing from the discovered functions: main.py is not what "
                "`boiler generate` writes; run it"
            )
    for endpoint in found:
        problems.extend(_endpoint_problems(endpoint, expected, manifest))
    return problems


def render_plan(plan: Plan) -> str:
    """The plan as text: functions with triggers, upload, rules, indexes."""
    functions = plan.config.functions
    target = plan.project or "PROJECT"
    lines = [
        f"firebase deploy --only {deploy_targets(functions.codebase)} --project {target} "
        "--non-interactive --force",
        "",
        f"functions: {len(plan.endpoints)} in codebase {functions.codebase!r}, runtime "
        f"{functions.runtime}, source {functions.source}/",
    ]
    width = max((len(e.id) for e in plan.endpoints), default=0)
    for endpoint in plan.endpoints:
        regions = ",".join(endpoint.regions)
        if endpoint.is_https:
            what = f"HTTPS    {_routes(plan.manifest)}"
        elif endpoint.task_queue is not None:
            config = dict(endpoint.task_queue.get("retryConfig") or {})
            what = f"Cloud Tasks queue (retries: up to {config.get('maxAttempts')} attempts)"
        elif endpoint.schedule is not None:
            what = f"Cloud Scheduler {endpoint.schedule}"
        else:
            short = "written" if endpoint.event_type == WRITTEN else endpoint.event_type
            retry = "retry off" if not endpoint.retry else "retry on"
            what = f"Firestore {short} {endpoint.document} ({retry})"
        lines.append(f"  {endpoint.id:<{width}}  {regions}  {what}")
    lines.append(upload_summary(plan.upload, plan.wheel))
    lines.append(_shipped(plan))
    if functions.other_codebases:
        lines.append(
            "other codebases of firebase.json, not deployed: "
            + ", ".join(functions.other_codebases)
        )
    lines.append("")
    lines.extend(_rules_lines(plan.config.rules, plan.rules_text))
    lines.append("")
    lines.extend(_indexes_lines(plan.config.indexes, plan.indexes_text))
    lines.append(
        "--force: functions of this codebase and indexes that are not listed above are deleted "
        "from the project"
    )
    return "\n".join(lines) + "\n"


def upload_summary(upload: Upload, wheel: str) -> str:
    """One line: the files and size of the upload, boiler's wheel, what the ignore leaves out."""
    found = next((f for f in upload.files if f.path == wheel), None)
    boiler = f"{wheel}, {_size(found.size)}" if found else f"{wheel} missing"
    return (
        f"upload: {len(upload.files)} files, {_size(upload.size)} (boiler: {boiler}); left out "
        f"by firebase.json's ignore: {', '.join(upload.left_out) or 'nothing'}"
    )


def _shipped(plan: Plan) -> str:
    """What the upload holds, by the allow-list's reasons."""
    allowed = Allowed(plan.wheel, plan.manifest.project.data_files)
    counts = Counter(allowed.reason(f.path) for f in plan.upload.files)
    parts = [
        _count(counts[reason], noun)
        for reason, noun in (
            ("generated", "generated file"),
            ("Python source", "Python source"),
            ("data file", "data file"),
            ("firebase init", "file of firebase init"),
        )
        if counts[reason] or reason != "firebase init"
    ]
    return f"  ships {', '.join(parts)} and boiler's wheel; none holds a key or credential"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _endpoint_problems(
    endpoint: Endpoint, expected: Mapping[str, str], manifest: Manifest
) -> list[str]:
    problems = []
    name = endpoint.id
    if not FUNCTION_ID.match(name):
        problems.append(f"function id {name!r} is not accepted by Cloud Functions")
    if endpoint.entry_point != name:
        problems.append(f"function {name}: entry point {endpoint.entry_point!r} is not its name")
    if endpoint.platform != "gcfv2":
        problems.append(f"function {name}: platform {endpoint.platform!r}, expected gcfv2")
    if endpoint.regions != (manifest.project.region,):
        problems.append(
            f"function {name}: region {list(endpoint.regions)}, views.yaml says "
            f"{manifest.project.region!r}"
        )
    if name == HTTP_FUNCTION:
        if not endpoint.is_https:
            problems.append(f"function {name}: expected an HTTPS function")
        return problems
    operations = _operations(manifest)
    if name in operations:
        if (endpoint.task_queue is not None, endpoint.schedule) != operations[name]:
            problems.append(f"function {name}: not as views.yaml's project section declares it")
        return problems
    if name not in expected:
        problems.append(
            f"function {name} is not generated from views.yaml: main.py has extra functions; "
            "run `boiler generate`"
        )
        return problems
    document = manifest.source_path(expected[name]).text
    if endpoint.event_type != WRITTEN or endpoint.document != document:
        problems.append(
            f"function {name}: trigger {endpoint.event_type} {endpoint.document}, "
            f"expected {WRITTEN} {document}"
        )
    return problems


def _operations(manifest: Manifest) -> dict[str, tuple[bool, str | None]]:
    """The retry and backstop functions views.yaml asks for: name -> (task queue, schedule)."""
    found: dict[str, tuple[bool, str | None]] = {}
    if manifest.project.retry is not None:
        found[RETRY_FUNCTION] = (True, None)
    if manifest.project.backstop is not None:
        found[BACKSTOP_FUNCTION] = (
            False,
            f"every {manifest.project.backstop.every_minutes} minutes",
        )
    return found


def _schedule(trigger: Any) -> str | None:
    return (
        str(trigger["schedule"]) if isinstance(trigger, Mapping) and "schedule" in trigger else None
    )


def _mapping(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


def _routes(manifest: Manifest) -> str:
    routes = [f"{m.method} /{m.route.text}" for m in manifest.mutations.values()]
    return ", ".join([*sorted(routes), "GET views", "/openapi.json", "/docs"])


def _rules_lines(name: str | None, text: str | None) -> list[str]:
    if name is None or text is None:
        return ["firestore rules: none"]
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    matches = [m.group(1) for line in text.splitlines() if (m := _MATCH.match(line))]
    matches = [m for m in matches if not m.startswith("/databases/")]
    lines = [
        f"firestore rules: {name}, {len(text.splitlines())} lines, sha256 {digest}, "
        f"{len(matches)} match blocks:"
    ]
    lines.extend(f"  match {m}" for m in matches)
    return lines


def _indexes_lines(name: str | None, text: str | None) -> list[str]:
    if name is None or text is None:
        return ["firestore indexes: none"]
    data = json.loads(text)
    indexes = data.get("indexes") or []
    overrides = data.get("fieldOverrides") or []
    lines = [
        f"firestore indexes: {name}, {len(indexes)} composite, {len(overrides)} field overrides"
    ]
    for index in indexes:
        fields = ", ".join(_index_field(f) for f in index.get("fields", []))
        scope = index.get("queryScope", "COLLECTION")
        lines.append(f"  {index.get('collectionGroup')} ({scope}): {fields}")
    for override in overrides:
        lines.append(f"  override {override.get('collectionGroup')}.{override.get('fieldPath')}")
    return lines


def _index_field(field: Mapping[str, Any]) -> str:
    mode = field.get("order") or field.get("arrayConfig") or field.get("vectorConfig")
    return f"{field.get('fieldPath')} {mode}"


def _size(count: int) -> str:
    return f"{count / 1024:.0f} KiB" if count < 1024 * 1024 else f"{count / 1048576:.1f} MiB"
