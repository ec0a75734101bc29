"""JSON Schemas of view documents, derived from the views' fields and the sources' schemas.

Each field of a view gets the most precise schema the manifest allows: a projection
(``location.address``) takes the type of the marshmallow field it copies, made nullable (a missing
source value is written as null or the declared default); ``equals`` is a boolean, ``count`` a
non-negative integer, ``list`` an array of its items; a hook field takes its function's return
annotation (``-> int``, ``-> list[Attendee]`` with ``Attendee`` a ``TypedDict``, ``Literal[...]``)
and is left open when there is none.
"""

from __future__ import annotations

import copy
import inspect
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from marshmallow import Schema, fields

from boiler_core.manifest.imports import ImportProblem, import_object
from boiler_core.manifest.model import (
    ID_FIELD,
    ROOT,
    CountField,
    EqualsField,
    FieldPath,
    FieldSpec,
    HookField,
    ListField,
    Manifest,
    SourceField,
    View,
)

JsonSchema = dict[str, Any]
FieldConverter = Callable[[fields.Field], JsonSchema]  # type: ignore[type-arg]
_DROPPED = ("default", "readOnly", "writeOnly")


class ViewSchemas:
    """Builds the schema of each view's ``data`` from the manifest and imported schemas."""

    def __init__(self, manifest: Manifest, field2property: FieldConverter) -> None:
        self.manifest = manifest
        self._convert = field2property

    def view(self, view: View) -> JsonSchema:
        """The schema of a document of ``view`` as the API serves it (bookkeeping left out)."""
        properties = {name: self.field(view, spec) for name, spec in view.fields}
        return {"type": "object", "properties": properties, "required": list(properties)}

    def field(self, view: View, spec: FieldSpec) -> JsonSchema:
        """The schema of one view field."""
        if isinstance(spec, SourceField):
            return nullable(self.path(view, spec.path))
        if isinstance(spec, EqualsField):
            return {"type": "boolean"}
        if isinstance(spec, CountField):
            return {"type": "integer", "minimum": 0}
        if isinstance(spec, ListField):
            if isinstance(spec.item, FieldPath):
                items = nullable(self.path(view, spec.item))
            else:
                props = {name: nullable(self.path(view, path)) for name, path in spec.item}
                items = {"type": "object", "properties": props, "required": list(props)}
            return {"type": "array", "items": items}
        return self.hook(spec)

    def path(self, view: View, path: FieldPath) -> JsonSchema:
        """The schema of the value a field path reads, as the engine writes it."""
        if path.parts == (ID_FIELD,):
            return {"type": "string"}
        collection = view.root if path.join == ROOT else view.join(path.join).collection
        if collection in self.manifest.views:
            upstream = self.manifest.views[collection]
            specs = dict(upstream.fields)
            if len(path.parts) == 1 and path.parts[0] in specs:
                return self.field(upstream, specs[path.parts[0]])
            return {}
        schema = self._schema(collection)
        field = schema.fields.get(path.parts[0]) if schema is not None else None
        for part in path.parts[1:]:
            if not isinstance(field, fields.Nested) or not isinstance(field.schema, Schema):
                return {}
            field = field.schema.fields.get(part)
        if field is None:
            return {}
        converted = copy.deepcopy(self._convert(field))
        for key in _DROPPED:
            converted.pop(key, None)
        return converted

    def hook(self, spec: HookField) -> JsonSchema:
        """The schema of a hook's return annotation; open ({}) when it says nothing usable."""
        try:
            hints = typing.get_type_hints(import_object(spec.hook))
        except (ImportProblem, NameError, TypeError):
            return {"description": f"computed by {spec.hook}"}
        schema = annotation_schema(hints.get("return", Any))
        return {**schema, "description": f"computed by {spec.hook}"}

    def _schema(self, collection: str) -> Schema | None:
        declared = self.manifest.collections.get(collection)
        if declared is None or declared.schema is None:
            return None
        schema_class = import_object(declared.schema)
        return schema_class() if isinstance(schema_class, type) else None


def annotation_schema(annotation: Any) -> JsonSchema:
    """A JSON Schema for a (simple) Python type annotation."""
    simple = {bool: "boolean", int: "integer", float: "number", str: "string"}
    if annotation in simple:
        return {"type": simple[annotation]}
    if annotation is type(None):
        return {"type": "null"}
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        options = [annotation_schema(arg) for arg in args]
        if {} in options:
            return {}
        if all(set(option) == {"type"} and isinstance(option["type"], str) for option in options):
            return {"type": [option["type"] for option in options]}  # ["string", "null"]
        return {"anyOf": options}
    if origin in (list, tuple, Sequence) or annotation in (list, tuple):
        item = annotation_schema(args[0]) if origin is not tuple and args else {}
        return {"type": "array", "items": item}
    if origin in (dict, Mapping) or annotation is dict:
        return {"type": "object"}
    if typing.is_typeddict(annotation):
        return typed_dict_schema(annotation)
    if origin is typing.Literal:
        return {"enum": list(args)}
    return {}


def typed_dict_schema(annotation: Any) -> JsonSchema:
    """A closed object schema for a ``TypedDict``, titled with its class name (``Attendee``)."""
    hints = typing.get_type_hints(annotation)
    marked = typing.get_type_hints(annotation, include_extras=True)
    properties = {name: annotation_schema(hint) for name, hint in hints.items()}
    required = [name for name in hints if _required_key(annotation, name, marked[name])]
    schema: JsonSchema = {"type": "object", "title": annotation.__name__}
    if annotation.__doc__:
        schema["description"] = inspect.cleandoc(annotation.__doc__)
    return {**schema, "properties": properties, "required": required, "additionalProperties": False}


def _required_key(annotation: Any, name: str, hint: Any) -> bool:
    """Whether a TypedDict key is required: ``Required[...]`` or ``NotRequired[...]`` decide (also
    under ``from __future__ import annotations``, where the class cannot see them), else the
    class's totality."""
    origin = typing.get_origin(hint)
    if origin is typing.Required:
        return True
    if origin is typing.NotRequired:
        return False
    return name in annotation.__required_keys__


def nullable(schema: JsonSchema) -> JsonSchema:
    """``schema`` also accepting null (OpenAPI 3.1: a ``null`` type)."""
    if not schema:
        return schema
    if "enum" in schema and None not in schema["enum"]:
        schema = {**schema, "enum": [*schema["enum"], None]}
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": [kind, "null"]}
    if isinstance(kind, list):
        return schema if "null" in kind else {**schema, "type": [*kind, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}
