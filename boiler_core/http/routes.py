"""The API's routes, derived from the manifest: which operation answers which method and path.

Pure: no I/O. :class:`RouteTable` lists every :class:`Operation` (view reads, view lists,
mutations) and resolves a request path to the operations it offers, so unknown paths (404) and
methods (405) are answered before anything else happens.

What is routed, for a view ``V`` at ``V/{id}`` with copies at ``C/{member}/V/{id}``:

* ``GET V/{id}`` unless V's read policy is a rules expression (``rule``), which only Firestore
  can evaluate: such views are read with the Firebase SDKs;
* ``GET V`` (a page of the collection) when V is ``public`` or ``signed-in``: other policies
  cannot be listed with a query the rules would accept (members read their copies instead);
* ``GET C/{member}/V/{id}`` and ``GET C/{member}/V``: a member's own copies;
* each mutation at its declared method and route.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from boiler_core.errors import GenerateError
from boiler_core.http.api_error import ApiError
from boiler_core.manifest.model import Copy, Manifest, Mutation, PathTemplate, View

OperationKind = Literal["get", "list", "mutation"]
OPENAPI_FILE = "openapi.json"
"""The OpenAPI document: generated beside ``main.py`` in the functions folder, served at
``/openapi.json``."""
RESERVED = (OPENAPI_FILE, "docs")
"""First path segments the API keeps for its own pages."""

MAX_ID_BYTES = 1500
DEFAULT_LIMIT = 20
"""Documents in a page of a list operation when the request names no ``limit``."""
MAX_LIMIT = 100
"""The largest ``limit`` a list operation accepts."""
_RESERVED_ID = re.compile(r"^__.*__$", re.DOTALL)


@dataclass(frozen=True)
class Operation:
    """One method on one route template."""

    kind: OperationKind
    method: str
    template: PathTemplate
    """The route as declared (its variables name the path parameters)."""

    view: View | None = None
    """The view read or listed; for a mutation, the view whose version ``If-Match`` checks."""

    copy: Copy | None = None
    """For reads and lists of per-member copies: which copy."""

    mutation: Mutation | None = None

    @property
    def version_variable(self) -> str | None:
        """The route variable holding the root id of :attr:`view` (mutations and reads)."""
        if self.view is None or self.kind == "list":
            return None
        if self.kind == "mutation":
            return root_variable_in(self.template, self.view)
        return self.view.root_variable

    @property
    def operation_id(self) -> str:
        """A stable, unique name for the operation (OpenAPI ``operationId``)."""
        if self.mutation is not None:
            return self.mutation.name
        assert self.view is not None
        what = f"{self.view.name}_copy" if self.copy is not None else self.view.name
        return f"{'list' if self.kind == 'list' else 'get'}_{what}"


@dataclass(frozen=True)
class Match:
    """A resolved request path: the operations its route offers, and the path's variables."""

    operations: Mapping[str, Operation]
    """Operations by method."""

    path: str

    @property
    def allowed(self) -> tuple[str, ...]:
        """The ``Allow`` header's methods, sorted; HEAD with GET, OPTIONS always."""
        methods = set(self.operations) | {"OPTIONS"}
        if "GET" in methods:
            methods.add("HEAD")
        return tuple(sorted(methods))

    def operation(self, method: str) -> Operation:
        """The operation for ``method`` (HEAD reads as GET); 405 naming the allowed methods."""
        op = self.operations.get("GET" if method == "HEAD" else method)
        if op is None:
            allowed = ", ".join(self.allowed)
            raise ApiError(
                405,
                f"{method} is not allowed on /{self.path}; allowed: {allowed}",
                headers={"Allow": allowed},
            )
        return op

    def params(self, op: Operation) -> dict[str, str]:
        """The path's variables named as in ``op``'s template."""
        values = op.template.match(self.path)
        assert values is not None
        return values


class RouteTable:
    """Every operation of the manifest's API, grouped by route shape."""

    def __init__(self, manifest: Manifest) -> None:
        self.operations = tuple(_operations(manifest))
        self._by_shape: dict[tuple[str, ...], dict[str, Operation]] = {}
        for op in self.operations:
            if op.template.segments[0] in RESERVED:
                raise GenerateError(
                    f"route {op.method} {op.template.text} starts with '{op.template.segments[0]}'"
                    f", which the API keeps for its own pages ({', '.join(RESERVED)})"
                )
            methods = self._by_shape.setdefault(shape(op.template), {})
            if op.method in methods:
                other = methods[op.method]
                raise GenerateError(
                    f"route {op.method} {op.template.text} of {op.operation_id} clashes with "
                    f"{other.method} {other.template.text} of {other.operation_id}: give the "
                    "mutation another method or path"
                )
            methods[op.method] = op

    def resolve(self, path: str) -> Match:
        """The operations at ``path`` (no leading slash); 404 when no route has that shape or a
        variable is not a possible Firestore document id."""
        parts = path.split("/")
        candidates = [s for s in self._by_shape if _fits(s, parts)]
        if not candidates:
            raise ApiError(404, f"no resource at /{path}")
        best = min(candidates, key=lambda s: tuple(segment == "{}" for segment in s))
        for value in (p for p, s in zip(parts, best, strict=True) if s == "{}"):
            problem = document_id_problem(value)
            if problem:
                raise ApiError(404, f"no resource at /{path}: {problem}")
        return Match(self._by_shape[best], path)


def shape(template: PathTemplate) -> tuple[str, ...]:
    """The template with every variable replaced by ``{}``."""
    return tuple("{}" if s.startswith("{") else s for s in template.segments)


def root_variable_in(route: PathTemplate, view: View) -> str | None:
    """The route variable naming ``view``'s root document, if the route names one."""
    if view.root_variable in route.variables:
        return view.root_variable
    if shape(route) == shape(view.path):
        return route.variables[-1]
    return None


def document_id_problem(value: str) -> str | None:
    """Why ``value`` cannot be a Firestore document id, or None when it can."""
    if not value:
        return "an empty document id"
    if value in (".", ".."):
        return f"'{value}' is not a document id"
    if _RESERVED_ID.match(value):
        return "document ids of the form __name__ are reserved"
    if len(value.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES:
        return f"document ids have at most {MAX_ID_BYTES} bytes"
    return None


def _fits(candidate: tuple[str, ...], parts: list[str]) -> bool:
    return len(candidate) == len(parts) and all(
        s == "{}" or s == p for s, p in zip(candidate, parts, strict=True)
    )


def _operations(manifest: Manifest) -> Iterable[Operation]:
    for view in manifest.views.values():
        if view.read.kind != "rule":
            yield Operation("get", "GET", view.path, view=view)
        if view.read.kind in ("public", "signed-in"):
            yield Operation("list", "GET", PathTemplate.parse(view.path.collection_path), view=view)
        for copy in view.copies:
            yield Operation("get", "GET", copy.path, view=view, copy=copy)
            collection = PathTemplate.parse(copy.path.collection_path)
            yield Operation("list", "GET", collection, view=view, copy=copy)
    for mutation in manifest.mutations.values():
        yield Operation(
            "mutation",
            mutation.method,
            mutation.route,
            view=_target_view(manifest, mutation),
            mutation=mutation,
        )


def _target_view(manifest: Manifest, mutation: Mutation) -> View | None:
    """The view whose document the mutation's route names: its ``member-of`` view, else the view
    whose path has the route's shape."""
    member_of = manifest.views.get(str(mutation.policy.value))
    if mutation.policy.kind == "member-of" and member_of is not None:
        return member_of
    for view in manifest.views.values():
        if shape(view.path) == shape(mutation.route):
            return view
    return None
