"""views.yaml and firebase.json agree on boiler's functions, checked by ``boiler check``.

views.yaml is the one source: its ``project.functions_dir`` names boiler's codebase in
firebase.json (the ``functions`` entry with that ``source``), and its ``project.runtime`` is the
runtime that codebase must pin, since the functions venv is built with that Python. An app without
firebase.json has nothing to disagree with. Problems are located in views.yaml (the key to change)
and name firebase.json's value and both ways to fix it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from boiler_core.deploy.bundle import upload_files
from boiler_core.deploy.config import (
    DEFAULT_CODEBASE,
    DEFAULT_IGNORE,
    FIREBASE_JSON,
    codebase_entries,
    same_folder,
    suggested_entry,
)
from boiler_core.deploy.shipping import Allowed
from boiler_core.errors import Problem
from boiler_core.manifest import Manifest
from boiler_core.manifest.syntax import RUNTIMES


def firebase_json_problems(manifest_path: Path, manifest: Manifest) -> list[Problem]:
    """Where firebase.json (beside ``manifest_path``) disagrees with the loaded ``manifest``."""
    path = manifest_path.parent / FIREBASE_JSON
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        return [Problem(str(path), 1, 1, f"cannot be read: {exc}")]
    try:
        data = json.loads(text)
    except ValueError as exc:
        line, column = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        return [Problem(str(path), line, column, f"not valid JSON: {exc}", "fix the JSON")]
    project = manifest.project
    entries = codebase_entries(data.get("functions") if isinstance(data, dict) else None)
    matching = [e for e in entries if same_folder(str(e.get("source", "")), project.functions_dir)]
    if len(matching) != 1:
        line, column = _locate(manifest_path, ("project", "functions_dir"))
        if matching:
            message = (
                f"{len(matching)} functions codebases of {path} have source "
                f"'{project.functions_dir}' (project.functions_dir)"
            )
            return [Problem(str(manifest_path), line, column, message, "keep one of them")]
        sources = ", ".join(repr(str(e.get("source"))) for e in entries) or "none"
        message = (
            f"{path} has no functions codebase whose source is '{project.functions_dir}' "
            f"(project.functions_dir; its sources: {sources})"
        )
        hint = (
            f'add {suggested_entry(project.functions_dir, project.runtime)} to its "functions" '
            "list, or set functions_dir here to the source of boiler's codebase"
        )
        return [Problem(str(manifest_path), line, column, message, hint)]
    entry = matching[0]
    runtime = entry.get("runtime")
    if runtime == project.runtime:
        return []
    codebase = entry.get("codebase", DEFAULT_CODEBASE)
    line, column = _locate(manifest_path, ("project", "runtime"))
    found = f"runtime {runtime!r}" if runtime is not None else "no runtime"
    message = (
        f"project.runtime is '{project.runtime}', but {path}'s codebase '{codebase}' (source "
        f"'{entry.get('source')}') has {found}"
    )
    hint = f'set "runtime": "{project.runtime}" in {FIREBASE_JSON}'
    if isinstance(runtime, str) and runtime in RUNTIMES:
        hint += f", or runtime: {runtime} here"
    return [Problem(str(manifest_path), line, column, message, hint + "; they must be equal")]


def data_files_problems(manifest_path: Path, manifest: Manifest) -> list[Problem]:
    """Each glob of ``project.data_files`` that matches no file ``firebase deploy`` would upload
    from the functions folder (with firebase.json's ``ignore`` of boiler's codebase)."""
    data_files = manifest.project.data_files
    if not data_files:
        return []
    folder = manifest_path.parent / manifest.project.functions_dir
    ignore = _ignore(manifest_path.parent / FIREBASE_JSON, manifest.project.functions_dir)
    uploaded = [f.path for f in upload_files(folder, ignore).files]
    unmatched = Allowed("", data_files).unmatched(uploaded)
    if not unmatched:
        return []
    present = [f.path for f in upload_files(folder, ()).files]
    problems = []
    for glob in unmatched:
        line, column = _locate(manifest_path, ("project", "data_files", data_files.index(glob)))
        shown = f"{manifest.project.functions_dir}/{glob}"
        left_out = Allowed("", (glob,)).unmatched(present) == []
        if left_out:
            message = (
                f"data file {glob!r} would not be uploaded: firebase.json's ignore leaves out "
                f"{shown}"
            )
            hint = "remove the ignore glob that matches it, or the functions will miss it"
        else:
            message = f"data file {glob!r} matches no file: there is no {shown}"
            hint = "globs are relative to project.functions_dir; fix the entry or remove it"
        problems.append(Problem(str(manifest_path), line, column, message, hint))
    return problems


def _ignore(path: Path, functions_dir: str) -> tuple[str, ...]:
    """firebase.json's ignore globs of the codebase of ``functions_dir`` (none without one)."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    entries = codebase_entries(data.get("functions") if isinstance(data, dict) else None)
    for entry in entries:
        if same_folder(str(entry.get("source", "")), functions_dir):
            ignore = entry.get("ignore", list(DEFAULT_IGNORE))
            return (
                tuple(i for i in ignore if isinstance(i, str)) if isinstance(ignore, list) else ()
            )
    return ()


def _locate(path: Path, keys: Sequence[str | int]) -> tuple[int, int]:
    """``(line, column)`` of the value at ``keys`` (mapping keys, sequence indexes) in the YAML
    file, or of the deepest key found on the way (``1, 1`` for none)."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return 1, 1
    if root is None:
        return 1, 1
    node: yaml.Node = root
    where = (1, 1)
    for key in keys:
        if isinstance(key, int):
            if not isinstance(node, yaml.SequenceNode) or key >= len(node.value):
                break
            node = node.value[key]
            where = (node.start_mark.line + 1, node.start_mark.column + 1)
            continue
        if not isinstance(node, yaml.MappingNode):
            break
        found = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key]
        if not found:
            break
        key_node, node = found[0]
        where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    else:
        where = (node.start_mark.line + 1, node.start_mark.column + 1)
    return where
