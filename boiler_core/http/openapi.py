"""The API's OpenAPI 3.1 document, generated with apispec from the manifest and its schemas.

:func:`openapi_spec` is deterministic: the same manifest gives the same document (the
``info.version`` is a digest of the rest), so ``boiler generate`` can commit it as
``functions/openapi.json`` and ``--check`` catches drift. Request bodies are the mutations'
marshmallow schemas (through apispec's marshmallow plugin); view documents get the schemas of
:mod:`.view_schemas`; every error is the one :data:`ERROR_SCHEMA`.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from boiler_core.errors import GenerateError
from boiler_core.http.access import enforceable
from boiler_core.http.routes import DEFAULT_LIMIT, MAX_LIMIT, Operation, RouteTable, shape
from boiler_core.http.view_schemas import ViewSchemas
from boiler_core.manifest.imports import import_object
from boiler_core.manifest.model import Manifest, View
from boiler_core.schema_fields import Reference

OPENAPI_VERSION = "3.1.0"
TITLE = "boiler HTTP API"
DESCRIPTION = """\
Mutations of the domain data and reads of the views declared in views.yaml.

Authenticate with a Firebase ID token: `Authorization: Bearer <token>`. Every error answers
`{"error": {"code", "message", "fields"?, "id"?}}`. A view document's `version` (also its `ETag`)
is a digest of its content; send it as `If-Match` with a mutation of that document to refuse the
change (412) when the document has changed since. Views are updated by Firestore triggers shortly
after a mutation commits.
"""
ERROR = "boiler.Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "stable machine-readable reason"},
                "message": {"type": "string"},
                "fields": {"type": "object", "description": "problems by body field"},
                "id": {"type": "string", "description": "where a 500 was logged"},
            },
        }
    },
}
STATUS_TEXT = {
    "400": "Malformed request: bad JSON, unknown or invalid query parameter.",
    "401": "No valid Firebase ID token.",
    "403": "The policy does not let this caller in.",
    "404": "No such resource or document.",
    "409": "The change conflicts with the current state.",
    "412": "If-Match names an older version of the view document.",
    "413": "The body is too large.",
    "415": "The body is not JSON.",
    "422": "The body does not match the schema, or the change is refused.",
    "503": "Busy; retry later.",
    "default": "Unexpected error (logged under the returned id).",
}
Security = list[dict[str, list[str]]]
SECURED: Security = [{"firebase": []}]
OPTIONAL_AUTH: Security = [{}, {"firebase": []}]


def openapi_spec(manifest: Manifest) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API ``manifest`` declares.

    Raises :class:`~boiler_core.errors.GenerateError` for an API that cannot be served (a route
    clash, a policy that cannot be enforced), as :class:`~boiler_core.http.api.HttpApi` would.
    """
    problems = enforceable(manifest)
    if problems:
        raise GenerateError("\n".join(problems))
    spec, plugin = new_spec(TITLE, info={"description": DESCRIPTION})
    spec.components.security_scheme(
        "firebase", {"type": "http", "scheme": "bearer", "bearerFormat": "Firebase ID token"}
    )
    spec.components.schema(ERROR, ERROR_SCHEMA)
    for status, text in STATUS_TEXT.items():
        spec.components.response(_response_name(status), _error_response(text))
    assert plugin.converter is not None
    schemas = ViewSchemas(manifest, plugin.converter.field2property)
    table = RouteTable(manifest)
    for view in _served_views(table):
        _view_components(spec, schemas, view)
    bodies: set[str] = set()
    groups: dict[tuple[str, ...], list[Operation]] = {}
    for op in table.operations:
        groups.setdefault(shape(op.template), []).append(op)
    for ops in groups.values():
        template = ops[0].template
        parameters = [_path_parameter(name) for name in template.variables]
        operations = {op.method.lower(): _operation(spec, op, bodies) for op in ops}
        spec.path(path="/" + template.text, operations=operations, parameters=parameters)
    document = spec.to_dict()
    digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:12]
    document["info"]["version"] = digest
    return document


def new_spec(title: str, **options: Any) -> tuple[APISpec, MarshmallowPlugin]:
    """An empty OpenAPI 3.1 document with the marshmallow plugin set up for boiler's fields
    (a :class:`~boiler_core.schema_fields.Reference` is a string); ``boiler types`` uses it too."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title, "0", OPENAPI_VERSION, plugins=[plugin], **options)
    plugin.map_to_openapi_type(Reference, "string", None)  # type: ignore[no-untyped-call]
    return spec, plugin


def render_openapi(manifest: Manifest) -> str:
    """The document as the text of ``openapi.json`` (indented, trailing newline)."""
    return json.dumps(openapi_spec(manifest), indent=2, ensure_ascii=False) + "\n"


def _served_views(table: RouteTable) -> list[View]:
    seen: dict[str, View] = {}
    for op in table.operations:
        if op.view is not None and op.kind != "mutation":
            seen.setdefault(op.view.name, op.view)
    return list(seen.values())


def _view_components(spec: APISpec, schemas: ViewSchemas, view: View) -> None:
    name = f"view.{view.name}"
    spec.components.schema(name, schemas.view(view))
    document = {
        "type": "object",
        "required": ["id", "path", "version", "data"],
        "properties": {
            "id": {"type": "string"},
            "path": {"type": "string"},
            "version": {"type": "string", "description": "send as If-Match"},
            "data": _ref(name),
        },
    }
    spec.components.schema(f"{name}.document", document)
    page = {
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {
            "items": {"type": "array", "items": _ref(f"{name}.document")},
            "next_cursor": {"type": ["string", "null"], "description": "pass as cursor"},
        },
    }
    spec.components.schema(f"{name}.page", page)


def _operation(spec: APISpec, op: Operation, bodies: set[str]) -> dict[str, Any]:
    if op.mutation is not None:
        return _mutation_operation(spec, op, bodies)
    assert op.view is not None
    copy = op.copy is not None
    public = not copy and op.view.read.kind == "public"
    common: dict[str, Any] = {"operationId": op.operation_id, "tags": [op.view.name]}
    common["security"] = OPTIONAL_AUTH if public else SECURED
    if op.kind == "list":
        page = _json_content(_ref(f"view.{op.view.name}.page"))
        return {
            **common,
            "summary": (
                f"List a member's copies of {op.view.name} documents, a page at a time"
                if copy
                else f"List {op.view.name} documents, a page at a time"
            ),
            "parameters": [_limit_parameter(), _cursor_parameter()],
            "responses": {"200": {"description": "A page.", **page}, **_errors(op)},
        }
    etag = {"ETag": {"description": "The version.", "schema": {"type": "string"}}}
    document = _json_content(_ref(f"view.{op.view.name}.document"))
    return {
        **common,
        "summary": (
            f"Read a member's copy of a {op.view.name} document"
            if copy
            else f"Read a {op.view.name} document"
        ),
        "parameters": [_header("If-None-Match", "answer 304 when this is the current ETag")],
        "responses": {
            "200": {"description": "The document.", "headers": etag, **document},
            "304": {"description": "Not modified.", "headers": etag},
            **_errors(op),
        },
    }


def _mutation_operation(spec: APISpec, op: Operation, bodies: set[str]) -> dict[str, Any]:
    assert op.mutation is not None
    mutation = op.mutation
    handler = import_object(mutation.handler)
    operation: dict[str, Any] = {
        "operationId": op.operation_id,
        "tags": [op.view.name if op.view is not None else "mutations"],
        "summary": (inspect.getdoc(handler) or mutation.name).splitlines()[0].replace("``", "`"),
        "security": OPTIONAL_AUTH if mutation.policy.kind in ("public", "hook") else SECURED,
        "parameters": [],
    }
    if op.version_variable is not None:
        operation["parameters"].append(
            _header("If-Match", "refuse with 412 unless this is the view document's version")
        )
    if mutation.body is not None:
        schema_class = import_object(mutation.body)
        name = schema_class.__name__
        if name not in bodies:
            bodies.add(name)
            description = inspect.getdoc(schema_class) or name
            spec.components.schema(name, schema=schema_class, description=description)
        operation["requestBody"] = {"required": True, **_json_content(_ref(name))}
    result = {"type": "object", "required": ["result"], "properties": {"result": {}}}
    ok = {
        "description": "Committed; the views follow through the triggers.",
        **_json_content(result),
    }
    operation["responses"] = {"200": ok, **_errors(op)}
    return operation


def _errors(op: Operation) -> dict[str, Any]:
    statuses = ["400", "401", "403", "404"]
    if op.mutation is not None:
        statuses += ["409", "413", "415", "422", "503"]
        if op.version_variable is not None:
            statuses.append("412")
    statuses.append("default")
    return {
        status: {"$ref": f"#/components/responses/{_response_name(status)}"} for status in statuses
    }


def _error_response(text: str) -> dict[str, Any]:
    return {"description": text, **_json_content(_ref(ERROR))}


def _response_name(status: str) -> str:
    return f"boiler.{status}"


def _json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _path_parameter(name: str) -> dict[str, Any]:
    schema = {"type": "string", "minLength": 1}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _header(name: str, description: str) -> dict[str, Any]:
    schema = {"type": "string"}
    return {
        "name": name,
        "in": "header",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _limit_parameter() -> dict[str, Any]:
    schema = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}
    return {"name": "limit", "in": "query", "required": False, "schema": schema}


def _cursor_parameter() -> dict[str, Any]:
    schema = {"type": "string", "description": "next_cursor of the previous page"}
    return {"name": "cursor", "in": "query", "required": False, "schema": schema}
