"""The TypeScript declarations ``boiler types`` writes: view documents and HTTP mutations.

:func:`render_types` is pure apart from importing the schemas and hooks views.yaml names (as
``boiler check`` does). The types come from the same JSON Schemas as the OpenAPI document
(:class:`~boiler_core.http.view_schemas.ViewSchemas` and apispec's marshmallow converter), so the
two never disagree:

* one ``export interface <View>View`` per view, every view (also those only the Firebase SDKs can
  read), with its fields: projections typed from the source schema's field (nullable), ``equals``
  boolean, ``count`` number, ``list`` arrays, hooks from their return annotation (a ``TypedDict``
  becomes a named interface, e.g. ``Attendee``);
* one interface per mutation body schema, named like its marshmallow class;
* ``ViewPaths``: each path template (masters and per-member copies) to its document type;
* ``Mutations``: each mutation's method, route, body and result (the handler's annotation).

Documents read with the Firebase SDKs may carry bookkeeping fields whose names start with ``_``
(``_members``); they are deliberately not typed: front ends must not depend on them.
"""

from __future__ import annotations

import inspect
import json
import typing
from typing import Any

from boiler_core.codegen.typescript import TypeScriptWriter, type_name
from boiler_core.http.openapi import new_spec
from boiler_core.http.view_schemas import ViewSchemas, annotation_schema
from boiler_core.manifest.imports import ImportProblem, import_object
from boiler_core.manifest.model import Manifest, Mutation, View

HEADER = "// generated from views.yaml by boiler; do not edit."
VIEW_SUFFIX = "View"


def render_types(manifest: Manifest) -> str:
    """The text of the TypeScript file for ``manifest`` (deterministic, trailing newline)."""
    spec, plugin = new_spec("boiler types")
    assert plugin.converter is not None
    schemas = ViewSchemas(manifest, plugin.converter.field2property)
    mutations = sorted(manifest.mutations.values(), key=lambda m: m.name)
    bodies: dict[str, str] = {}
    docs: dict[str, str | None] = {}
    for mutation in mutations:
        if mutation.body is not None:
            schema_class = import_object(mutation.body)
            name = schema_class.__name__
            if name not in docs:
                spec.components.schema(name, schema=schema_class)
                docs[name] = inspect.getdoc(schema_class)
            bodies[mutation.name] = name
    components = spec.to_dict().get("components", {}).get("schemas", {})
    writer = TypeScriptWriter(components)

    views = sorted(manifest.views.values(), key=lambda v: v.name)
    for view in views:
        writer.interface(view_type(view), schemas.view(view), _view_doc(view))
    body_types = {
        mutation: writer.interface(type_name(name), components[name], docs[name])
        for mutation, name in bodies.items()
    }
    paths = [
        (template.text, view_type(view))
        for view in views
        for template in (view.path, *(copy.path for copy in view.copies))
    ]
    writer.alias(
        "ViewPaths",
        _members((json.dumps(path), kind) for path, kind in paths),
        "Each view document type by the path templates its documents are read at (masters and\n"
        "per-member copies).",
    )
    writer.alias(
        "Mutations",
        _members(
            (m.name, _mutation_type(writer, m, body_types.get(m.name, "null"))) for m in mutations
        ),
        "Each HTTP mutation: method and route (relative to the API's URL), request body, and\n"
        'the `result` of its answer `{"result": ...}`.',
    )
    intro = [
        HEADER,
        "// Types of the view documents declared in views.yaml (as read with the Firebase SDKs and",
        "// as the HTTP API's `data`) and of its HTTP mutations. Regenerate: boiler types -o FILE",
    ]
    return "\n".join(intro) + "\n\n" + writer.text()


def view_type(view: View) -> str:
    """The TypeScript name of a view's documents (``meeting_sessions``: ``MeetingSessionsView``)."""
    return type_name(view.name) + VIEW_SUFFIX


def _view_doc(view: View) -> str:
    lines = [f"A `{view.name}` view document, at `{view.path.text}` (root: {view.root})."]
    for copy in view.copies:
        lines.append(f"Copied to `{copy.path.text}` for each of {copy.for_each}.")
    policy = view.read
    who = policy.kind if policy.value is None else f"{policy.kind}: {policy.value}"
    lines.append(f"Read policy: {who}.")
    return "\n".join(lines)


def _mutation_type(writer: TypeScriptWriter, mutation: Mutation, body: str) -> str:
    result = writer.type_of(_result_schema(mutation), 2)
    members = [
        ("method", json.dumps(mutation.method)),
        ("route", json.dumps(mutation.route.text)),
        ("body", body),
        ("result", result),
    ]
    return "{\n" + "".join(f"    {key}: {value};\n" for key, value in members) + "  }"


def _result_schema(mutation: Mutation) -> dict[str, Any]:
    try:
        hints = typing.get_type_hints(import_object(mutation.handler))
    except (ImportProblem, NameError, TypeError):
        return {}
    return annotation_schema(hints.get("return", Any))


def _members(pairs: Any) -> str:
    lines = [f"  {key}: {value};" for key, value in pairs]
    return "{\n" + "\n".join(lines) + "\n}" if lines else "{}"
