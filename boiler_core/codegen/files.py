"""The generated files of a project, where they go, and what writing each would do.

Files go where the project keeps them: boiler's functions folder (``project.functions_dir``),
and the rules and indexes files firebase.json names (``firestore.rules`` and
``firestore.indexes.json`` beside views.yaml by default); a copy of the views.yaml schema beside
views.yaml is kept current when there is one. A file boiler did not generate is never
overwritten (:mod:`.placement`). This module reads the project's files; only the CLI writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from boiler_core.codegen import INDEXES_FILE, render_all
from boiler_core.codegen.placement import Placement, Refusal, place
from boiler_core.codegen.rules import RULES_FILE, render_rules_block
from boiler_core.errors import GenerateError
from boiler_core.manifest import Manifest
from boiler_core.manifest.json_schema import SCHEMA_FILE, is_boiler_schema, schema_text

_VERBS = {"create": "wrote", "replace": "wrote", "merge": "merged boiler's part into"}


@dataclass(frozen=True)
class Planned:
    """One generated file and what writing it does."""

    path: Path
    shown: str
    """The path as printed: relative to the project root."""
    placement: Placement

    @property
    def verb(self) -> str:
        """What writing it does, as printed: ``wrote``, ``merged boiler's part into``."""
        return _VERBS.get(self.placement.action, "kept")


def plan(
    manifest: Manifest, root: Path, *, force: bool = False
) -> tuple[list[Planned], list[Refusal]]:
    """Every generated file of the project at ``root`` and what writing it would do, and the
    files boiler may not touch."""
    rules, indexes = firestore_files(root)
    targets = {RULES_FILE: rules, INDEXES_FILE: indexes}
    rendered = dict(render_all(manifest))
    schema = root / SCHEMA_FILE
    if schema.is_file() and is_boiler_schema(schema.read_text(encoding="utf-8")):
        rendered[SCHEMA_FILE] = schema_text()
    block = render_rules_block(manifest)
    planned, refused = [], []
    for relative, content in sorted(rendered.items()):
        shown = targets.get(relative, relative)
        path = root / shown
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        try:
            placement = place(shown, content, current, rules_block=block, force=force)
        except Refusal as refusal:
            refused.append(refusal)
            continue
        planned.append(Planned(path, shown, placement))
    return planned, refused


def firestore_files(root: Path) -> tuple[str, str]:
    """The rules and indexes files of the project at ``root``, relative to it: firebase.json's
    ``firestore.rules`` and ``firestore.indexes``, else the defaults."""
    rules, indexes = RULES_FILE, INDEXES_FILE
    config = root / "firebase.json"
    if config.is_file():
        try:
            firestore = json.loads(config.read_text(encoding="utf-8")).get("firestore")
        except (ValueError, AttributeError):
            raise GenerateError(
                f"{config}: not a JSON object; fix it so boiler can find the rules and indexes"
            ) from None
        if isinstance(firestore, list):  # several databases: boiler serves the default one
            firestore = next((f for f in firestore if f.get("database") in (None, "(default)")), {})
        if isinstance(firestore, dict):
            rules = str(firestore.get("rules") or rules)
            indexes = str(firestore.get("indexes") or indexes)
    return rules, indexes
