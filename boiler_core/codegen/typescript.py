"""JSON Schema to TypeScript: the writer behind ``boiler types``.

Pure: schemas in, text out. :class:`TypeScriptWriter` turns the JSON Schemas boiler derives for
view documents and request bodies (:mod:`boiler_core.http.view_schemas`, apispec's marshmallow
converter) into ``export interface`` declarations. What it understands is what those produce:

* ``string``, ``integer``/``number``, ``boolean``, ``null``: the TypeScript type of that name
  (``number`` for both numbers); ``string`` with ``format`` ``date-time`` or ``date``:
  ``Timestamp`` from ``firebase/firestore`` (what the SDK reads);
* ``enum``: a union of literals; a list of types, ``anyOf``, ``oneOf``: a union;
* ``array``: ``T[]``;
* ``object`` with ``properties``: an object type, keys not ``required`` optional (``?``); with a
  ``title`` too: a named interface, declared once; without properties: ``Record<string, T>``;
* ``$ref: #/components/schemas/NAME``: ``NAME``, declared from the components given;
* ``{}`` (nothing known): ``unknown``.

``description`` becomes a doc comment (reStructuredText's double backquotes made single). Named
types must be unique: two different schemas under one name raise
:class:`~boiler_core.errors.GenerateError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from boiler_core.errors import GenerateError

JsonSchema = Mapping[str, Any]

INDENT = "  "
TIMESTAMP = "Timestamp"
TIMESTAMP_IMPORT = 'import type { Timestamp } from "firebase/firestore";'
REF_PREFIX = "#/components/schemas/"

_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_SIMPLE = {"string": "string", "integer": "number", "number": "number", "boolean": "boolean"}
_DATES = ("date-time", "date")


class TypeScriptWriter:
    """Collects named declarations; :meth:`text` gives them in the order they were declared.

    ``components`` are the schemas ``$ref`` may point at (an OpenAPI document's
    ``components.schemas``); each is declared the first time it is referred to.
    """

    def __init__(self, components: Mapping[str, JsonSchema] | None = None) -> None:
        self.components = dict(components or {})
        self.uses_timestamp = False
        self._declared: dict[str, JsonSchema] = {}
        self._blocks: list[str] = []

    def interface(self, name: str, schema: JsonSchema, doc: str | None = None) -> str:
        """Declare ``export interface NAME`` for an object schema; returns ``name``."""
        if not _IDENTIFIER.match(name):
            raise GenerateError(f"'{name}' cannot name a TypeScript type: use letters and digits")
        previous = self._declared.get(name)
        if previous is not None:
            if _without_docs(previous) != _without_docs(schema):
                raise GenerateError(
                    f"two different types are both named '{name}' (a TypedDict, a schema class or "
                    "a view): rename one of them"
                )
            return name
        self._declared[name] = schema
        body = self._object_body(schema, 0)  # declares nested named types first
        self._blocks.append(f"{_doc_comment(doc, 0)}export interface {name} {body}\n")
        return name

    def alias(self, name: str, type_text: str, doc: str | None = None) -> None:
        """Declare ``export interface NAME`` from ready-made members (one ``key: type`` each)."""
        self._blocks.append(f"{_doc_comment(doc, 0)}export interface {name} {type_text}\n")

    def type_of(self, schema: JsonSchema, depth: int = 0) -> str:
        """The TypeScript type of ``schema``, as written at indentation ``depth``."""
        if "$ref" in schema:
            return self._reference(str(schema["$ref"]))
        if "enum" in schema:
            return " | ".join(_literal(value) for value in schema["enum"]) or "never"
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return _union(self.type_of(option, depth) for option in schema[key])
        kind = schema.get("type")
        if isinstance(kind, list):
            return _union(self.type_of({**schema, "type": one}, depth) for one in kind)
        if kind == "null":
            return "null"
        if kind == "string" and schema.get("format") in _DATES:
            self.uses_timestamp = True
            return TIMESTAMP
        if kind in _SIMPLE:
            return _SIMPLE[str(kind)]
        if kind == "array":
            item = self.type_of(schema.get("items") or {}, depth)
            return f"{item}[]" if _IDENTIFIER.match(item) else f"Array<{item}>"
        if kind == "object" or "properties" in schema:
            if "title" in schema and "properties" in schema:
                return self.interface(str(schema["title"]), schema, schema.get("description"))
            if "properties" in schema:
                return self._object_body(schema, depth)
            extra = schema.get("additionalProperties")
            value = self.type_of(extra, depth) if isinstance(extra, Mapping) else "unknown"
            return f"Record<string, {value}>"
        return "unknown"

    def text(self) -> str:
        """Every declaration, separated by blank lines, with the imports they need first."""
        imports = [TIMESTAMP_IMPORT] if self.uses_timestamp else []
        parts = ["\n".join(imports) + "\n"] if imports else []
        return "\n".join(parts + self._blocks)

    def _object_body(self, schema: JsonSchema, depth: int) -> str:
        properties: Mapping[str, JsonSchema] = schema.get("properties") or {}
        if not properties:
            return "{}"
        required = set(schema.get("required") or ())
        pad = INDENT * (depth + 1)
        lines = ["{"]
        for key, prop in properties.items():
            optional = "" if key in required else "?"
            doc = _doc_comment(prop.get("description"), depth + 1)
            lines.append(f"{doc}{pad}{_key(key)}{optional}: {self.type_of(prop, depth + 1)};")
        lines.append(INDENT * depth + "}")
        return "\n".join(lines)

    def _reference(self, ref: str) -> str:
        if not ref.startswith(REF_PREFIX) or ref[len(REF_PREFIX) :] not in self.components:
            raise GenerateError(f"cannot resolve the schema reference '{ref}'")
        name = ref[len(REF_PREFIX) :]
        target = self.components[name]
        return self.interface(type_name(name), target, target.get("description"))


def type_name(name: str) -> str:
    """A TypeScript type name for a schema or view name: ``meeting_sessions`` ->
    ``MeetingSessions``, ``InSessionBody`` unchanged."""
    parts = [part for part in re.split(r"[^A-Za-z0-9]+", name) if part]
    joined = "".join(part[:1].upper() + part[1:] for part in parts)
    return joined if _IDENTIFIER.match(joined) else f"T{joined}"


def _union(options: Any) -> str:
    unique: list[str] = []
    for option in options:
        if option not in unique:
            unique.append(option)
    if "unknown" in unique:
        return "unknown"
    return " | ".join(unique) or "never"


def _literal(value: Any) -> str:
    if value is None or isinstance(value, bool | int | float | str):
        return json.dumps(value)
    raise GenerateError(f"enum value {value!r} has no TypeScript literal")


def _key(key: str) -> str:
    return key if _IDENTIFIER.match(key) else json.dumps(key)


def _doc_comment(text: Any, depth: int) -> str:
    if not text:
        return ""
    pad = INDENT * depth
    lines = str(text).replace("``", "`").replace("*/", "*\\/").strip().splitlines()
    if len(lines) == 1:
        return f"{pad}/** {lines[0]} */\n"
    body = "".join(f"{pad} *{' ' + line if line.strip() else ''}\n" for line in lines)
    return f"{pad}/**\n{body}{pad} */\n"


def _without_docs(schema: Any) -> Any:
    if isinstance(schema, Mapping):
        return {k: _without_docs(v) for k, v in schema.items() if k != "description"}
    if isinstance(schema, list):
        return [_without_docs(item) for item in schema]
    return schema
