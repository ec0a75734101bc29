"""Which views were built from their current definition: fingerprints and build records.

A view's **fingerprint** is a SHA-256 over a canonical JSON form of its definition in the
validated manifest (path, root, joins, fields, copies, read policy; order-independent where order
does not change the documents) plus the source text of each module a hook of the view lives in,
plus, for a view with deep joins, whether its masters list their documents
(``project.index_deep_sources``): masters written without that list must be rewritten before the
engine can find them through it. Editing a view, the code of its hooks, or that option changes
it; reformatting views.yaml does not.

``boiler backfill`` writes a **build record** per view after rebuilding every document of it:
``_boiler_meta/{view}`` (:data:`META_COLLECTION`) with the fingerprint, when, and how many roots.
``boiler backfill --changed`` rebuilds the views whose record is missing (new views) or holds
another fingerprint. The collection is server-side bookkeeping: the generated security rules deny
clients everything they do not explicitly allow, and no trigger listens to it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from boiler_core.engine.outputs import DEEP_SOURCES_FIELD, deep_joins
from boiler_core.manifest.imports import ImportProblem, import_object
from boiler_core.manifest.model import HookField, Manifest, View
from boiler_core.store.port import Reader, Store, Transaction

META_COLLECTION = "_boiler_meta"
"""Collection of the build records, one document per view."""

FINGERPRINT_FORMAT = 1
"""Bumped when the engine changes what it writes for the same definition (forces a rebuild)."""


def definition(view: View) -> dict[str, Any]:
    """The view's definition as plain, canonically ordered data (each model object tagged with
    its class, so two kinds of field with the same attributes differ)."""
    data: dict[str, Any] = _plain(view)
    data["fields"] = sorted(data["fields"], key=lambda item: str(item[0]))
    data["joins"] = sorted(data["joins"], key=lambda join: str(join["name"]))
    data["copies"] = sorted(data["copies"], key=lambda copy: str(copy["path"]["text"]))
    return data


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {  # what takes no part in comparing (a declaration's location) is left out
            f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.compare
        }
        return {"class": type(value).__name__, **fields}
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def hook_sources(view: View) -> dict[str, str]:
    """SHA-256 of the source of each module a hook of the view is defined in, by hook spec."""
    digests = {}
    for _, spec in view.fields:
        if isinstance(spec, HookField):
            try:
                module = inspect.getmodule(import_object(spec.hook))
                text = inspect.getsource(module) if module is not None else spec.hook
            except (ImportProblem, OSError, TypeError):
                text = spec.hook  # source unavailable: only a renamed hook counts as a change
            digests[spec.hook] = hashlib.sha256(text.encode()).hexdigest()
    return dict(sorted(digests.items()))


def fingerprint(view: View, *, index_deep_sources: bool = True) -> str:
    """The view's fingerprint (hex SHA-256); see the module docstring."""
    content: dict[str, Any] = {
        "format": FINGERPRINT_FORMAT,
        "view": definition(view),
        "hooks": hook_sources(view),
    }
    if index_deep_sources and deep_joins(view):
        content["records"] = [DEEP_SOURCES_FIELD]
    canonical = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def fingerprints(manifest: Manifest) -> dict[str, str]:
    """Every view's fingerprint, in manifest order."""
    index = manifest.project.index_deep_sources
    return {
        name: fingerprint(view, index_deep_sources=index) for name, view in manifest.views.items()
    }


@dataclass(frozen=True)
class BuildRecord:
    """What ``_boiler_meta/{view}`` says about the last complete build of a view."""

    view: str
    fingerprint: str
    built_at: str
    """ISO 8601 UTC time the build finished."""
    roots: int
    """Root documents recomputed by that build."""

    def to_data(self) -> dict[str, Any]:
        """The record as document data."""
        return dataclasses.asdict(self)


def record_path(view: str) -> str:
    """Path of a view's build record."""
    return f"{META_COLLECTION}/{view}"


def read_records(reader: Reader, views: list[str]) -> dict[str, BuildRecord | None]:
    """The build record of each view (None where there is none or it is unreadable)."""
    docs = reader.get_all([record_path(view) for view in views])
    records: dict[str, BuildRecord | None] = {}
    for view in views:
        doc = docs.get(record_path(view))
        records[view] = _record(view, doc.data) if doc is not None else None
    return records


def write_record(store: Store, view: str, fingerprint: str, roots: int) -> BuildRecord:
    """Record that ``view`` was completely built from the definition with ``fingerprint``."""
    built_at = datetime.now(UTC).isoformat(timespec="seconds")
    record = BuildRecord(view, fingerprint, built_at, roots)

    def put(tx: Transaction) -> None:
        tx.set(record_path(view), record.to_data())

    store.run_transaction(put)
    return record


def stale_views(
    current: Mapping[str, str], records: Mapping[str, BuildRecord | None]
) -> dict[str, str]:
    """The views whose documents were not built from their current definition, with why."""
    stale = {}
    for view, print_ in current.items():
        record = records.get(view)
        if record is None:
            stale[view] = "no build record (a new view, or never backfilled)"
        elif record.fingerprint != print_:
            stale[view] = (
                f"definition changed since the build of {record.built_at} "
                f"({record.fingerprint[:12]} -> {print_[:12]})"
            )
    return stale


def _record(view: str, data: Mapping[str, Any]) -> BuildRecord | None:
    try:
        return BuildRecord(
            view=view,
            fingerprint=str(data["fingerprint"]),
            built_at=str(data.get("built_at", "")),
            roots=int(data.get("roots", 0)),
        )
    except (KeyError, TypeError, ValueError):
        return None
