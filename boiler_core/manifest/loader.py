"""views.yaml -> :class:`~boiler_core.manifest.model.Manifest`, reporting every problem at once.

The loader parses the text, reads the top level and ``project:``, and hands the sections to
:func:`~boiler_core.manifest.semantics.build`, which checks each of them and resolves names across
them (importing hooks and schemas from the functions folder). It returns a fully checked manifest
or raises :class:`~boiler_core.errors.ManifestError` listing every problem with
``file:line:col``. The keys each mapping may hold are in :mod:`.syntax`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from boiler_core.errors import ManifestError
from boiler_core.manifest.data_files import read_data_files
from boiler_core.manifest.imports import importable_from
from boiler_core.manifest.model import Join, Manifest, Project
from boiler_core.manifest.operations import read_backstop, read_retry
from boiler_core.manifest.origins import read_cors_origins
from boiler_core.manifest.reader import Reader
from boiler_core.manifest.requirements import read_requirements
from boiler_core.manifest.semantics import Draft, build
from boiler_core.manifest.syntax import (
    BACKSTOP_KEYS,
    FORMAT_VERSION,
    PROJECT_KEYS,
    REMOVED_PROJECT_KEYS,
    RETRY_KEYS,
    RUNTIMES,
    TOP_KEYS,
)


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
        manifest = build(draft, import_code=import_code)
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
    items = reader.mapping(node, "project", (*PROJECT_KEYS, *REMOVED_PROJECT_KEYS))
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
    for key, why in REMOVED_PROJECT_KEYS.items():
        if key in items:
            reader.error(items[key][0], f"project.{key} is no longer an option: {why}", "delete it")
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


__all__ = ["Join", "load_manifest", "load_manifest_text"]
