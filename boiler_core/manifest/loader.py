"""views.yaml -> :class:`~boiler_core.manifest.model.Manifest`, reporting every problem at once.

The loader is the only place that knows the file format. It walks the composed YAML tree, checks
each section, resolves names across sections, imports hooks and schemas from the functions folder,
and either returns a fully checked manifest or raises :class:`~boiler_core.errors.ManifestError`
listing every problem with ``file:line:col``.

The allowed keys of each mapping are the ``*_KEYS`` tables below; the JSON Schema shipped for
editors (``views.schema.json``) is tested against these tables so the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from boiler_core.errors import ManifestError
from boiler_core.manifest import semantics
from boiler_core.manifest.data_files import read_data_files
from boiler_core.manifest.imports import importable_from
from boiler_core.manifest.model import (
    HttpMethod,
    Join,
    Manifest,
    Policy,
    PolicyKind,
    Project,
)
from boiler_core.manifest.operations import read_backstop, read_retry
from boiler_core.manifest.origins import read_cors_origins
from boiler_core.manifest.paths import parse_route
from boiler_core.manifest.reader import Reader, did_you_mean, scalar_value
from boiler_core.manifest.requirements import read_requirements

TOP_KEYS = ("version", "project", "collections", "views", "mutations")
PROJECT_KEYS = (
    "region",
    "runtime",
    "emulator_project_id",
    "functions_dir",
    "cors_origins",
    "requirements",
    "data_files",
    "carry_changed_document",
    "index_deep_sources",
    "check_revoked",
    "retry",
    "backstop",
)
RETRY_KEYS = (
    "max_attempts",
    "min_backoff_seconds",
    "max_backoff_seconds",
    "max_doublings",
    "max_concurrent",
)
BACKSTOP_KEYS = ("every_minutes", "limit")
COLLECTION_KEYS = ("path", "schema", "client")
CLIENT_KEYS = ("read", "write")
VIEW_KEYS = ("path", "root", "joins", "fields", "copies", "read", "description")
JOIN_KEYS = ("collection", "ref", "refs", "query", "op", "key", "parent")
FIELD_KEYS = (
    "source",
    "default",
    "equals",
    "count",
    "list",
    "where",
    "sort",
    "item",
    "limit",
    "hook",
    "reads",
)
COPY_KEYS = ("path", "for_each")
VIEW_POLICY_KEYS = ("owner", "members", "rule")
CLIENT_POLICY_KEYS = ("owner", "rule")
MUTATION_POLICY_KEYS = ("member-of", "hook")
MUTATION_KEYS = ("route", "body", "handler", "policy", "description")

Items = dict[str, tuple[yaml.Node, yaml.Node]]
"""A checked mapping: ``{key: (key_node, value_node)}`` (see :meth:`Reader.mapping`)."""

RUNTIMES = ("python311", "python312", "python313")
"""The Cloud Functions runtimes boiler supports: the Pythons it is tested on."""
HTTP_METHODS: tuple[HttpMethod, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE")
FORMAT_VERSION = 1


@dataclass
class Draft:
    """Nodes of each section kept for cross-reference checks after the structural pass."""

    reader: Reader
    base_dir: Path
    project: Project = field(default_factory=Project)
    project_node: yaml.Node | None = None
    collections: list[tuple[str, yaml.Node, yaml.Node]] = field(default_factory=list)
    views: list[tuple[str, yaml.Node, yaml.Node]] = field(default_factory=list)
    mutations: list[tuple[str, yaml.Node, yaml.Node]] = field(default_factory=list)


def load_manifest(path: Path | str, *, import_code: bool = True) -> Manifest:
    """Load and check ``views.yaml`` at ``path``; modules resolve from its functions folder."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        reader = Reader(str(path))
        reader.error(None, f"cannot read {path}: {exc.strerror}", "run boiler in the project root")
        raise ManifestError(reader.problems) from None
    return load_manifest_text(
        text, file=_display_name(path), base_dir=path.parent, import_code=import_code
    )


def load_manifest_text(
    text: str, *, file: str = "views.yaml", base_dir: Path | None = None, import_code: bool = True
) -> Manifest:
    """Load and check views.yaml given as text (``file`` names it in error messages).

    The text is parsed with libyaml (``CSafeLoader``) when PyYAML has it, about 15 times faster
    than the pure-Python parser (this load is on every cold start of the deployed functions). A
    manifest with any problem is loaded again with the pure-Python ``SafeLoader``, so that every
    message and ``line:column`` is the one that parser gives, whichever PyYAML is installed.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return _load(text, file, base_dir, import_code, fast)
        except ManifestError:
            pass
    return _load(text, file, base_dir, import_code, yaml.SafeLoader)


def _load(text: str, file: str, base_dir: Path | None, import_code: bool, loader: Any) -> Manifest:
    reader = Reader(file)
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        context = f" {exc.context}" if exc.context else ""
        problem = exc.problem or "invalid YAML"
        reader.problems.append(
            _syntax_problem(file, line, column, f"YAML syntax error{context}: {problem}")
        )
        raise ManifestError(reader.problems) from None
    except yaml.YAMLError as exc:
        reader.error(None, f"YAML syntax error: {exc}")
        raise ManifestError(reader.problems) from None
    if root is None:
        reader.error(None, "views.yaml is empty", "declare at least collections and views")
        raise ManifestError(reader.problems)
    draft = Draft(reader=reader, base_dir=base_dir or Path.cwd())
    _read_top(draft, root)
    functions_dir = draft.base_dir / draft.project.functions_dir
    with importable_from(functions_dir if import_code else None):
        manifest = semantics.build(draft, import_code=import_code)
    if reader.problems or manifest is None:
        raise ManifestError(reader.problems)
    return manifest


def _syntax_problem(file: str, line: int, column: int, message: str) -> Any:
    from boiler_core.errors import Problem

    return Problem(file, line, column, message, "fix the YAML syntax at this position")


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_top(draft: Draft, root: yaml.Node) -> None:
    reader = draft.reader
    top = reader.mapping(root, "views.yaml", TOP_KEYS, required=("collections", "views"))
    if top is None:
        return
    if "version" in top:
        node = top["version"][1]
        version = reader.integer(node, "version")
        if version is not None and version != FORMAT_VERSION:
            reader.error(
                node,
                f"unsupported version {version}",
                f"this boiler reads version {FORMAT_VERSION}",
            )
    if "project" in top:
        draft.project_node = top["project"][1]
        draft.project = _read_project(reader, top["project"][1])
    for section, target in (
        ("collections", draft.collections),
        ("views", draft.views),
        ("mutations", draft.mutations),
    ):
        if section in top:
            node = top[section][1]
            if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
                continue
            target.extend(reader.entries(node, section))


def _read_project(reader: Reader, node: yaml.Node) -> Project:
    items = reader.mapping(node, "project", PROJECT_KEYS)
    if items is None:
        return Project()
    values: dict[str, Any] = {}
    for key in ("region", "functions_dir"):
        if key in items:
            value = reader.string(items[key][1], f"project.{key}")
            if value is not None:
                values[key] = value
    if "runtime" in items:
        runtime = reader.choice(items["runtime"][1], "project.runtime", RUNTIMES)
        if runtime is not None:
            values["runtime"] = runtime
    if "emulator_project_id" in items:
        value_node = items["emulator_project_id"][1]
        value = reader.string(value_node, "project.emulator_project_id")
        if value is not None and not value.startswith("demo-"):
            reader.error(
                value_node,
                f"emulator project id '{value}' must start with 'demo-'",
                f"use demo-{value}: a demo- project can never reach a real Firebase project",
            )
        elif value is not None:
            values["emulator_project_id"] = value
    if "cors_origins" in items:
        origins = read_cors_origins(reader, items["cors_origins"][1])
        if origins is not None:
            values["cors_origins"] = origins
    if "requirements" in items:
        requirements = read_requirements(reader, items["requirements"][1])
        if requirements is not None:
            values["requirements"] = requirements
    if "data_files" in items:
        data_files = read_data_files(reader, items["data_files"][1])
        if data_files is not None:
            values["data_files"] = data_files
    if "carry_changed_document" in items:
        carry = reader.boolean(items["carry_changed_document"][1], "project.carry_changed_document")
        if carry is not None:
            values["carry_changed_document"] = carry
    if "index_deep_sources" in items:
        index = reader.boolean(items["index_deep_sources"][1], "project.index_deep_sources")
        if index is not None:
            values["index_deep_sources"] = index
    if "check_revoked" in items:
        check = reader.boolean(items["check_revoked"][1], "project.check_revoked")
        if check is not None:
            values["check_revoked"] = check
    if "retry" in items:
        read_retry(reader, items["retry"][1], RETRY_KEYS, values)
    if "backstop" in items:
        read_backstop(reader, items["backstop"][1], BACKSTOP_KEYS, values)
    return Project(**values)


# -- small readers shared with semantics ------------------------------------------------------


def read_view_policy(reader: Reader, node: yaml.Node) -> Policy | None:
    """``public`` | ``signed-in`` | ``{owner: VAR}`` | ``{members: JOIN}`` | ``{rule: EXPR}``."""
    return _read_policy(reader, node, "read policy", VIEW_POLICY_KEYS)


def read_client_policy(reader: Reader, node: yaml.Node, what: str) -> Policy | None:
    """A domain collection's ``client:`` policy: ``public`` | ``signed-in`` | ``{owner: VAR}`` |
    ``{rule: EXPR}`` (no ``members``: the engine writes no bookkeeping into domain documents)."""
    return _read_policy(reader, node, what, CLIENT_POLICY_KEYS)


def read_mutation_policy(reader: Reader, node: yaml.Node) -> Policy | None:
    """``public`` | ``signed-in`` | ``{member-of: VIEW}`` | ``{hook: module:function}``."""
    return _read_policy(reader, node, "mutation policy", MUTATION_POLICY_KEYS)


def _read_policy(
    reader: Reader, node: yaml.Node, what: str, mapping_keys: tuple[str, ...]
) -> Policy | None:
    simple: tuple[PolicyKind, ...] = ("public", "signed-in")
    if isinstance(node, yaml.ScalarNode):
        value = reader.string(node, what)
        if value is None:
            return None
        if value in simple:
            return Policy(value)
        choices = (*simple, *mapping_keys)
        reader.error(
            node,
            f"unknown {what} '{value}'",
            did_you_mean(value, choices)
            or "use public, signed-in, or " + ", ".join(f"{{{k}: ...}}" for k in mapping_keys),
        )
        return None
    items = reader.mapping(node, what, mapping_keys)
    if items is None:
        return None
    if len(items) != 1:
        if items or not node.value:  # an unknown key alone is reported already
            reader.error(node, f"{what} must have exactly one of: {', '.join(mapping_keys)}")
        return None
    ((kind, (_, value_node)),) = items.items()
    value = reader.string(value_node, f"{what} '{kind}'")
    if value is None:
        return None
    return Policy(kind, value)  # type: ignore[arg-type]


def read_route(reader: Reader, node: yaml.Node) -> tuple[HttpMethod, Any] | None:
    """``METHOD path/{var}`` -> (method, PathTemplate)."""
    text = reader.string(node, "route")
    if text is None:
        return None
    parts = text.split()
    if len(parts) != 2:
        reader.error(
            node,
            f"malformed route '{text}'",
            "write METHOD path, e.g. PATCH meeting_sessions/{meeting}",
        )
        return None
    method, path = parts
    if method.upper() not in HTTP_METHODS:
        reader.error(
            node,
            f"unknown HTTP method '{method}' in route '{text}'",
            did_you_mean(method.upper(), HTTP_METHODS) or f"one of {', '.join(HTTP_METHODS)}",
        )
        return None
    template = parse_route(reader, node, path)
    if template is None:
        return None
    return method.upper(), template  # type: ignore[return-value]


def read_constant(node: yaml.Node) -> Any:
    """A YAML constant (``equals``, ``default``, ``where`` values) as a Python value."""
    return scalar_value(node)


__all__ = ["Join", "load_manifest", "load_manifest_text"]
