"""Cross-reference checks of views.yaml: names, joins, field paths, hooks, outputs, cycles, routes.

:func:`build` turns the sections the loader collected into the frozen model. Each problem is
recorded on the reader with its position, and building carries on, so one run reports them all.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import marshmallow
import yaml

from boiler_core.manifest import loader, policies
from boiler_core.manifest.imports import ImportProblem, import_object, is_spec
from boiler_core.manifest.model import (
    MEMBERS_FIELD,
    ROOT,
    ClientAccess,
    Collection,
    Copy,
    CountField,
    EqualsField,
    FieldPath,
    FieldSpec,
    Filter,
    HookField,
    Join,
    ListField,
    Manifest,
    Mutation,
    PathTemplate,
    SortKey,
    SourceField,
    View,
)
from boiler_core.manifest.paths import Scope, parse_template, resolve_field_path
from boiler_core.manifest.reader import Reader, did_you_mean

if TYPE_CHECKING:
    from boiler_core.manifest.loader import Draft


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

    # -- entry -----------------------------------------------------------------------------------

    def build(self) -> Manifest | None:
        for name, key_node, node in self.draft.collections:
            self._collection(name, key_node, node)
        self._collect_view_outputs()
        views: dict[str, View] = {}
        view_nodes: dict[str, yaml.Node] = {}
        for name, key_node, node in self.draft.views:
            view = self._view(name, key_node, node)
            if view is not None:
                views[name] = view
                view_nodes[name] = key_node
        self._check_outputs(views, view_nodes)
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
        items = reader.mapping(node, f"collection '{name}'", loader.COLLECTION_KEYS, ("path",))
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
        if "client" in items and template is not None:
            client = policies.read_client_access(
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
        reader = self.reader
        what = f"view '{name}'"
        items = reader.mapping(node, what, loader.VIEW_KEYS, ("path", "fields"))
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
        joins = self._joins(items["joins"][1], what, root) if "joins" in items else {}
        if joins is None:
            return None
        # With an unknown root, fields are still checked against the joins (root fields unknown).
        root_fields = None if root is None else self._source_fields(root)
        scope_fields: dict[str, frozenset[str] | None] = {ROOT: root_fields}
        collections = {ROOT: root or "?"}
        for join in joins.values():
            scope_fields[join.name] = self._source_fields(join.collection)
            collections[join.name] = join.collection
        scope = Scope(ROOT, joins, scope_fields, collections)
        fields = self._fields(items["fields"][1], what, scope) if "fields" in items else None
        copies: tuple[Copy, ...] | None = ()
        if "copies" in items and template is not None:
            copies = self._copies(items["copies"][1], what, template, joins)
        read = None
        if "read" in items:
            read = loader.read_view_policy(reader, items["read"][1])
            if read is not None and template is not None:
                enforceable = policies.check_view_policy(
                    reader, items["read"][1], read, template, joins, what
                )
                read = read if enforceable else None
        if fields is None or copies is None or ("read" in items and read is None):
            return None
        if template is None or root is None:
            return None
        view = View(name, template, root, tuple(joins.values()), fields, copies)
        return view if read is None else replace(view, read=read)

    def _joins(self, node: yaml.Node, what: str, root: str | None) -> dict[str, Join] | None:
        reader = self.reader
        joins: dict[str, Join] = {}
        parents: dict[str, tuple[str, yaml.Node]] = {}
        ok = True
        for name, _, join_node in reader.entries(node, f"joins of {what}"):
            jwhat = f"join '{name}' of {what}"
            items = reader.mapping(join_node, jwhat, loader.JOIN_KEYS, ("collection",))
            if items is None:
                ok = False
                continue
            collection = None
            if "collection" in items:
                cnode = items["collection"][1]
                collection = reader.string(cnode, f"collection of {jwhat}")
                if collection is not None and not self._known_source(cnode, collection, jwhat):
                    collection = None
            kinds = [k for k in ("ref", "refs", "query") if k in items]
            if len(kinds) != 1:
                reader.error(
                    join_node,
                    f"{jwhat} needs exactly one of ref, refs or query (found {len(kinds)})",
                    "ref: FIELD (one reference on the parent), refs: FIELD (a list of references), "
                    "query: FIELD (joined documents whose FIELD points at the parent)",
                )
                ok = False
                continue
            kind = kinds[0]
            link = reader.string(items[kind][1], f"{kind} of {jwhat}")
            op = "=="
            if "op" in items:
                if kind != "query":
                    reader.error(items["op"][0], f"op is only allowed with query in {jwhat}")
                    ok = False
                op = (
                    reader.choice(items["op"][1], f"op of {jwhat}", ("==", "array-contains"))
                    or "=="
                )
            key = "ref"
            if "key" in items:
                key = reader.choice(items["key"][1], f"key of {jwhat}", ("ref", "id")) or "ref"
            parent = ROOT
            if "parent" in items:
                pnode = items["parent"][1]
                parent_name = reader.string(pnode, f"parent of {jwhat}")
                if parent_name is None:
                    ok = False
                else:
                    parent = parent_name
                    parents[name] = (parent_name, pnode)
            if collection is None or link is None:
                ok = False
                continue
            joins[name] = Join(name, collection, kind, link, parent, op, key)  # type: ignore[arg-type]
        for name, (parent, pnode) in parents.items():
            if parent not in joins:
                reader.error(
                    pnode,
                    f"join '{name}' of {what} has unknown parent join '{parent}'",
                    did_you_mean(parent, joins) or "parent must name another join of this view",
                )
                ok = False
                continue
            seen = {name}
            current = parent
            while current != ROOT and current in joins:
                if current in seen:
                    reader.error(
                        pnode,
                        f"joins of {what} form a cycle through '{name}'",
                        "parents must lead back to the root",
                    )
                    ok = False
                    break
                seen.add(current)
                current = joins[current].parent
        if ok:
            for join in joins.values():
                self._check_link_field(join, joins, root, node, what)
        return joins if ok else None

    def _check_link_field(
        self, join: Join, joins: Mapping[str, Join], root: str | None, node: yaml.Node, what: str
    ) -> None:
        """The link field must exist in the schema of the document that holds it."""
        if join.kind == "query":
            holder: str | None = join.collection
        else:
            holder = root if join.parent == ROOT else joins[join.parent].collection
        if holder is None:
            return
        known = self._source_fields(holder)
        if known is not None and join.field not in known:
            self.reader.error(
                node,
                f"join '{join.name}' of {what} links through unknown field "
                f"'{join.field}' of '{holder}'",
                did_you_mean(join.field, known) or f"'{holder}' has: {', '.join(sorted(known))}",
            )

    def _fields(
        self, node: yaml.Node, what: str, scope: Scope
    ) -> tuple[tuple[str, FieldSpec], ...] | None:
        out: list[tuple[str, FieldSpec]] = []
        ok = True
        for name, key_node, fnode in self.reader.entries(node, f"fields of {what}"):
            if name.startswith("_"):
                self.reader.error(
                    key_node,
                    f"field name '{name}' of {what} starts with '_', which is reserved for "
                    f"boiler's bookkeeping fields ({MEMBERS_FIELD})",
                    f"rename it, e.g. '{name.lstrip('_') or 'value'}'",
                )
                ok = False
                continue
            spec = self._field(fnode, f"field '{name}' of {what}", scope)
            if spec is None:
                ok = False
            else:
                out.append((name, spec))
        return tuple(out) if ok else None

    def _field(self, node: yaml.Node, what: str, scope: Scope) -> FieldSpec | None:
        reader = self.reader
        if isinstance(node, yaml.ScalarNode):
            text = reader.string(node, what)
            if text is None:
                return None
            path = resolve_field_path(reader, node, text, scope)
            return None if path is None else SourceField(path)
        items = reader.mapping(node, what, loader.FIELD_KEYS)
        if items is None:
            return None
        kinds = [k for k in ("source", "count", "list", "hook") if k in items]
        if len(kinds) != 1:
            reader.error(
                node,
                f"{what} needs exactly one of source, count, list or hook (found {len(kinds)})",
                "e.g. {source: location.address} or {hook: module:function}",
            )
            return None
        kind = kinds[0]
        allowed = {
            "source": {"source", "default", "equals"},
            "count": {"count", "where"},
            "list": {"list", "where", "sort", "item", "limit"},
            "hook": {"hook", "reads"},
        }[kind]
        for key, (key_node, _) in items.items():
            if key not in allowed:
                reader.error(
                    key_node,
                    f"'{key}' does not apply to a {kind} field ({what})",
                    f"a {kind} field takes: {', '.join(sorted(allowed))}",
                )
                return None
        value_node = items[kind][1]
        if kind == "source":
            text = reader.string(value_node, f"source of {what}")
            path = None if text is None else resolve_field_path(reader, value_node, text, scope)
            if path is None:
                return None
            if "equals" in items:
                return EqualsField(path, loader.read_constant(items["equals"][1]))
            default = loader.read_constant(items["default"][1]) if "default" in items else None
            return SourceField(path, default)
        if kind == "hook":
            spec = reader.string(value_node, f"hook of {what}")
            if spec is None:
                return None
            self._callable(value_node, spec, "hook")
            reads: tuple[FieldPath, ...] | None = None
            if "reads" in items:
                listed = reader.strings(items["reads"][1], f"reads of {what}")
                if listed is None:
                    return None
                any_scope = Scope(ROOT, scope.joins, scope.fields, scope.collections, any_join=True)
                resolved = [resolve_field_path(reader, n, t, any_scope) for t, n in listed]
                if any(p is None for p in resolved):
                    return None
                reads = tuple(p for p in resolved if p is not None)
            return HookField(spec, reads, self.reader.location(value_node))
        join_name = reader.string(value_node, f"{kind} of {what}")
        if join_name is None:
            return None
        if join_name not in scope.joins:
            reader.error(
                value_node,
                f"{what} counts or lists unknown join '{join_name}'",
                did_you_mean(join_name, scope.joins) or "name a join of this view",
            )
            return None
        join = scope.joins[join_name]
        if join.parent != ROOT or not join.many:
            reader.error(
                value_node,
                f"{what}: join '{join_name}' must hang from the root and yield many documents",
                "use refs or query joins for counts and lists",
            )
            return None
        inner = Scope(join_name, scope.joins, scope.fields, scope.collections)
        where = self._where(items["where"][1], what, inner) if "where" in items else ()
        if where is None:
            return None
        if kind == "count":
            return CountField(join_name, where)
        sort: tuple[SortKey, ...] = ()
        if "sort" in items:
            listed = reader.strings(items["sort"][1], f"sort of {what}")
            if listed is None:
                return None
            keys = []
            for text, snode in listed:
                descending = text.startswith("-")
                path = resolve_field_path(reader, snode, text.lstrip("-"), inner)
                if path is None:
                    return None
                keys.append(SortKey(path, descending))
            sort = tuple(keys)
        limit = None
        if "limit" in items:
            limit = reader.integer(items["limit"][1], f"limit of {what}", minimum=1)
            if limit is None:
                return None
        if "item" not in items:
            reader.error(
                node,
                f"{what} is a list without item",
                "add item: FIELD or item: {name: FIELD, ...}",
            )
            return None
        item = self._item(items["item"][1], what, inner)
        if item is None:
            return None
        return ListField(join_name, item, where, sort, limit)

    def _where(self, node: yaml.Node, what: str, scope: Scope) -> tuple[Filter, ...] | None:
        out = []
        for text, key_node, value_node in self.reader.entries(node, f"where of {what}"):
            path = resolve_field_path(self.reader, key_node, text, scope)
            if path is None:
                return None
            out.append(Filter(path, loader.read_constant(value_node)))
        return tuple(out)

    def _item(
        self, node: yaml.Node, what: str, scope: Scope
    ) -> FieldPath | tuple[tuple[str, FieldPath], ...] | None:
        reader = self.reader
        if isinstance(node, yaml.ScalarNode):
            text = reader.string(node, f"item of {what}")
            return None if text is None else resolve_field_path(reader, node, text, scope)
        out = []
        for name, _, vnode in reader.entries(node, f"item of {what}"):
            text = reader.string(vnode, f"item '{name}' of {what}")
            path = None if text is None else resolve_field_path(reader, vnode, text, scope)
            if path is None:
                return None
            out.append((name, path))
        return tuple(out)

    def _copies(
        self, node: yaml.Node, what: str, master: PathTemplate, joins: Mapping[str, Join]
    ) -> tuple[Copy, ...] | None:
        reader = self.reader
        items = reader.sequence(node, f"copies of {what}")
        if items is None:
            return None
        out = []
        for item in items:
            fields = reader.mapping(item, f"copy of {what}", loader.COPY_KEYS, ("path", "for_each"))
            if fields is None or len(fields) != 2:
                return None
            path_node, join_node = fields["path"][1], fields["for_each"][1]
            text = reader.string(path_node, f"copy path of {what}")
            join_name = reader.string(join_node, f"for_each of {what}")
            template = (
                None if text is None else parse_template(reader, path_node, text, "copy path")
            )
            if template is None or join_name is None:
                return None
            if join_name not in joins or joins[join_name].parent != ROOT:
                reader.error(
                    join_node,
                    f"copies of {what} iterate over unknown join '{join_name}'",
                    did_you_mean(join_name, joins) or "for_each names a join hanging from the root",
                )
                return None
            root_var = master.variables[0]
            extra = [v for v in template.variables if v != root_var]
            if root_var not in template.variables or len(extra) != 1:
                bound = f"{{{root_var}}} (the root id) and one variable for each member"
                unbound = [v for v in template.variables if v != root_var][1:] or (
                    [] if root_var in template.variables else [root_var]
                )
                reader.error(
                    path_node,
                    f"copy path '{text}' must use exactly {bound}"
                    + (
                        f"; unbound variable {', '.join('{' + v + '}' for v in unbound)}"
                        if unbound
                        else ""
                    ),
                    f"e.g. users/{{user}}/{master.collection_id}/{{{root_var}}}",
                )
                return None
            out.append(Copy(template, join_name, extra[0]))
        return tuple(out)

    # -- whole-manifest checks -------------------------------------------------------------------

    def _check_outputs(self, views: Mapping[str, View], nodes: Mapping[str, yaml.Node]) -> None:
        written: dict[str, str] = {}
        for name, view in views.items():
            outputs = [view.path, *(c.path for c in view.copies)]
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
        items = reader.mapping(node, what, loader.MUTATION_KEYS, ("route", "handler"))
        if items is None or "route" not in items or "handler" not in items:
            return None
        route = loader.read_route(reader, items["route"][1])
        handler = reader.string(items["handler"][1], f"handler of {what}")
        if handler is not None:
            self._callable(items["handler"][1], handler, "handler")
        body = None
        if "body" in items:
            body = reader.string(items["body"][1], f"body of {what}")
            if body is not None:
                self._schema(items["body"][1], body, "body schema")
        policy = (
            loader.read_mutation_policy(reader, items["policy"][1]) if "policy" in items else None
        )
        if policy is None and "policy" in items:
            return None
        if policy is not None and route is not None:
            pnode = items["policy"][1]
            if policy.kind == "member-of":
                view = views.get(policy.value or "")
                declared = {n for n, _, _ in self.draft.views}
                if view is None and policy.value in declared:
                    pass  # the view itself has problems, reported where it is declared
                elif view is None:
                    reader.error(
                        pnode,
                        f"{what} policy names unknown view '{policy.value}'",
                        did_you_mean(policy.value or "", views) or "name a view",
                    )
                elif view.root_variable not in route[1].variables:
                    reader.error(
                        pnode,
                        f"{what}: route '{route[1].text}' has no variable "
                        f"{{{view.root_variable}}} to find the '{view.name}' document",
                        f"e.g. {route[0]} {view.path.text}",
                    )
            if policy.kind == "hook" and policy.value is not None:
                self._callable(pnode, policy.value, "policy hook")
        if route is None or handler is None:
            return None
        from boiler_core.manifest.model import Policy

        return Mutation(name, route[0], route[1], handler, body, policy or Policy("signed-in"))

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
