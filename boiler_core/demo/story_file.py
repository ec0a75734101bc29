"""Story files: what ``boiler demo`` plays, written in YAML beside views.yaml (``demo.yaml``).

::

    watch: cards/p1                    # the view document to follow, as a front end would
    steps:
      - title: Ada writes a post
        seed: seed.yaml                # the documents of a seed file (relative to this file)
        expect: {title: Notes, author: Ada Lovelace}
      - title: Ada renames herself; the post's card shows it
        update:
          users/ada: {name: Ada King}
        expect: {author: Ada King}
        check:
          profiles/ada: {name: Ada King}
      - title: The post is deleted, and its card with it
        delete: posts/p1
        expect: deleted

A step's writes are ``seed`` (a seed file's documents), ``set`` and ``update`` (``{path: {field:
value}}``, values in the seed file's syntax: ``!ref users/ada``, timestamps) and ``delete`` (a
path or a list of paths), applied in that order. ``expect`` lists fields the watched document
must reach (the view's own fields) or says ``deleted``; ``check`` lists other documents to check
once the triggers are quiet: fields, ``deleted``, or ``same`` (a view document whose fields equal
the watched document's, such as a member's copy). Every problem, in the story and in the seed
files it names, is reported at once as ``file:line:col`` (:class:`~boiler_core.errors.StoryError`)
before anything starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from boiler_core.demo.story import Expectation, Step, Story, Write
from boiler_core.errors import Problem, SeedError, StoryError
from boiler_core.manifest.model import Manifest, View
from boiler_core.manifest.reader import Reader, describe, did_you_mean
from boiler_core.seed import SchemaCheck, decode_value, domain_collection, parse_seed

STORY_KEYS = ("watch", "steps")
STEP_KEYS = ("title", "seed", "set", "update", "delete", "expect", "check", "note")
WRITE_KEYS = ("set", "update", "delete")
DELETED = "deleted"
SAME = "same"


def read_story(path: Path, manifest: Manifest, functions_dir: Path | None = None) -> Story:
    """The story in the file at ``path``; schemas import from ``functions_dir``. Raises
    :class:`StoryError` listing every problem."""
    file = _shown(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StoryError([Problem(file, 1, 1, f"cannot read the story: {exc.strerror}")]) from None
    return parse_story(text, manifest, file=file, base_dir=path.parent, functions_dir=functions_dir)


def parse_story(
    text: str,
    manifest: Manifest,
    *,
    file: str = "demo.yaml",
    base_dir: Path | None = None,
    functions_dir: Path | None = None,
) -> Story:
    """Like :func:`read_story`, for the text of a story file; seed files it names are found from
    ``base_dir`` (default: the working directory)."""
    reader = Reader(file)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "not valid YAML"
        raise StoryError(
            [Problem(file, line, column, f"cannot parse the story: {problem}")]
        ) from None
    if root is None:
        reader.error(None, "the story is empty", "write watch: VIEW_DOCUMENT and steps: [...]")
        raise StoryError(reader.problems)
    parser = _Parser(reader, manifest, base_dir or Path.cwd(), functions_dir)
    story = parser.story(root)
    problems = reader.problems + parser.seed_problems
    if problems or story is None:
        raise StoryError(problems)
    return story


class _Parser:
    def __init__(
        self, reader: Reader, manifest: Manifest, base_dir: Path, functions_dir: Path | None
    ) -> None:
        self.reader = reader
        self.manifest = manifest
        self.base_dir = base_dir
        self.functions_dir = functions_dir
        self.schemas = SchemaCheck(manifest, functions_dir)
        self.seed_problems: list[Problem] = []

    def story(self, node: yaml.Node) -> Story | None:
        items = self.reader.mapping(node, "the story", STORY_KEYS, STORY_KEYS)
        if items is None:
            return None
        watched: tuple[str, View] | None = None
        if "watch" in items:
            watch_node = items["watch"][1]
            path = self.reader.string(watch_node, "watch")
            view = None if path is None else self._view_of(path, watch_node, "watch")
            watched = None if path is None or view is None else (path, view)
        steps: list[Step | None] = []
        if "steps" in items:
            nodes = self.reader.sequence(items["steps"][1], "steps") or []
            if not nodes and isinstance(items["steps"][1], yaml.SequenceNode):
                self.reader.error(items["steps"][1], "the story has no steps", "add a step")
            steps = [self.step(n, i, watched) for i, n in enumerate(nodes, 1)]
        if watched is None or not steps or any(s is None for s in steps):
            return None
        path, view = watched
        names = tuple(name for name, _ in view.fields)
        return Story(
            self.reader.file, path, view.name, names, tuple(s for s in steps if s is not None)
        )

    def step(self, node: yaml.Node, number: int, watched: tuple[str, View] | None) -> Step | None:
        reader = self.reader
        what = f"step {number}"
        items = reader.mapping(node, what, STEP_KEYS, ("title",))
        if items is None:
            return None
        before = len(reader.problems) + len(self.seed_problems)
        title = reader.string(items["title"][1], f"title of {what}") if "title" in items else None
        note = reader.string(items["note"][1], f"note of {what}") if "note" in items else None
        writes: list[Write] = []
        seed = None
        if "seed" in items:
            seed, seeded = self._seed(items["seed"][1], what)
            writes.extend(seeded)
        seeded_count = len(writes)
        for key in (k for k in items if k in WRITE_KEYS):
            writes.extend(self._writes(key, items[key][1], what))
        if not any(k in items for k in ("seed", *WRITE_KEYS)):
            reader.error(
                node,
                f"{what} writes nothing",
                "give it seed: FILE, set: {PATH: {...}}, update: {PATH: {...}} or delete: PATH",
            )
        expect = None
        if "expect" in items and watched is not None:  # else the watch is reported
            path, view = watched
            expect = self._expectation(items["expect"][1], path, view, f"expect of {what}")
        checks = self._checks(items["check"][1], what) if "check" in items else ()
        if len(reader.problems) + len(self.seed_problems) > before or title is None:
            return None
        return Step(title, tuple(writes), seed, seeded_count, expect, checks, note)

    # -- writes ----------------------------------------------------------------------------------

    def _seed(self, node: yaml.Node, what: str) -> tuple[str | None, list[Write]]:
        name = self.reader.string(node, f"seed of {what}")
        if name is None:
            return None, []
        path = self.base_dir / name
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            self.reader.error(
                node,
                f"cannot read the seed file {name}: {exc.strerror}",
                "seed names a file by its path from the story file's folder",
            )
            return None, []
        try:
            documents = parse_seed(
                text, self.manifest, file=_shown(path), functions_dir=self.functions_dir
            )
        except SeedError as exc:
            self.seed_problems.extend(exc.problems)
            return None, []
        return name, [Write("set", doc_path, data) for doc_path, data in documents.items()]

    def _writes(self, key: str, node: yaml.Node, what: str) -> list[Write]:
        if key == "delete":
            listed = self.reader.strings(node, f"delete of {what}") or []
            return [
                Write("delete", path)
                for path, item in listed
                if domain_collection(self.reader, self.manifest, path, item) is not None
            ]
        writes = []
        for path, key_node, value_node in self.reader.entries(node, f"{key} of {what}"):
            collection = domain_collection(self.reader, self.manifest, path, key_node)
            if not isinstance(value_node, yaml.MappingNode):
                self.reader.error(
                    value_node,
                    f"the fields to {key} of {path} must be a mapping, not {describe(value_node)}",
                    f"write `{path}: {{field: value, ...}}`",
                )
                continue
            problems = len(self.reader.problems)
            data = decode_value(self.reader, value_node)
            if collection is None or len(self.reader.problems) > problems:
                continue
            loaded = self.schemas.load(
                self.reader, collection, path, data, value_node, partial=key == "update"
            )
            writes.append(Write("set" if key == "set" else "update", path, loaded))
        return writes

    # -- expectations ----------------------------------------------------------------------------

    def _expectation(self, node: yaml.Node, path: str, view: View, what: str) -> Expectation | None:
        if isinstance(node, yaml.ScalarNode) and node.value in (DELETED, SAME):
            if node.value == SAME and what.startswith("expect"):
                self.reader.error(
                    node,
                    f"{what}: '{SAME}' compares another document with the watched one",
                    f"list the fields the watched document must reach, or '{DELETED}'",
                )
                return None
            return Expectation(
                path, deleted=node.value == DELETED, same_as_watched=node.value == SAME
            )
        if not isinstance(node, yaml.MappingNode):
            self.reader.error(
                node,
                f"{what} must be a mapping of fields or '{DELETED}', not {describe(node)}",
                "e.g. {title: Notes} or deleted",
            )
            return None
        declared = [name for name, _ in view.fields]
        fields: dict[str, Any] = {}
        for name, key_node, value_node in self.reader.entries(node, what):
            if name not in declared:
                self.reader.error(
                    key_node,
                    f"{what}: view '{view.name}' has no field '{name}'",
                    did_you_mean(name, declared) or f"its fields: {', '.join(declared)}",
                )
                continue
            fields[name] = decode_value(self.reader, value_node)
        return Expectation(path, fields=fields)

    def _checks(self, node: yaml.Node, what: str) -> tuple[Expectation, ...]:
        checks = []
        for path, key_node, value_node in self.reader.entries(node, f"check of {what}"):
            view = self._view_of(path, key_node, f"check of {what}")
            if view is not None:
                check = self._expectation(value_node, path, view, f"check of {path}")
                if check is not None:
                    checks.append(check)
        return tuple(checks)

    def _view_of(self, path: str, node: yaml.Node, what: str) -> View | None:
        """The view whose master or copy ``path`` is; None (a problem) when none is."""
        for view in self.manifest.views.values():
            templates = [view.path, *(copy.path for copy in view.copies)]
            if any(template.match(path) is not None for template in templates):
                return view
        known = [
            t.text
            for v in self.manifest.views.values()
            for t in (v.path, *(c.path for c in v.copies))
        ]
        self.reader.error(
            node,
            f"{what}: '{path}' is not a document of a view views.yaml declares",
            f"view documents: {', '.join(known) or 'none'}",
        )
        return None


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
