"""Random domain writes for any app, drawn from its views.yaml and its collections' schemas.

:class:`DomainWrites` builds Hypothesis strategies of :class:`Write` values (create or replace,
update some fields, delete) over a small pool of document ids per collection, so that writes hit
the same documents again and joins link documents that exist:

* a field the collection's marshmallow schema declares is drawn from its type (strings, numbers,
  booleans, timestamps, lists, nested schemas; ``OneOf`` and ``Range`` validators respected);
* a link field of a join (a reference, a list of references, or a bare id with ``key: id``)
  points into the pool of the collection it links to;
* a field a view filters or compares (``where``, ``equals``) also takes the constants views.yaml
  compares it with, so filters both match and miss;
* a collection without a schema gets the fields its views read, with small plain values.

A field type boiler cannot draw is an error naming the field; pass a strategy for it with
``overrides={"collection.field": strategy}``.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from hypothesis import strategies as st
from marshmallow import Schema, fields, validate

from boiler_core.documents import Ref
from boiler_core.engine.relevance import field_paths
from boiler_core.manifest.model import (
    ID_FIELD,
    ROOT,
    EqualsField,
    Filter,
    Manifest,
    SourceField,
    View,
)
from boiler_core.schema_fields import Reference

Strategy = st.SearchStrategy[Any]

_WORDS = st.text(alphabet=string.ascii_lowercase + " ", min_size=0, max_size=8)
_PLAIN = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from(["a", "b", "c"]),
)


@dataclass(frozen=True)
class Write:
    """One domain write: ``data`` replaces the document, ``fields`` are merged into it, or (both
    None) the document is deleted."""

    path: str
    data: Mapping[str, Any] | None = None
    """The whole new document (create or replace)."""
    fields: Mapping[str, Any] | None = None
    """Fields merged into the current document (created if missing)."""

    @property
    def is_delete(self) -> bool:
        return self.data is None and self.fields is None

    def apply_to(self, current: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The document after this write, given the one before (None: absent)."""
        if self.data is not None:
            return dict(self.data)
        if self.fields is not None:
            return {**(current or {}), **self.fields}
        return None

    def __str__(self) -> str:
        if self.data is not None:
            return f"set {self.path} {dict(self.data)!r}"
        if self.fields is not None:
            return f"update {self.path} {dict(self.fields)!r}"
        return f"delete {self.path}"


@dataclass(frozen=True)
class _Link:
    """A field that links documents of a join: where it points and how it is stored."""

    target: str
    key: str
    many: bool


@dataclass
class _Plan:
    """What is known about one domain collection's fields."""

    links: dict[str, _Link] = field(default_factory=dict)
    read: set[str] = field(default_factory=set)
    constants: dict[str, list[Any]] = field(default_factory=dict)


class DomainWrites:
    """Strategies of writes to ``manifest``'s domain collections (see the module docstring).

    ``schemas`` maps a collection name to its marshmallow Schema class (those without one are
    drawn from what the views read); ``ids`` is the pool size per collection.
    """

    def __init__(
        self,
        manifest: Manifest,
        schemas: Mapping[str, type[Schema]],
        *,
        ids: int = 3,
        overrides: Mapping[str, Strategy] | None = None,
    ) -> None:
        if ids < 1:
            raise ValueError("ids must be at least 1")
        self.manifest = manifest
        self.schemas = dict(schemas)
        self.ids = ids
        self.overrides = dict(overrides or {})
        self._plans = _plans(manifest)
        self._documents = {name: self._document(name) for name in sorted(manifest.collections)}

    def pool(self, collection: str) -> list[str]:
        """The document ids writes use in ``collection`` (a view's ids are its root's)."""
        while collection in self.manifest.views:
            collection = self.manifest.views[collection].root
        return [f"{collection}{i}" for i in range(1, self.ids + 1)]

    def write(self) -> st.SearchStrategy[Write]:
        """One write to one document of a random domain collection: mostly a change of one
        field (what most events are), else a whole document, a change of several fields, or a
        delete."""
        return st.sampled_from(sorted(self._documents)).flatmap(self._write_to)

    def population(self) -> st.SearchStrategy[list[Write]]:
        """One whole document for every id of every pool, collection by collection, so that
        joins find documents from the start."""
        return st.tuples(
            *(
                st.builds(Write, st.just(f"{name}/{i}"), document)
                for name, document in self._documents.items()
                for i in self.pool(name)
            )
        ).map(list)

    def writes(self, *, max_size: int = 30) -> st.SearchStrategy[list[Write]]:
        """A :meth:`population` followed by up to ``max_size`` writes (a third of that at least,
        so that most runs change documents the views already show)."""
        changes = st.lists(self.write(), min_size=max_size // 3, max_size=max_size)
        return st.tuples(self.population(), changes).map(lambda parts: parts[0] + parts[1])

    def document(self, collection: str) -> st.SearchStrategy[dict[str, Any]]:
        """A whole document of ``collection``."""
        return self._documents[collection]

    def _write_to(self, collection: str) -> st.SearchStrategy[Write]:
        path = st.sampled_from(self.pool(collection)).map(lambda i: f"{collection}/{i}")
        document = self._documents[collection]
        one_field = document.flatmap(
            lambda doc: (
                st.sampled_from(sorted(doc)).map(lambda name: {name: doc[name]})
                if doc
                else st.just({})
            )
        )
        some_fields = document.flatmap(
            lambda doc: (
                st.sets(st.sampled_from(sorted(doc)), max_size=len(doc)).map(
                    lambda names: {name: doc[name] for name in sorted(names)}
                )
                if doc
                else st.just({})
            )
        )
        return st.one_of(
            st.builds(lambda p, f: Write(p, fields=f), path, one_field),
            st.builds(lambda p, f: Write(p, fields=f), path, one_field),
            st.builds(lambda p, d: Write(p, data=d), path, document),
            st.builds(lambda p, f: Write(p, fields=f), path, some_fields),
            path.map(Write),
        )

    def _document(self, collection: str) -> st.SearchStrategy[dict[str, Any]]:
        plan = self._plans.get(collection, _Plan())
        schema = self.schemas.get(collection)
        required: dict[str, Strategy] = {}
        optional: dict[str, Strategy] = {}
        if schema is not None:
            for name, schema_field in schema().fields.items():
                if schema_field.dump_only:
                    continue
                key = schema_field.data_key or name
                strategy = self._field(collection, key, schema_field, plan)
                (required if schema_field.required else optional)[key] = strategy
        else:
            for name in sorted(plan.read | set(plan.links)):
                target = required if name in plan.links else optional
                target[name] = self._plain(collection, name, plan)
        return st.fixed_dictionaries(required, optional=optional)

    def _override(self, collection: str, name: str) -> Strategy | None:
        return self.overrides.get(f"{collection}.{name}")

    def _plain(self, collection: str, name: str, plan: _Plan) -> Strategy:
        override = self._override(collection, name)
        if override is not None:
            return override
        if name in plan.links:
            return self._link(plan.links[name])
        return _with_constants(_PLAIN, plan.constants.get(name))

    def _link(self, link: _Link) -> Strategy:
        def one(i: str) -> Any:
            target = link.target
            while target in self.manifest.views:
                target = self.manifest.views[target].root
            return Ref.to(target, i) if link.key == "ref" else i

        item = st.sampled_from(self.pool(link.target)).map(one)
        return st.lists(item, max_size=3) if link.many else item

    def _field(self, collection: str, name: str, schema_field: Any, plan: _Plan) -> Strategy:
        override = self._override(collection, name)
        if override is not None:
            return override
        link = plan.links.get(name)
        if link is not None and _link_compatible(schema_field, link):
            strategy = self._link(link)
        else:
            strategy = self._from_type(collection, name, schema_field)
        strategy = _with_constants(strategy, plan.constants.get(name))
        if schema_field.allow_none:
            strategy = st.none() | strategy
        return strategy

    def _from_type(self, collection: str, name: str, schema_field: Any) -> Strategy:
        choices = _one_of(schema_field)
        if choices is not None:
            return st.sampled_from(choices)
        if isinstance(schema_field, Reference):
            return st.sampled_from(self.pool(schema_field.collection)).map(
                lambda i: Ref.to(schema_field.collection, i)
            )
        if isinstance(schema_field, fields.List):
            inner = self._from_type(collection, name, schema_field.inner)
            return st.lists(inner, max_size=3)
        if isinstance(schema_field, fields.Nested):
            nested = schema_field.schema
            parts = {
                (f.data_key or n): self._from_type(collection, f"{name}.{n}", f)
                for n, f in nested.fields.items()
                if not f.dump_only
            }
            return st.fixed_dictionaries(parts)
        for kind, make in _BY_TYPE:
            if isinstance(schema_field, kind):
                return make(schema_field)
        raise TypeError(
            f"cannot draw values of field '{name}' of collection '{collection}' "
            f"({type(schema_field).__name__}): pass a Hypothesis strategy for it as "
            f'overrides={{"{collection}.{name}": ...}}'
        )


def _link_compatible(schema_field: Any, link: _Link) -> bool:
    inner = schema_field.inner if isinstance(schema_field, fields.List) else schema_field
    if link.many != isinstance(schema_field, fields.List):
        return False
    if link.key == "ref":
        return isinstance(inner, Reference | fields.Raw) and not isinstance(inner, fields.String)
    return isinstance(inner, fields.String | fields.Raw)


def _one_of(schema_field: Any) -> list[Any] | None:
    for validator in schema_field.validators:
        if isinstance(validator, validate.OneOf):
            return list(validator.choices)
    return None


def _range(schema_field: Any) -> tuple[Any, Any]:
    low, high = None, None
    for validator in schema_field.validators:
        if isinstance(validator, validate.Range):
            low, high = validator.min, validator.max
    return low, high


def _integers(schema_field: Any) -> Strategy:
    low, high = _range(schema_field)
    return st.integers(
        min_value=-1000 if low is None else int(low), max_value=1000 if high is None else int(high)
    )


def _floats(schema_field: Any) -> Strategy:
    low, high = _range(schema_field)
    return st.floats(
        min_value=-1e6 if low is None else float(low),
        max_value=1e6 if high is None else float(high),
        allow_nan=False,
        allow_infinity=False,
    )


def _strings(schema_field: Any) -> Strategy:
    low, high = 0, 8
    for validator in schema_field.validators:
        if isinstance(validator, validate.Length):
            low = validator.min or (validator.equal or 0)
            high = validator.max or validator.equal or max(low, 8)
    return st.text(alphabet=string.ascii_letters + " ", min_size=low, max_size=max(low, high))


def _datetimes(schema_field: Any) -> Strategy:
    # Firestore keeps microseconds; whole milliseconds survive every client and codec.
    return st.datetimes(timezones=st.just(UTC)).map(
        lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    )


_BY_TYPE: tuple[tuple[type[Any], Callable[[Any], Strategy]], ...] = (
    (fields.Email, lambda f: st.sampled_from(["ada@example.com", "grace@example.com"])),
    (fields.Url, lambda f: st.sampled_from(["https://example.com/", "https://example.org/a"])),
    (fields.String, _strings),
    (fields.Boolean, lambda f: st.booleans()),
    (fields.Integer, _integers),
    (fields.Float, _floats),
    (fields.Number, _floats),
    (fields.DateTime, _datetimes),
    (fields.Constant, lambda f: st.just(f.constant)),
    (fields.Dict, lambda f: st.dictionaries(st.sampled_from(["a", "b", "c"]), _PLAIN, max_size=3)),
    (fields.Raw, lambda f: _PLAIN),
)


def _with_constants(strategy: Strategy, constants: Iterable[Any] | None) -> Strategy:
    values = list(constants or ())
    return st.sampled_from(values) | strategy if values else strategy


def _plans(manifest: Manifest) -> dict[str, _Plan]:
    """Per domain collection: its link fields, the fields views read, the constants they use."""
    plans: dict[str, _Plan] = {name: _Plan() for name in manifest.collections}
    for view in manifest.views.values():
        nodes = _node_collections(view)
        for join in view.joins:
            holder = nodes[join.parent] if join.link_on_parent else join.collection
            target = join.collection if join.link_on_parent else nodes[join.parent]
            many = join.kind == "refs" or (join.kind == "query" and join.op == "array-contains")
            found = _projected_from(manifest, holder, join.field)
            if found is not None and found[0] in plans:
                plans[found[0]].links[found[1]] = _Link(target, join.key, many)
        for _, spec in view.fields:
            for path in field_paths(spec):
                collection = nodes.get(path.join)
                if collection in plans and path.top_field != ID_FIELD:
                    plans[collection].read.add(path.top_field)
            for where in _filters(spec):
                collection = nodes.get(where.path.join)
                if collection in plans and len(where.path.parts) == 1:
                    plans[collection].constants.setdefault(where.path.top_field, []).append(
                        where.value
                    )
    return plans


def _projected_from(manifest: Manifest, holder: str, name: str) -> tuple[str, str] | None:
    """The domain collection and field a link field comes from: itself for a domain collection;
    for a view's field that copies a top-level field of its root, that field (followed through
    views of views); None when the value is computed."""
    seen = set()
    while holder in manifest.views and holder not in seen:
        seen.add(holder)
        view = manifest.views[holder]
        spec = dict(view.fields).get(name)
        if not isinstance(spec, SourceField) or spec.path.join != ROOT or len(spec.path.parts) != 1:
            return None
        holder, name = view.root, spec.path.top_field
    return (holder, name) if holder in manifest.collections else None


def _filters(spec: Any) -> list[Filter]:
    if isinstance(spec, EqualsField):
        return [Filter(spec.path, spec.value)]
    return list(getattr(spec, "where", ()))


def _node_collections(view: View) -> dict[str, str]:
    nodes = {ROOT: view.root}
    nodes.update({join.name: join.collection for join in view.joins})
    return nodes


__all__ = ["DomainWrites", "Write"]
