"""Cross-reference checks of views.yaml: names, joins, field paths, hooks, outputs, cycles, routes.

:func:`build` turns the sections the loader collected into the frozen model. Each problem is
recorded on the reader with its position, and building carries on, so one run reports them all.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import marshmallow
import yaml

from boiler_core.manifest.fields import FieldReader
from boiler_core.manifest.imports import ImportProblem, import_object, is_spec
from boiler_core.manifest.joins import Joins, check_link_fields, read_joins
from boiler_core.manifest.model import (
    ROOT,
    ClientAccess,
    Collection,
    Copy,
    HttpMethod,
    Join,
    Manifest,
    Mutation,
    PathTemplate,
    Policy,
    Project,
    View,
)
from boiler_core.manifest.paths import Scope, parse_template, read_route
from boiler_core.manifest.policies import (
    check_view_policy,
    read_client_access,
    read_mutation_policy,
    read_view_policy,
)
from boiler_core.manifest.reader import Reader, did_you_mean
from boiler_core.manifest.syntax import COLLECTION_KEYS, COPY_KEYS, MUTATION_KEYS, VIEW_KEYS


@dataclass
class Draft:
    """What the loader read: the project, and the nodes of the other sections, checked here."""

    reader: Reader
    base_dir: Path
    project: Project = field(default_factory=Project)
    project_node: yaml.Node | None = None
    collections: list[tuple[str, yaml.Node, yaml.Node]] = field(default_factory=list)
    views: list[tuple[str, yaml.Node, yaml.Node]] = field(default_factory=list)
    mutations: list[tuple[str, yaml.Node, yaml.Node]] = field(default_factory=list)


def build(draft: Draft, *, import_code: bool) -> Manifest | None:
    """Check every section of ``draft`` against the others and build the manifest."""
    builder = _Builder(draft, import_code)
    return builder.build()


class _Builder:
    def __init__(self, draft: Draft, import_code: bool) -> None:
        self.draft = draft
        self.reader: Reader = draft.reader
        self.import_code = import_code
        self.collections: dict[str, Collection] = {}
        self.schema_fields: dict[str, frozenset[str] | None] = {}
        self.view_outputs: dict[str, tuple[str, yaml.Node]] = {}
        self.view_fields: dict[str, frozenset[str]] = {}
        self.view_sources: dict[str, set[str]] = {}
        self.outputs: dict[str, list[PathTemplate]] = {}
        """Per view, the master and copy path templates that parsed (for _check_outputs)."""

    # -- entry -----------------------------------------------------------------------------------

    def build(self) -> Manifest | None:
        for name, key_node, node in self.draft.collections:
            self._collection(name, key_node, node)
        self._collect_view_outputs()
        views: dict[str, View] = {}
        for name, key_node, node in self.draft.views:
            view = self._view(name, key_node, node)
            if view is not None:
                views[name] = view
        self._check_outputs()
        self._check_cycles()
        mutations: dict[str, Mutation] = {}
        for name, key_node, node in self.draft.mutations:
            mutation = self._mutation(name, key_node, node, views)
            if mutation is not None:
                mutations[name] = mutation
        self._check_routes(mutations)
        if self.reader.problems:
            return None
        return Manifest(self.draft.project, self.collections, views, mutations)

    # -- imports ---------------------------------------------------------------------------------

    def _import(self, node: yaml.Node, spec: str, what: str) -> Any:
        if not is_spec(spec):
            self.reader.error(
                node,
                f"{what} '{spec}' is not of the form module:name",
                "e.g. meeting_room.hooks:attending",
            )
            return None
        if not self.import_code:
            return None
        try:
            return import_object(spec)
        except ImportProblem as problem:
            self.reader.error(node, problem.message, problem.hint)
            return None

    def _callable(self, node: yaml.Node, spec: str, what: str) -> None:
        obj = self._import(node, spec, what)
        if obj is not None and not callable(obj):
            self.reader.error(
                node,
                f"{what} '{spec}' is not callable (it is {type(obj).__name__})",
                "point it at a function",
            )

    def _schema(self, node: yaml.Node, spec: str, what: str) -> frozenset[str] | None:
        obj = self._import(node, spec, what)
        if obj is None:
            return None
        if not (inspect.isclass(obj) and issubclass(obj, marshmallow.Schema)):
            kind = "a class" if inspect.isclass(obj) else type(obj).__name__
            self.reader.error(
                node,
                f"{what} '{spec}' is not a marshmallow Schema (it is {kind})",
                "point it at a class deriving from marshmallow.Schema",
            )
            return None
        fields = obj().fields
        return frozenset(f.data_key or name for name, f in fields.items())

    # -- collections -----------------------------------------------------------------------------

    def _collection(self, name: str, key_node: yaml.Node, node: yaml.Node) -> None:
        reader = self.reader
        items = reader.mapping(node, f"collection '{name}'", COLLECTION_KEYS, ("path",))
        if items is None:
            return
        template = None
        if "path" in items:
            path_node = items["path"][1]
            text = reader.string(path_node, f"path of collection '{name}'")
            if text is not None:
                template = parse_template(reader, path_node, text, "collection path")
            if template is not None and (
                len(template.segments) != 2 or template.segments[0] != name
            ):
                reader.error(
                    path_node,
                    f"collection '{name}' must have the path {name}/{{id}}, not '{text}'",
                    f"domain collections are top level: path: {name}/{{id}}",
                )
                template = None
        schema = None
        fields: frozenset[str] | None = None
        if "schema" in items:
            schema_node = items["schema"][1]
            schema = reader.string(schema_node, f"schema of collection '{name}'")
            if schema is not None:
                fields = self._schema(schema_node, schema, "schema")
        client: ClientAccess | None = None
        if "client" in items:
            client = read_client_access(
                reader, items["client"][1], template, f"collection '{name}'"
            )
        if template is not None:  # kept when client: is invalid, so names still resolve
            self.collections[name] = Collection(name, template, schema, client or ClientAccess())
            self.schema_fields[name] = fields

    # -- views -----------------------------------------------------------------------------------

    def _collect_view_outputs(self) -> None:
        """First pass: each view's output collection and field names (views may feed views)."""
        for name, key_node, node in self.draft.views:
            if not isinstance(node, yaml.MappingNode):
                continue
            for k, v in node.value:
                if (
                    isinstance(k, yaml.ScalarNode)
                    and k.value == "path"
                    and isinstance(v, yaml.ScalarNode)
                ):
                    segments = str(v.value).split("/")
                    if len(segments) == 2:
                        self.view_outputs.setdefault(segments[0], (name, key_node))
                if (
                    isinstance(k, yaml.ScalarNode)
                    and k.value == "root"
                    and isinstance(v, yaml.ScalarNode)
                ):
                    self.view_sources.setdefault(name, set()).add(str(v.value))
                if (
                    isinstance(k, yaml.ScalarNode)
                    and k.value == "joins"
                    and isinstance(v, yaml.MappingNode)
                ):
                    for _, join in v.value:
                        for jk, jv in join.value if isinstance(join, yaml.MappingNode) else ():
                            if jk.value == "collection" and isinstance(jv, yaml.ScalarNode):
                                self.view_sources.setdefault(name, set()).add(str(jv.value))
                if (
                    isinstance(k, yaml.ScalarNode)
                    and k.value == "fields"
                    and isinstance(v, yaml.MappingNode)
                ):
                    self.view_fields[name] = frozenset(
                        str(fk.value) for fk, _ in v.value if isinstance(fk, yaml.ScalarNode)
                    )

    def _source_fields(self, collection: str) -> frozenset[str] | None:
        if collection in self.schema_fields:
            return self.schema_fields[collection]
        if collection in self.view_outputs:
            return self.view_fields.get(self.view_outputs[collection][0])
        return None

    def _known_source(self, node: yaml.Node, collection: str, what: str) -> bool:
        if collection in self.collections or collection in self.view_outputs:
            return True
        choices = set(self.collections) | set(self.view_outputs)
        self.reader.error(
            node,
            f"{what} names unknown collection '{collection}'",
            did_you_mean(collection, choices)
            or f"declare it under collections (known: {', '.join(sorted(choices)) or 'none'})",
        )
        return False

    def _view(self, name: str, key_node: yaml.Node, node: yaml.Node) -> View | None:
        """Check one view; every part that does not depend on another is checked, so each of
        its independent problems is reported. None when it has any."""
        reader = self.reader
        what = f"view '{name}'"
        items = reader.mapping(node, what, VIEW_KEYS, ("path", "fields"))
        if items is None:
            return None
        template: PathTemplate | None = None
        if "path" in items:
            path_node = items["path"][1]
            text = reader.string(path_node, f"path of {what}")
            if text is not None:
                template = parse_template(reader, path_node, text, "view path")
            if template is not None and len(template.segments) != 2:
                reader.error(
                    path_node,
                    f"view path '{text}' must be collection/{{id}}; "
                    f"variable(s) {', '.join(template.variables[:-1])} would be unbound",
                    "put per-member documents under copies: and keep the view path top level",
                )
                template = None
        root: str | None = None
        if "root" not in items:
            reader.error(
                key_node,
                f"{what} has no root source",
                "add root: COLLECTION, the collection whose documents each make one view document",
            )
        else:
            root_node = items["root"][1]
            root = reader.string(root_node, f"root of {what}")
            if root is not None and not self._known_source(root_node, root, f"root of {what}"):
                root = None
        tree = Joins({}, frozenset(), True)
        if "joins" in items:
            tree = read_joins(reader, items["joins"][1], what, self._known_source)
            check_link_fields(
                reader, tree.joins, root, items["joins"][1], what, self._source_fields
            )
        joins = tree.joins
        # With an unknown root, fields are still checked against the joins (root fields unknown).
        root_fields = None if root is None else self._source_fields(root)
        scope_fields: dict[str, frozenset[str] | None] = {ROOT: root_fields}
        collections = {ROOT: root or "?"}
        for join in joins.values():
            scope_fields[join.name] = self._source_fields(join.collection)
            collections[join.name] = join.collection
        scope = Scope(ROOT, joins, scope_fields, collections, False, tree.broken)
        fields = None
        if "fields" in items:
            fields = FieldReader(reader, scope, self._callable).fields(items["fields"][1], what)
        copies: tuple[Copy, ...] | None = ()
        if "copies" in items:
            copies = self._copies(items["copies"][1], what, template, joins, tree.broken)
        self.outputs[name] = [
            t for t in (template, *(c.path for c in copies or ())) if t is not None
        ]
        read = None
        if "read" in items:
            read = read_view_policy(reader, items["read"][1])
            if read is not None and read.kind == "members" and read.value in tree.broken:
                read = None  # the join's own problem is reported where it is declared
            elif read is not None and (template is not None or read.kind != "owner"):
                enforceable = check_view_policy(
                    reader, items["read"][1], read, template, joins, what
                )
                read = read if enforceable else None
        if not tree.ok or fields is None or copies is None or ("read" in items and read is None):
            return None
        if template is None or root is None:
            return None
        view = View(name, template, root, tuple(joins.values()), fields, copies)
        return view if read is None else replace(view, read=read)

    def _copies(
        self,
        node: yaml.Node,
        what: str,
        master: PathTemplate | None,
        joins: Mapping[str, Join],
        broken: frozenset[str],
    ) -> tuple[Copy, ...] | None:
        """Every copy of a view, each checked on its own; None when any has a problem."""
        items = self.reader.sequence(node, f"copies of {what}")
        if items is None:
            return None
        out = [self._copy(item, what, master, joins, broken) for item in items]
        if any(copy is None for copy in out):
            return None
        return tuple(copy for copy in out if copy is not None)

    def _copy(
        self,
        node: yaml.Node,
        what: str,
        master: PathTemplate | None,
        joins: Mapping[str, Join],
        broken: frozenset[str],
    ) -> Copy | None:
        reader = self.reader
        fields = reader.mapping(node, f"copy of {what}", COPY_KEYS, ("path", "for_each"))
        if fields is None:
            return None
        template = join_name = None
        if "path" in fields:
            path_node = fields["path"][1]
            text = reader.string(path_node, f"copy path of {what}")
            if text is not None:
                template = parse_template(reader, path_node, text, "copy path")
            if template is not None and master is not None:
                template = self._copy_variables(path_node, template, master)
        if "for_each" in fields:
            join_node = fields["for_each"][1]
            join_name = reader.string(join_node, f"for_each of {what}")
            if join_name is not None and not self._member_join(
                join_node, join_name, what, joins, broken
            ):
                join_name = None
        if template is None or join_name is None or master is None:
            return None
        member = next(v for v in template.variables if v != master.variables[0])
        return Copy(template, join_name, member)

    def _member_join(
        self,
        node: yaml.Node,
        name: str,
        what: str,
        joins: Mapping[str, Join],
        broken: frozenset[str],
    ) -> bool:
        """Whether ``name`` is a join hanging from the root, whose documents get a copy each."""
        if name in broken:
            return False  # the join's own problem is reported where it is declared
        hint = "for_each names a join hanging from the root: each of its documents gets a copy"
        if name not in joins:
            from_root = [j for j, join in joins.items() if join.parent == ROOT]
            self.reader.error(
                node,
                f"copies of {what} iterate over unknown join '{name}'",
                did_you_mean(name, from_root) or hint,
            )
            return False
        if joins[name].parent != ROOT:
            self.reader.error(
                node,
                f"copies of {what} iterate over join '{name}', which hangs from join "
                f"'{joins[name].parent}', not from the root",
                hint,
            )
            return False
        return True

    def _copy_variables(
        self, node: yaml.Node, template: PathTemplate, master: PathTemplate
    ) -> PathTemplate | None:
        """``template`` when it uses the root's variable and exactly one other (the member's)."""
        root_var = master.variables[0]
        extra = [v for v in template.variables if v != root_var]
        if root_var in template.variables and len(extra) == 1:
            return template
        bound = f"{{{root_var}}} (the root id) and one variable for each member"
        unbound = extra[1:] or ([] if root_var in template.variables else [root_var])
        listed = ", ".join("{" + v + "}" for v in unbound)
        self.reader.error(
            node,
            f"copy path '{template.text}' must use exactly {bound}"
            + (f"; unbound variable {listed}" if unbound else ""),
            f"e.g. users/{{user}}/{master.collection_id}/{{{root_var}}}",
        )
        return None

    # -- whole-manifest checks -------------------------------------------------------------------

    def _check_outputs(self) -> None:
        """Each view writes its own collections, none of them a domain collection (checked for
        every view whose paths parse, whatever else is wrong with it)."""
        nodes = {name: key_node for name, key_node, _ in self.draft.views}
        written: dict[str, str] = {}
        for name, outputs in self.outputs.items():
            for template in outputs:
                pattern = "/".join("*" if s.startswith("{") else s for s in template.segments[:-1])
                if pattern in self.collections:
                    self.reader.error(
                        nodes[name],
                        f"view '{name}' writes into domain collection '{pattern}'",
                        "views are derived data: give the view its own collection",
                    )
                elif pattern in written and written[pattern] != name:
                    self.reader.error(
                        nodes[name],
                        f"views '{written[pattern]}' and '{name}' both write "
                        f"collection '{pattern}'",
                        "give each view its own collection",
                    )
                elif pattern in written:
                    self.reader.error(
                        nodes[name], f"view '{name}' writes collection '{pattern}' twice"
                    )
                else:
                    written[pattern] = name

    def _check_cycles(self) -> None:
        """Views may read other views' output, but never their own, directly or not."""
        nodes = {name: key_node for name, key_node, _ in self.draft.views}
        output_of = {
            collection: name
            for collection, (name, _) in self.view_outputs.items()
            if collection not in self.collections  # reported by _check_outputs
        }

        def deps(name: str) -> list[str]:
            sources = self.view_sources.get(name, set())
            return sorted({output_of[s] for s in sources if s in output_of})

        state: dict[str, int] = {}
        reported: set[frozenset[str]] = set()

        def visit(name: str, stack: list[str]) -> None:
            state[name] = 1
            stack.append(name)
            for dep in deps(name):
                if state.get(dep) == 1:
                    cycle = [*stack[stack.index(dep) :], dep]
                    if frozenset(cycle) not in reported:
                        reported.add(frozenset(cycle))
                        self.reader.error(
                            nodes[dep],
                            f"views form a cycle: {' -> '.join(cycle)}",
                            "a view may not read its own output, directly or through other views",
                        )
                elif state.get(dep) is None:
                    visit(dep, stack)
            stack.pop()
            state[name] = 2

        for name in nodes:
            if state.get(name) is None:
                visit(name, [])

    # -- mutations -------------------------------------------------------------------------------

    def _mutation(
        self, name: str, key_node: yaml.Node, node: yaml.Node, views: Mapping[str, View]
    ) -> Mutation | None:
        reader = self.reader
        what = f"mutation '{name}'"
        items = reader.mapping(node, what, MUTATION_KEYS, ("route", "handler"))
        if items is None:
            return None
        route = read_route(reader, items["route"][1]) if "route" in items else None
        handler = None
        if "handler" in items:
            handler = reader.string(items["handler"][1], f"handler of {what}")
            if handler is not None:
                self._callable(items["handler"][1], handler, "handler")
        body = None
        if "body" in items:
            body = reader.string(items["body"][1], f"body of {what}")
            if body is not None:
                self._schema(items["body"][1], body, "body schema")
        policy = None
        if "policy" in items:
            policy = read_mutation_policy(reader, items["policy"][1])
            if policy is None:
                return None
            self._mutation_policy(items["policy"][1], policy, route, views, what)
        if route is None or handler is None:
            return None
        return Mutation(name, route[0], route[1], handler, body, policy or Policy("signed-in"))

    def _mutation_policy(
        self,
        node: yaml.Node,
        policy: Policy,
        route: tuple[HttpMethod, PathTemplate] | None,
        views: Mapping[str, View],
        what: str,
    ) -> None:
        """A ``member-of`` policy names a view whose document the route finds; a ``hook``
        policy names a function (the route is only needed for the first check)."""
        if policy.kind == "hook" and policy.value is not None:
            self._callable(node, policy.value, "policy hook")
        if policy.kind != "member-of":
            return
        view = views.get(policy.value or "")
        declared = {n for n, _, _ in self.draft.views}
        if view is None and policy.value in declared:
            return  # the view itself has problems, reported where it is declared
        if view is None:
            self.reader.error(
                node,
                f"{what} policy names unknown view '{policy.value}'",
                did_you_mean(policy.value or "", declared) or "name a view",
            )
        elif route is not None and view.root_variable not in route[1].variables:
            self.reader.error(
                node,
                f"{what}: route '{route[1].text}' has no variable "
                f"{{{view.root_variable}}} to find the '{view.name}' document",
                f"e.g. {route[0]} {view.path.text}",
            )

    def _check_routes(self, mutations: Mapping[str, Mutation]) -> None:
        seen: dict[tuple[str, str], str] = {}
        nodes = {name: key_node for name, key_node, _ in self.draft.mutations}
        for name, mutation in mutations.items():
            shape = "/".join("{}" if s.startswith("{") else s for s in mutation.route.segments)
            key = (mutation.method, shape)
            if key in seen:
                self.reader.error(
                    nodes[name],
                    f"mutations '{seen[key]}' and '{name}' clash on route "
                    f"{mutation.method} {mutation.route.text}",
                    "give each mutation its own method or path",
                )
            else:
                seen[key] = name
