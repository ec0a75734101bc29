"""The validated manifest: what ``views.yaml`` says, as frozen dataclasses.

Nothing here reads files or imports hooks; :mod:`boiler_core.manifest.loader` builds these objects
after checking every rule, so code that receives a :class:`Manifest` may rely on its invariants:

* every join names a known collection and a known parent join (or the root);
* every field path resolves to a join of the view (or the root document);
* path templates are well formed and every variable is bound;
* no view writes a domain collection, no two views write one collection, no view depends on itself;
* every read and client policy can be compiled into security rules (:mod:`.policies`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

ID_FIELD = "$id"
"""Pseudo field naming a document's id in field paths (``$id``, ``location.$id``)."""

ROOT = "$root"
"""Name the engine uses for the root node of a view's join tree."""

MEMBERS_FIELD = "_members"
"""Bookkeeping field of a view document whose read policy is ``{members: JOIN}``: the sorted ids
of the join's documents, which the security rules compare with the reader's uid. Only master
documents carry it (see docs/security.md); field names starting with ``_`` are reserved for it."""

_VAR = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")


@dataclass(frozen=True)
class Location:
    """Where something is declared: the file (as messages name it) and its 1-based line and
    column. Carried for messages only: a location never takes part in comparing manifests or
    in a view's fingerprint, so moving a declaration changes nothing else."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class PathTemplate:
    """A document path with variables, such as ``users/{user}/meeting_sessions/{meeting}``.

    Segments alternate between collection ids and document ids; document ids are ``{variables}``.
    """

    text: str
    """The template as written."""

    segments: tuple[str, ...]
    """The ``/``-separated segments."""

    @classmethod
    def parse(cls, text: str) -> PathTemplate:
        """Split ``text`` into segments; the loader has already checked its shape."""
        return cls(text=text, segments=tuple(text.split("/")))

    @cached_property
    def variables(self) -> tuple[str, ...]:
        """Variable names in order of appearance."""
        return tuple(name for name in self._names if name is not None)

    @cached_property
    def _names(self) -> tuple[str | None, ...]:
        """Per segment, its variable's name, or None for a collection id (parsed once: the
        engine formats paths for every document it writes)."""
        return tuple(m.group(1) if (m := _VAR.match(s)) else None for s in self.segments)

    @property
    def collection_path(self) -> str:
        """The template without its last segment (``users/{user}/meeting_sessions``)."""
        return "/".join(self.segments[:-1])

    @property
    def collection_id(self) -> str:
        """The last collection id (``meeting_sessions``)."""
        return self.segments[-2]

    @property
    def trigger_pattern(self) -> str:
        """The template as a Firestore trigger document pattern (same syntax)."""
        return self.text

    @cached_property
    def _pattern(self) -> str:
        """The template as a ``str.format`` pattern (literal braces escaped)."""
        return "/".join(
            segment.replace("{", "{{").replace("}", "}}") if name is None else f"{{{name}}}"
            for segment, name in zip(self.segments, self._names, strict=True)
        )

    def format(self, values: Mapping[str, str]) -> str:
        """Substitute document ids for the variables."""
        return self._pattern.format_map(values)

    def match(self, path: str) -> dict[str, str] | None:
        """Return the variable bindings when ``path`` is an instance of this template."""
        parts = path.split("/")
        if len(parts) != len(self.segments):
            return None
        values: dict[str, str] = {}
        for segment, part in zip(self.segments, parts, strict=True):
            match = _VAR.match(segment)
            if match:
                values[match.group(1)] = part
            elif segment != part:
                return None
        return values


@dataclass(frozen=True)
class RetrySettings:
    """How an event whose views a trigger left unfinished is retried (``project.retry``): the
    retry configuration of the generated task-queue function (Cloud Tasks), to which the trigger
    hands the event. See docs/operations.md, "Retries"."""

    max_attempts: int = 10
    """Attempts of the retry task, after the trigger's own invocation; after the last one the
    event is dead (one ERROR line, recorded for the backstop)."""

    min_backoff_seconds: int = 10
    """Wait before the first attempt, doubled after each attempt up to :attr:`max_doublings`
    times and :attr:`max_backoff_seconds`."""

    max_backoff_seconds: int = 600
    """The longest wait between two attempts."""

    max_doublings: int = 6
    """How many times the wait doubles; then it grows by that last step each attempt."""

    max_concurrent: int = 10
    """Retry tasks run at once, at most (Cloud Tasks' ``max_concurrent_dispatches``): after an
    outage the events it failed are retried a few at a time, not all at once."""


@dataclass(frozen=True)
class BackstopSettings:
    """The generated scheduled function that replays the events boiler recorded as unfinished
    (``project.backstop``). See docs/operations.md, "The backstop"."""

    every_minutes: int = 30
    """How often it runs (Cloud Scheduler, ``every N minutes``)."""

    limit: int = 50
    """Recorded events replayed per run, at most (the oldest first)."""

    verify_roots: int = 100
    """Roots of each view verified (and repaired) per run, at most, continuing where the last
    run stopped, and as many of the documents each view stored listed for strays: every view is
    checked end to end over a bounded number of runs (:mod:`boiler_core.rebuild.sweep`). 0: no
    verification, only replays."""


@dataclass(frozen=True)
class Project:
    """Project-wide defaults (the ``project:`` section)."""

    region: str = "us-central1"
    """Cloud Functions region of every generated function."""

    runtime: str = "python311"
    """Cloud Functions runtime; also the Python used for ``functions/venv``."""

    emulator_project_id: str = "demo-boiler"
    """Project id used with local emulators; must start with ``demo-``."""

    functions_dir: str = "functions"
    """Folder (relative to views.yaml) holding hooks, schemas and the generated ``main.py``."""

    cors_origins: tuple[str, ...] = ()
    """Browser origins allowed to call the HTTP functions (``https://app.example.com``); empty
    means none (no CORS headers), ``("*",)`` any origin. Checked by the loader."""

    requirements: tuple[str, ...] = ()
    """The app's own packages (pip requirement lines, ``requests>=2.31``), for its hooks and
    schemas: written into the generated ``requirements.txt`` after boiler's. Checked by the
    loader."""

    data_files: tuple[str, ...] = ()
    """Files besides Python sources that the functions read at run time, as globs relative to
    ``functions_dir`` (``app/data/*.csv``; a folder ships what it holds): ``boiler deploy`` ships
    them, and refuses any other file that is not a Python source or generated. Checked by the
    loader; ``boiler check`` checks that each matches a file of the upload."""

    index_deep_sources: bool = True
    """Whether masters list the sources they reach through a ``ref``/``refs`` join below the
    root's own joins (``_deep_sources``), so that a change of one finds the roots to recompute
    with one query on the view's masters, run inside the recompute's transaction, instead of
    climbing the joins with queries before it (docs/internals/consistency.md, "Finding roots
    through the masters"). False: climb."""

    check_revoked: bool = False
    """Whether the HTTP API asks the Firebase Auth backend, for every request with an ID token,
    whether the token was revoked or its user disabled or deleted (firebase-admin's
    ``verify_id_token(check_revoked=True)``): one Auth call per such request. False: a token is
    valid until it expires (at most an hour)."""

    retry: RetrySettings | None = field(default_factory=RetrySettings)
    """How a trigger's unfinished event is retried (a task-queue function); None
    (``retry: false``): no retry function, a failed event waits for the backstop."""

    backstop: BackstopSettings | None = field(default_factory=BackstopSettings)
    """The scheduled function replaying events recorded as unfinished; None
    (``backstop: false``): none, and nothing is recorded."""


@dataclass(frozen=True)
class Collection:
    """A domain collection: normalized business data written by mutations or by clients."""

    name: str
    """Collection id (top level), e.g. ``meetings``."""

    path: PathTemplate
    """Document path template, e.g. ``meetings/{meeting}``."""

    schema: str | None
    """``module:Class`` of a marshmallow Schema describing its documents, if any."""

    client: ClientAccess = field(default_factory=lambda: ClientAccess())
    """What end users may do with its documents directly; closed unless views.yaml opens it."""


JoinKind = Literal["ref", "refs", "query"]
KeyKind = Literal["ref", "id"]
QueryOp = Literal["==", "array-contains"]


@dataclass(frozen=True)
class Join:
    """A named set of documents joined to a view's root, directly or through another join.

    ``ref``: the parent document's ``field`` holds one reference; ``refs``: a list of references;
    ``query``: the joined documents' ``field`` points at the parent (``==``) or contains it
    (``array-contains``).
    """

    name: str
    """Name used in field paths (``location.address``)."""

    collection: str
    """Source collection of the joined documents."""

    kind: JoinKind
    """How the link is stored; see the class docstring."""

    field: str
    """The field holding the link (on the parent for ref/refs, on the joined docs for query)."""

    parent: str = ROOT
    """Join this one hangs from; :data:`ROOT` for the view's root document."""

    op: QueryOp = "=="
    """Comparison for ``query`` joins."""

    key: KeyKind = "ref"
    """Whether the link holds a document reference (``ref``) or a bare document id (``id``)."""

    @property
    def many(self) -> bool:
        """True when the join yields a list of documents per parent."""
        return self.kind != "ref"

    @property
    def link_on_parent(self) -> bool:
        """True when the link lives on the parent document (ref and refs joins)."""
        return self.kind != "query"


@dataclass(frozen=True)
class FieldPath:
    """A resolved path into a view's sources: a join (or the root) and a path inside its docs."""

    join: str
    """:data:`ROOT` or a join name."""

    parts: tuple[str, ...]
    """Field names inside the document; ``("$id",)`` for the document id."""

    text: str
    """The path as written in views.yaml."""

    @property
    def top_field(self) -> str:
        """The top-level document field this path reads (``$id`` for the id)."""
        return self.parts[0]


@dataclass(frozen=True)
class SourceField:
    """Copy one value from the sources: ``address: location.address``."""

    path: FieldPath
    default: Any = None
    """Value when the path is missing (or its join is empty)."""


@dataclass(frozen=True)
class EqualsField:
    """True when a source value equals a constant: ``inSession: {source: status, equals: x}``."""

    path: FieldPath
    value: Any


@dataclass(frozen=True)
class Filter:
    """Keep joined documents whose field equals ``value``."""

    path: FieldPath
    value: Any


@dataclass(frozen=True)
class SortKey:
    """Order joined documents by ``path`` (descending with a leading ``-`` in views.yaml)."""

    path: FieldPath
    descending: bool = False


@dataclass(frozen=True)
class CountField:
    """Number of documents of a ``many`` join that pass ``where``."""

    join: str
    where: tuple[Filter, ...] = ()


@dataclass(frozen=True)
class ListField:
    """A filtered, sorted list of joined documents, each projected to ``item``.

    ``item`` is a single path (a list of scalars) or a mapping of output names to paths. Paths are
    relative to the joined document and may go through single (``ref``) joins hanging from it.
    """

    join: str
    item: FieldPath | tuple[tuple[str, FieldPath], ...]
    where: tuple[Filter, ...] = ()
    sort: tuple[SortKey, ...] = ()
    limit: int | None = None


@dataclass(frozen=True)
class HookField:
    """A value computed by a Python function ``module:function`` from the view's sources."""

    hook: str
    """``module:function``, importable from the functions folder."""

    reads: tuple[FieldPath, ...] | None
    """Field paths the hook reads; None means every field of every source (no change filter)."""

    location: Location | None = field(default=None, compare=False)
    """Where views.yaml names the hook (its ``hook:`` value), for error messages."""


FieldSpec = SourceField | EqualsField | CountField | ListField | HookField


@dataclass(frozen=True)
class Copy:
    """A per-member copy of a view document, e.g. ``users/{user}/meeting_sessions/{meeting}``."""

    path: PathTemplate
    for_each: str
    """The join (hanging from the root) whose documents are the members."""

    variable: str
    """The path variable bound to the member's document id."""


PolicyKind = Literal["public", "signed-in", "owner", "members", "rule", "hook", "member-of"]


@dataclass(frozen=True)
class Policy:
    """Who may read a view or call a mutation.

    Views: ``public``, ``signed-in``, ``owner`` (a path variable equal to the caller's uid),
    ``members`` (the caller's uid is a document of a join), ``rule`` (a rules expression).
    Domain collections (``client:``): ``public`` (reads only), ``signed-in``, ``owner``, ``rule``.
    Mutations: ``public``, ``signed-in``, ``member-of`` (a member of the view document the route
    names), ``hook`` (a Python function).
    """

    kind: PolicyKind
    value: str | None = None
    """The variable, join, view, rule expression or hook the policy names."""


@dataclass(frozen=True)
class ClientAccess:
    """Direct end-user access to a domain collection (``client:``), enforced by security rules.

    Each is None (closed, the default) or a :class:`Policy` of kind ``public`` (reads only),
    ``signed-in``, ``owner`` or ``rule``. Server code (the engine, mutations) is never limited.
    """

    read: Policy | None = None
    """Who may get and list its documents."""

    write: Policy | None = None
    """Who may create, update and delete its documents."""


@dataclass(frozen=True)
class View:
    """A view: documents computed from a root document and its joins."""

    name: str
    """Output collection id, and the view's name."""

    path: PathTemplate
    """Master document path; its single variable is the root document id."""

    root: str
    """Root source collection: one view document per root document."""

    joins: tuple[Join, ...]
    fields: tuple[tuple[str, FieldSpec], ...]
    copies: tuple[Copy, ...] = ()
    read: Policy = field(default_factory=lambda: Policy("signed-in"))

    @property
    def root_variable(self) -> str:
        """The master path's variable (bound to the root document id)."""
        return self.path.variables[0]

    def join(self, name: str) -> Join:
        """Return the join called ``name``."""
        for join in self.joins:
            if join.name == name:
                return join
        raise KeyError(name)


HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]


@dataclass(frozen=True)
class Mutation:
    """An HTTP mutation changing domain data (served by a generated HTTP function)."""

    name: str
    method: HttpMethod
    route: PathTemplate
    """URL path with variables, e.g. ``meeting_sessions/{meeting}``."""

    handler: str
    """``module:function`` performing the change."""

    body: str | None
    """``module:Class`` of the marshmallow Schema validating the request body."""

    policy: Policy


@dataclass(frozen=True)
class Manifest:
    """Everything views.yaml declares, validated."""

    project: Project
    collections: Mapping[str, Collection]
    views: Mapping[str, View]
    mutations: Mapping[str, Mutation]

    def source_collections(self) -> tuple[str, ...]:
        """Collections that feed at least one view, sorted."""
        names = {v.root for v in self.views.values()}
        names |= {j.collection for v in self.views.values() for j in v.joins}
        return tuple(sorted(names))

    def source_path(self, collection: str) -> PathTemplate:
        """Document path template of a source collection (domain or upstream view)."""
        if collection in self.collections:
            return self.collections[collection].path
        return self.views[collection].path

    def views_fed_by(self, collection: str) -> tuple[View, ...]:
        """Views whose root or joins read ``collection``, in manifest order."""
        return tuple(
            v
            for v in self.views.values()
            if v.root == collection or any(j.collection == collection for j in v.joins)
        )
