"""Seed files: domain documents written as YAML or JSON, checked against views.yaml.

A seed file maps document paths to their fields, in the order they are written::

    users/ada:
      name: Ada Lovelace
    posts/p1:
      title: Notes on the engine
      author: !ref users/ada          # a reference to a document (YAML tag)
      editor: {$ref: users/ada}       # the same, in a form JSON can say too
      published: 2026-12-01T10:00:00Z # a YAML timestamp is stored as a Firestore timestamp
      edited: {$time: "2026-12-02T08:30:00Z"}

Every path must be a document of a collection views.yaml declares. When the collection has a
``schema:``, the document is loaded with it (marshmallow), so a field the schema declares as a
:class:`~boiler_core.schema_fields.Reference` may also be written as a plain path or id, and the
schema's defaults apply. Every problem in the file is reported at once, as ``file:line:col``
(:class:`~boiler_core.errors.SeedError`); nothing is written from a file with problems.

Other files that hold document values (``boiler demo``'s story) share this syntax through
:func:`decode_value`, :func:`domain_collection` and :class:`SchemaCheck`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema, ValidationError

from boiler_core.documents import Ref
from boiler_core.errors import Problem, SeedError
from boiler_core.manifest.imports import ImportProblem, import_object, importable_from
from boiler_core.manifest.model import Manifest
from boiler_core.manifest.reader import Reader, describe, did_you_mean

REF_TAG = "!ref"
"""The YAML tag of a reference: ``author: !ref users/ada``."""

REF_KEY = "$ref"
"""The one key of a mapping that stands for a reference: ``{$ref: users/ada}``."""

TIME_KEY = "$time"
"""The one key of a mapping that stands for a timestamp: ``{$time: "2026-12-01T10:00:00Z"}``."""

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_NULL = "tag:yaml.org,2002:null"


def read_seed(path: Path, manifest: Manifest, functions_dir: Path | None = None) -> dict[str, Any]:
    """The documents of the seed file at ``path``, ``{path: fields}`` in file order.

    Schemas are imported from ``functions_dir`` (the app's functions folder). Raises
    :class:`SeedError` listing every problem.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(
            [Problem(str(path), 1, 1, f"cannot read the seed file: {exc.strerror}")]
        ) from None
    return parse_seed(text, manifest, file=str(path), functions_dir=functions_dir)


def parse_seed(
    text: str, manifest: Manifest, *, file: str = "seed.yaml", functions_dir: Path | None = None
) -> dict[str, Any]:
    """Like :func:`read_seed`, for the text of a seed file; ``file`` names it in messages."""
    reader = Reader(file)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "not valid YAML or JSON"
        message = f"cannot parse the seed file: {problem}"
        raise SeedError([Problem(file, line, column, message)]) from None
    if root is None:
        return {}
    schemas = SchemaCheck(manifest, functions_dir)
    documents: dict[str, Any] = {}
    for doc_path, key_node, value_node in reader.entries(root, "the seed file"):
        collection = domain_collection(reader, manifest, doc_path, key_node)
        if not isinstance(value_node, yaml.MappingNode):
            reader.error(
                value_node,
                f"the fields of {doc_path} must be a mapping, not {describe(value_node)}",
                "write `path: {field: value, ...}`",
            )
            continue
        before = len(reader.problems)
        data = decode_value(reader, value_node)
        if collection is None or len(reader.problems) > before or not isinstance(data, dict):
            continue  # the schema would only repeat a problem already reported
        documents[doc_path] = schemas.load(reader, collection, doc_path, data, value_node)
    if reader.problems:
        raise SeedError(reader.problems)
    return documents


def domain_collection(reader: Reader, manifest: Manifest, path: str, node: yaml.Node) -> str | None:
    """The domain collection whose path template ``path`` matches; None, with a problem recorded
    at ``node``, when there is none."""
    for name, collection in manifest.collections.items():
        if collection.path.match(path) is not None:
            return name
    templates = [c.path.text for c in manifest.collections.values()]
    if path.count("/") % 2 == 0:
        hint = "a document path has an even number of segments, e.g. users/ada"
    else:
        close = did_you_mean(path.split("/")[0], manifest.collections)
        listed = ", ".join(templates) or "none"
        hint = close or f"the domain collections of views.yaml: {listed}"
    reader.error(node, f"'{path}' is not a document of a collection views.yaml declares", hint)
    return None


def decode_value(reader: Reader, node: yaml.Node) -> Any:
    """The value of ``node`` written in seed-file syntax: references (``!ref PATH``,
    ``{$ref: PATH}``) become :class:`~boiler_core.documents.Ref`, timestamps (a YAML timestamp,
    ``{$time: ISO}``) timezone-aware datetimes; lists and mappings are decoded item by item.
    Problems are recorded on ``reader`` at their node."""
    if node.tag == REF_TAG:
        return _ref(reader, node, node.value if isinstance(node, yaml.ScalarNode) else None)
    if isinstance(node, yaml.MappingNode):
        keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
        if keys in ([REF_KEY], [TIME_KEY]):
            value_node = node.value[0][1]
            value = value_node.value if isinstance(value_node, yaml.ScalarNode) else None
            if keys == [REF_KEY]:
                return _ref(reader, value_node, value)
            return _time(reader, value_node, value)
        return {
            str(key): decode_value(reader, value)
            for key_node, value in node.value
            if (key := reader.key(key_node, "a document's fields")) is not None
        }
    if isinstance(node, yaml.SequenceNode):
        return [decode_value(reader, item) for item in node.value]
    try:
        value = yaml.safe_load(yaml.serialize(node))
    except yaml.YAMLError:
        reader.error(
            node, f"unknown tag {node.tag}", f"the only tag a seed file knows is {REF_TAG}"
        )
        return None
    if node.tag == _TIMESTAMP and isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _ref(reader: Reader, node: yaml.Node, value: Any) -> Ref | None:
    segments = value.split("/") if isinstance(value, str) else []
    if len(segments) < 2 or len(segments) % 2 or not all(segments):
        reader.error(
            node,
            f"a reference must name a document path, not {value!r}",
            "write the whole path, e.g. !ref users/ada or {$ref: users/ada}",
        )
        return None
    return Ref(value)


def _time(reader: Reader, node: yaml.Node, value: Any) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        reader.error(
            node,
            f"a timestamp must be an ISO 8601 date and time, not {value!r}",
            'for example {$time: "2026-12-01T10:00:00Z"}',
        )
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


class SchemaCheck:
    """Documents checked by their collection's marshmallow schema, each schema imported once
    from the functions folder."""

    def __init__(self, manifest: Manifest, functions_dir: Path | None) -> None:
        self._manifest = manifest
        self._functions_dir = functions_dir
        self._loaded: dict[str, type[Schema] | None] = {}

    def load(
        self,
        reader: Reader,
        collection: str,
        path: str,
        data: dict[str, Any],
        node: yaml.MappingNode,
        *,
        partial: bool = False,
    ) -> dict[str, Any]:
        """``data`` loaded by the collection's schema (as given when it has none); each
        validation error recorded at its field. ``partial``: some fields of a document (an
        update), so required fields may be missing and no defaults are added."""
        schema = self._schema(reader, collection, node)
        if schema is None:
            return data
        try:
            loaded = schema().load(data, partial=partial)
        except ValidationError as exc:
            _report(reader, path, node, exc.messages, schema.__name__)
            return data
        return loaded if isinstance(loaded, dict) else data

    def _schema(self, reader: Reader, collection: str, node: yaml.Node) -> type[Schema] | None:
        if collection not in self._loaded:
            spec = self._manifest.collections[collection].schema
            schema = None
            if spec is not None:
                try:
                    with importable_from(self._functions_dir):
                        schema = import_object(spec)
                except ImportProblem as exc:
                    reader.error(node, f"cannot check against {spec}: {exc.message}", exc.hint)
            self._loaded[collection] = schema
        return self._loaded[collection]


def _report(reader: Reader, path: str, node: yaml.MappingNode, messages: Any, schema: str) -> None:
    """Record each field's validation messages at that field's value (or at the document)."""
    fields = {
        key.value: (key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)
    }
    items = messages.items() if isinstance(messages, Mapping) else [("_schema", messages)]
    for name, problem in items:
        text = "; ".join(_flatten(problem))
        if name in fields:
            key, value = fields[name]
            where = value if value.tag != _NULL else key
            reader.error(where, f"{path}: field '{name}': {text}", f"see {schema}")
        else:
            reader.error(node, f"{path}: field '{name}': {text}", f"see {schema}")


def _flatten(messages: Any) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, Mapping):
        return [f"{key}: {text}" for key, value in messages.items() for text in _flatten(value)]
    if isinstance(messages, list | tuple):
        return [text for item in messages for text in _flatten(item)]
    return [str(messages)]
