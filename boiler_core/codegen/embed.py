"""A :class:`~boiler_core.manifest.Manifest` written back as canonical views.yaml text.

``main.py`` carries the manifest it was generated from, so the deployed functions run exactly the
views that were reviewed, without shipping views.yaml. The text is canonical: it is derived from
the validated model (not copied from views.yaml), so comments, descriptions and formatting of
views.yaml do not leak in, and equal manifests always give equal text. The order of collections,
views, joins and fields is kept, since the model keeps it.

:func:`manifest_text` is exact: ``load_manifest_text`` of its result gives back the manifest with
``project.functions_dir`` replaced by the given folder (``.`` for the folder of ``main.py``) and
without ``project.data_files``, which only ``boiler deploy`` reads (so declaring a data file
leaves ``main.py`` as it is).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

import yaml

from boiler_core.manifest.model import (
    ROOT,
    BackstopSettings,
    ClientAccess,
    Collection,
    CountField,
    EqualsField,
    FieldPath,
    FieldSpec,
    Filter,
    HookField,
    Join,
    ListField,
    Manifest,
    Mutation,
    Policy,
    RetrySettings,
    SourceField,
    View,
)
from boiler_core.manifest.syntax import FORMAT_VERSION

WIDTH = 88
"""Line width of the YAML text (it sits at column 0 of main.py, whose limit is 100)."""


def manifest_text(manifest: Manifest, *, functions_dir: str = ".") -> str:
    """views.yaml text for ``manifest``, naming ``functions_dir`` as its functions folder."""
    project = replace(manifest.project, functions_dir=functions_dir, data_files=())
    data = manifest_data(replace(manifest, project=project))
    return yaml.safe_dump(
        data, sort_keys=False, default_flow_style=False, allow_unicode=True, width=WIDTH
    )


def manifest_data(manifest: Manifest) -> dict[str, Any]:
    """The manifest as the plain data views.yaml would hold."""
    project = manifest.project
    data: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "project": {
            "region": project.region,
            "runtime": project.runtime,
            "emulator_project_id": project.emulator_project_id,
            "functions_dir": project.functions_dir,
        },
        "collections": {name: _collection(c) for name, c in manifest.collections.items()},
        "views": {name: _view(view) for name, view in manifest.views.items()},
    }
    if project.cors_origins:
        data["project"]["cors_origins"] = list(project.cors_origins)
    if project.requirements:
        data["project"]["requirements"] = list(project.requirements)
    if not project.index_deep_sources:
        data["project"]["index_deep_sources"] = False
    if project.check_revoked:
        data["project"]["check_revoked"] = True
    for key, settings, default in (
        ("retry", project.retry, RetrySettings()),
        ("backstop", project.backstop, BackstopSettings()),
    ):
        if settings is None:
            data["project"][key] = False
        elif settings != default:
            data["project"][key] = asdict(settings)
    if manifest.mutations:
        data["mutations"] = {name: _mutation(m) for name, m in manifest.mutations.items()}
    return data


def _collection(collection: Collection) -> dict[str, Any]:
    data = _without_none({"path": collection.path.text, "schema": collection.schema})
    if collection.client != ClientAccess():
        read, write = collection.client.read, collection.client.write
        data["client"] = _without_none(
            {"read": read and _policy(read), "write": write and _policy(write)}
        )
    return data


def _view(view: View) -> dict[str, Any]:
    data: dict[str, Any] = {"path": view.path.text, "root": view.root}
    if view.joins:
        data["joins"] = {join.name: _join(join) for join in view.joins}
    data["fields"] = {name: _field(spec) for name, spec in view.fields}
    if view.copies:
        data["copies"] = [{"path": c.path.text, "for_each": c.for_each} for c in view.copies]
    data["read"] = _policy(view.read)
    return data


def _join(join: Join) -> dict[str, Any]:
    data: dict[str, Any] = {"collection": join.collection, join.kind: join.field}
    if join.kind == "query":
        data["op"] = join.op
    if join.key != "ref":
        data["key"] = join.key
    if join.parent != ROOT:
        data["parent"] = join.parent
    return data


def _field(spec: FieldSpec) -> Any:
    if isinstance(spec, SourceField):
        if spec.default is None:
            return spec.path.text
        return {"source": spec.path.text, "default": spec.default}
    if isinstance(spec, EqualsField):
        return {"source": spec.path.text, "equals": spec.value}
    if isinstance(spec, HookField):
        data: dict[str, Any] = {"hook": spec.hook}
        if spec.reads is not None:
            data["reads"] = [path.text for path in spec.reads]
        return data
    if isinstance(spec, CountField):
        return {"count": spec.join, **_where(spec.where)}
    return _list(spec)


def _list(spec: ListField) -> dict[str, Any]:
    data: dict[str, Any] = {"list": spec.join, **_where(spec.where)}
    if spec.sort:
        data["sort"] = [("-" if key.descending else "") + key.path.text for key in spec.sort]
    if spec.limit is not None:
        data["limit"] = spec.limit
    item = spec.item
    data["item"] = item.text if isinstance(item, FieldPath) else {n: p.text for n, p in item}
    return data


def _where(filters: tuple[Filter, ...]) -> dict[str, Any]:
    return {"where": {f.path.text: f.value for f in filters}} if filters else {}


def _mutation(mutation: Mutation) -> dict[str, Any]:
    return _without_none(
        {
            "route": f"{mutation.method} {mutation.route.text}",
            "body": mutation.body,
            "handler": mutation.handler,
            "policy": _policy(mutation.policy),
        }
    )


def _policy(policy: Policy) -> Any:
    return policy.kind if policy.value is None else {policy.kind: policy.value}


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}
