"""The recompute engine: from one domain change to the guarded writes of every affected view.

This is the one module of the engine that does I/O, all of it through the storage port. The
decisions it orchestrates are pure and live beside it: :mod:`.relevance` (can this change matter?),
:mod:`.links` (how documents of a join tree point at each other, and the queries that follow
them), :mod:`.compute` (a view document from its sources), :mod:`.decide` (what a chunk's roots
must hold, and what to read before writing) and :mod:`.outputs` (which documents to set or
delete).

One :meth:`Engine.handle` call, for each view fed by the changed collection (the views at the same
time, each on its own thread; they share no documents):

1. skips the view, without a read, when the change touches no field the view uses;
2. finds the affected roots by climbing the join tree from the changed document, outside any
   transaction, using the change's before and after data wherever the document's own links count;
3. recomputes those roots in chunks, each chunk in one serializable transaction that reads the
   roots, their joined documents (the changed document among them) and the stored view
   documents, then writes only the difference.

See docs/internals/consistency.md for why this converges under duplicated, reordered and
concurrent events.
"""

from __future__ import annotations

import contextvars
import functools
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from boiler_core.documents import Doc
from boiler_core.engine import prefetch
from boiler_core.engine.change import Change
from boiler_core.engine.chunks import Assignment, Found, Page, Schedule
from boiler_core.engine.compute import Hook, compute
from boiler_core.engine.cost import Cost
from boiler_core.engine.decide import Linked, chunk_outputs
from boiler_core.engine.failures import RootFailure, rejected
from boiler_core.engine.limits import COMMIT_BUDGET
from boiler_core.engine.links import (
    Query,
    children_query,
    doc_path,
    levels,
    link_ids,
    linked_paths,
    node_collection,
    nodes_reading,
    parents_of,
    parents_query,
)
from boiler_core.engine.outputs import (
    DEEP_SOURCES_FIELD,
    WritePlan,
    copies_named_by,
    copy_path,
    master_path,
    plan_writes,
)
from boiler_core.engine.reads import CachedReader, CountingReader, Tally
from boiler_core.engine.relevance import Usage, is_relevant, moved_parents, usage
from boiler_core.engine.serial import Held, Key, RootLocks
from boiler_core.engine.sources import Sources
from boiler_core.engine.threads import Threads
from boiler_core.errors import ComputeError, ContentionError, HookError, Rejected, Unfinished
from boiler_core.logs import LogSink, print_log
from boiler_core.manifest.imports import ImportProblem, import_object
from boiler_core.manifest.model import ROOT, HookField, Manifest, View
from boiler_core.store.port import Reader, Store, Transaction

Namer = Callable[[Sequence[str]], Mapping[str, set[str]]]
"""Given the root ids of a chunk, the copy paths (per root) to read besides the current ones."""


class Engine:
    """Keeps the manifest's views current in ``store``, one domain change at a time."""

    def __init__(
        self,
        manifest: Manifest,
        store: Store,
        *,
        log: LogSink | None = None,
        chunk_size: int = 50,
        max_attempts: int = 5,
        parallel: int = 4,
        index: bool | None = None,
    ) -> None:
        """``index``: masters list the documents of their deep joins (``_deep_sources``) and a
        change of one finds its roots with a query on the masters inside the recompute's
        transaction (docs/internals/consistency.md, "Finding roots through the masters"); None
        follows the manifest's ``project.index_deep_sources``. False: climb the joins, keep no
        list."""
        if chunk_size < 1 or max_attempts < 1 or parallel < 1:
            raise ValueError("chunk_size, max_attempts and parallel must be at least 1")
        self.manifest = manifest
        self.store = store
        self.chunk_size = chunk_size
        self.max_attempts = max_attempts
        self.parallel = parallel
        self.index = manifest.project.index_deep_sources if index is None else index
        views = max(1, len(manifest.views) - 1) if parallel > 1 else 0
        self._threads = Threads(views=views, chunks=parallel - 1)
        self._locks = RootLocks()
        self._log: LogSink = log if log is not None else print_log
        self._usage: dict[str, Usage] = {n: usage(v) for n, v in manifest.views.items()}
        self._hooks = _import_hooks(manifest)

    # -- public ----------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the threads the engine made (after the work handed to them); using the engine
        afterwards raises ``RuntimeError``. ``with Engine(...) as engine:`` closes it at the end."""
        self._threads.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def handle(self, change: Change, *, views: Collection[str] | None = None) -> Cost:
        """Bring every view fed by ``change.collection`` (or only ``views`` among them) up to
        date; log and return the cost.

        A root whose view documents cannot be computed or stored (bad data, a hook that raises,
        a document Firestore refuses) fails alone: the other roots and views are written, the
        root is logged on one ``ERROR`` line of its own (:class:`RootFailure`) and listed in
        the cost's :attr:`~Cost.failed`; the call returns. Retrying would fail the same way
        until the data or the hook changes, and such a change recomputes the root by itself.

        Any other failure (contention, the store) leaves its view unfinished while the other
        views finish; then :class:`Unfinished` is raised, naming the views a retry must redo
        (``handle(change, views=error.views)``), with the first view's error as its cause.

        One cost line per call, after the lines of the failed roots: ``INFO``; ``WARNING`` when
        roots failed; ``ERROR`` with the cost so far and the error when views are unfinished.
        """
        self._threads.check_open()
        started = time.perf_counter()
        cost = Cost()
        where = {"collection": change.collection, "doc": change.doc_id, "event_id": change.event_id}
        relevant = []
        for view in self.manifest.views_fed_by(change.collection):
            if views is not None and view.name not in views:
                continue
            if is_relevant(view, self._usage[view.name], change):
                relevant.append(view)
            else:
                cost += Cost(skipped=1, filtered=(view.name,))
        # the views at once when there are several (the first in this thread): they are
        # independent, and a fan-out in one must not hold up the others
        pool = self._threads.for_views() if len(relevant) > 1 else None
        if pool is None:
            handled = [self._handle_view(view, change) for view in relevant]
        else:
            others = [
                pool.submit(contextvars.copy_context().run, self._handle_view, view, change)
                for view in relevant[1:]
            ]
            first_view = self._handle_view(relevant[0], change)
            wait(others)
            handled = [first_view, *(future.result() for future in others)]
        for done in handled:
            cost += done.cost
        errors = {v.name: d.error for v, d in zip(relevant, handled, strict=True) if d.error}
        for failure in cost.failed:
            self._log(failure.to_log(where))
        if errors:
            cost = replace(cost, ms=_elapsed_ms(started))
            first = next(iter(errors.values()))
            entry = cost.to_log(**where, error=f"{type(first).__name__}: {first}")
            entry["boiler"]["unfinished"] = list(errors)
            self._log(_with_give_up(entry, first))
            raise _unfinished(change, errors) from first
        cost = replace(cost, ms=_elapsed_ms(started), lag_ms=_lag_ms(change.time))
        self._log(cost.to_log(**where))
        return cost

    def _handle_view(self, view: View, change: Change) -> _Handled:
        """Find the roots of ``view`` that ``change`` affects and recompute them; what it cost
        and, when it failed, why (the cost then is what the steps done so far spent)."""
        tally = Tally()
        failed: list[RootFailure] = []
        recomputed = Cost()
        try:
            affected = self._affected_roots(view, change, CountingReader(self.store, tally))
            named = _change_names(view, change)
            recomputed = self._recompute(view, affected.roots, named, affected.queries, failed)
        except Exception as exc:  # raised by handle once every view is done
            error: Exception | None = exc
        else:
            error = None
        climbed = Cost(reads=tally.reads, queries=tally.queries, views=(view.name,))
        return _Handled(climbed + recomputed + Cost(failed=tuple(failed)), error)

    def recompute(
        self,
        view: str,
        root_ids: Iterable[str],
        *,
        also: Mapping[str, Iterable[str]] | None = None,
        failed: list[RootFailure] | None = None,
    ) -> Cost:
        """Rebuild the documents of ``view`` for ``root_ids`` from the current domain state.

        Creates, updates or deletes the master document and the copies of current members. Copies
        of former members are only found through changes (see :meth:`handle`), or when a caller
        that listed them (``boiler verify``, ``boiler backfill``) passes them in ``also``: copy
        paths per root id, read in the transaction and deleted unless the root still needs them.

        A root whose documents cannot be computed or stored fails alone: the others are written,
        then it is appended to ``failed``, or without ``failed`` a :class:`ComputeError` is
        raised (the root's own, or one naming every root that failed).
        """
        self._threads.check_open()
        started = time.perf_counter()
        target = self._view(view)
        named = _named(also)
        roots = set(root_ids) | set(named)
        cost = Cost(views=(target.name,)) + self._recompute(
            target, roots, _given(named), failed=failed
        )
        return replace(cost, ms=_elapsed_ms(started))

    def plan(
        self,
        view: str,
        root_ids: Iterable[str],
        tx: Transaction,
        *,
        also: Mapping[str, Iterable[str]] | None = None,
    ) -> WritePlan:
        """What :meth:`recompute` would write for ``root_ids``, decided from ``tx``'s reads.

        Runs the same transaction function as :meth:`recompute`, once, on ``tx``, which receives
        the planned ``set`` and ``delete`` calls: give it a transaction that records instead of
        writing to compare stored documents with recomputed ones without changing anything.
        Raises :class:`ComputeError` when a root cannot be computed or stored (as
        :meth:`recompute` does), after planning the others.
        """
        named = _named(also)
        chunk = sorted(set(root_ids) | set(named))
        assignment = Assignment(tuple(chunk), (), frozenset())
        attempt = _Attempt()
        target = self._view(view)
        plan = self._chunk_transaction(
            target, assignment, _given(named), Tally(), attempt, commit=False
        )(tx)
        if attempt.failed:
            raise _failed_roots(attempt.failed)
        return plan

    def content(self, view: str, root_id: str, reader: Reader) -> dict[str, Any] | None:
        """The computed fields of ``view``'s document for root ``root_id`` in the state ``reader``
        sees (a transaction, for a consistent answer); None when the root does not exist.

        The HTTP layer compares this with a client's ``If-Match`` version inside a mutation's
        transaction. Bookkeeping fields are not included.
        """
        target = self._view(view)
        path = doc_path(target.root, root_id)
        root = reader.get_all([path]).get(path)
        if root is None:
            return None
        linked = self._gather(target, [root], reader)
        return compute(target, Sources(root, parents_of(target), linked), self._hooks)

    def _view(self, name: str) -> View:
        try:
            return self.manifest.views[name]
        except KeyError:
            known = ", ".join(self.manifest.views) or "none"
            raise KeyError(f"no view '{name}' in the manifest (views: {known})") from None

    # -- affected roots --------------------------------------------------------------------------

    def _affected_roots(self, view: View, change: Change, reader: Reader) -> Affected:
        """The roots whose documents may depend on the changed document, before or after.

        Climbs from each node reading the changed collection to the root. The changed document's
        own link fields are taken from both its before and after; higher up, current state is
        enough, because any later change of those links is an event of its own. Only the parents
        of the document's ``query`` join it joined or left count when nothing else the view uses
        changed (:func:`~.relevance.moved_parents`). The last step's queries for roots linking a
        ``ref``/``refs`` child are not run but returned: the recompute runs them inside its
        transactions, where their results are the root reads it needs. With ``index`` on, a
        changed document of a deep join that existed before the write is not climbed from at
        all: a query for the masters listing it (``_deep_sources``) is returned instead, and its
        results are the master reads the recompute needs (a document just created is listed by
        no master yet, so it is climbed from).
        """
        roots: set[str] = set()
        queries: list[Query] = []
        own = [d for d in (change.before, change.after) if d is not None]
        for start in nodes_reading(view, change.collection):
            if self._indexed(view, start, change):
                queries.append(
                    Query(
                        view.path.collection_path, DEEP_SOURCES_FIELD, "array-contains", change.path
                    )
                )
                continue
            node = start
            datas: dict[str, list[Mapping[str, Any]]] = {change.doc_id: own}
            while node != ROOT and datas:
                join = view.join(node)
                above: dict[str, list[Mapping[str, Any]]] = {}
                moved = moved_parents(view, node, change) if node == start else None
                if moved is not None:  # only the changed document's link moved
                    above.update((parent_id, []) for parent_id in moved)
                elif join.kind == "query":
                    for data in (d for ds in datas.values() for d in ds):
                        for parent_id in link_ids(join, data):
                            above.setdefault(parent_id, [])
                else:
                    for doc_id in sorted(datas):
                        query = parents_query(view, join, doc_path(join.collection, doc_id))
                        if join.parent == ROOT:
                            queries.append(query)
                            continue
                        for parent in query.run(reader):
                            above.setdefault(parent.id, [parent.data])
                node = join.parent
                if node != ROOT and view.join(node).kind == "query":
                    self._fill_data(view, node, above, reader)
                datas = above
            if node == ROOT:
                roots.update(datas)
        return Affected(frozenset(roots), tuple(queries))

    def _indexed(self, view: View, node: str, change: Change) -> bool:
        """Whether the masters' ``_deep_sources`` find the roots a change at ``node`` feeds."""
        if not self.index or change.before is None or node == ROOT:
            return False
        join = view.join(node)
        return join.link_on_parent and join.parent != ROOT

    @staticmethod
    def _fill_data(
        view: View, node: str, datas: dict[str, list[Mapping[str, Any]]], reader: Reader
    ) -> None:
        """Read the documents of ``node`` known only by id (their links lead further up)."""
        missing = sorted(doc_id for doc_id, known in datas.items() if not known)
        collection = node_collection(view, node)
        found = reader.get_all([doc_path(collection, doc_id) for doc_id in missing])
        for doc_id in missing:
            doc = found.get(doc_path(collection, doc_id))
            if doc is not None:
                datas[doc_id] = [doc.data]

    # -- recompute -------------------------------------------------------------------------------

    def _recompute(
        self,
        view: View,
        root_ids: Iterable[str],
        named: Namer,
        queries: Sequence[Query] = (),
        failed: list[RootFailure] | None = None,
    ) -> Cost:
        """Recompute ``root_ids`` and the roots ``queries`` find, in chunks of ``chunk_size``,
        one transaction per chunk, up to ``parallel`` chunks at a time (:mod:`.chunks`).

        The queries run inside the transactions, a page at a time: each chunk fills the room its
        named roots leave with the next page of each open query (ordered by document name), so
        every root found is read once, by the transaction that recomputes it. A root that
        cannot be computed or stored fails alone (:meth:`_chunk`): it is appended to ``failed``
        (raised as its :class:`ComputeError` when ``failed`` is None, once every chunk is done)
        and the other roots are written.
        """
        failures: list[RootFailure] = [] if failed is None else failed
        work = functools.partial(self._chunk, view, named, failures)
        schedule = Schedule(
            sorted(root_ids), queries, self.chunk_size, work, self._threads.for_chunks()
        )
        cost = schedule.run()
        if failed is None and failures:
            raise _failed_roots(failures)
        return cost

    def _chunk(
        self,
        view: View,
        named: Namer,
        failed: list[RootFailure],
        assignment: Assignment,
        found: Found | None,
        held: Held | None = None,
    ) -> Cost:
        """Run one chunk's transaction, holding its roots' locks (:mod:`.serial`); return its
        cost and append the roots that fail alone to ``failed``.

        A root whose documents cannot be computed, or would be refused (:mod:`.limits`), is left
        out of the transaction's writes. When the database refuses the commit anyway
        (:class:`Rejected`), or its writes are too many bytes for one commit, the chunk is run
        again as two halves, down to single roots: the one the database refuses alone fails.

        Without ``held`` (a chunk :class:`Schedule` hands out) the chunk takes the locks with a
        holder of its own, releases them at the end and counts in its cost whether it waited;
        the halves of a split chunk run with their chunk's ``held``.
        """
        holder = self._locks.holder() if held is None else held
        tally = Tally()
        attempt = _Attempt()
        run = self._chunk_transaction(view, assignment, named, tally, attempt, found, holder.take)
        try:
            for round_ in range(self.max_attempts):
                # the last round races for busy roots like any other writer would
                attempt.guarded = round_ < self.max_attempts - 1
                roots = (*assignment.given, *attempt.busy)
                holder.wait_for((view.name, root_id) for root_id in roots)
                try:
                    plan = self.store.run_transaction(run, max_attempts=self.max_attempts)
                    break
                except _Busy:  # a root another chunk holds: wait for it, no transaction open
                    continue
        except ContentionError as exc:  # name the roots the last attempt worked on
            raise _gave_up(view, attempt.ids or assignment.given, self.max_attempts, exc) from exc
        except (Rejected, _TooBig) as exc:
            tried = attempt.ids
            spent = Cost(reads=tally.reads, queries=tally.queries)
            if not tried:  # refused before any root was known: nothing to split
                given = [doc_path(view.root, r) for r in assignment.given]
                raise rejected(view, given, exc) from exc
            if len(tried) == 1:
                document = doc_path(view.root, tried[0])
                failed.append(RootFailure.of(view.name, document, rejected(view, [document], exc)))
            else:
                half = len(tried) // 2
                for part in (tried[:half], tried[half:]):
                    alone = Assignment(tuple(part), (), frozenset())
                    spent += self._chunk(view, named, failed, alone, None, holder)
            return spent if held is not None else spent + Cost(waited=int(holder.contended))
        finally:
            if held is None:
                holder.release()
        failed.extend(attempt.failed)
        cost = Cost(
            reads=tally.reads,
            queries=tally.queries,
            writes=len(plan.sets),
            deletes=len(plan.deletes),
            skipped=plan.unchanged,
            retries=self.store.last_retries,
            refreshed=len(plan.refreshed),
            roots=len(attempt.ids) - len(attempt.failed),
        )
        return cost if held is not None else cost + Cost(waited=int(holder.contended))

    def _chunk_transaction(
        self,
        view: View,
        assignment: Assignment,
        named_by: Namer,
        tally: Tally,
        attempt: _Attempt,
        found: Found | None = None,
        take: Callable[[Iterable[Key]], list[Key]] | None = None,
        *,
        commit: bool = True,
    ) -> Callable[[Transaction], WritePlan]:
        """The transaction function of one chunk: all reads, the pure decisions, then writes.

        The chunk's roots are the assignment's named roots and, when it has open queries, the
        next page of each (:meth:`_paged_roots`). ``attempt`` receives what each attempt did
        (the last attempt's: its roots and the roots that failed). Every document is read once
        per attempt (:class:`CachedReader`), and what can be predicted is read in as few calls as
        possible (:mod:`.prefetch`).

        A root whose documents cannot be computed (a hook raised, data of an unexpected shape)
        or would be refused by the database (:mod:`.limits`) is recorded in ``attempt.failed``
        and left out: none of its documents is read as a candidate, written or deleted. When
        the writes of several roots together are more than one commit should carry, the
        attempt raises :class:`_TooBig` before writing (its caller splits the chunk).

        ``take`` tries the locks of the roots the queries found (:class:`~.serial.Held.take`);
        when ``attempt.guarded`` and one is busy, the attempt raises :class:`_Busy` before
        reading anything else (its caller waits for that root and runs the transaction again).
        """
        first_pages = _FirstPages()

        def run(tx: Transaction) -> WritePlan:
            reader = CachedReader(CountingReader(tx, tally))
            ids = sorted(assignment.given)
            if assignment.pages:
                ids = self._paged_roots(reader, assignment, first_pages, found)
            attempt.start(ids)
            if take is not None:
                busy = take((view.name, root_id) for root_id in ids)
                if busy and attempt.guarded:
                    attempt.busy = [root_id for _, root_id in busy]
                    raise _Busy()
            named = named_by(ids)
            root_paths = {root_id: doc_path(view.root, root_id) for root_id in ids}
            masters = {root_id: master_path(view, root_id) for root_id in ids}
            first = [*masters.values(), *sorted(p for r in ids for p in named.get(r, ()))]
            if all(path in reader.read for path in root_paths.values()):
                known = [d for p in root_paths.values() if (d := reader.read[p]) is not None]
                reader.get_all([*first, *prefetch.from_roots(view, known)])
            else:
                reader.get_all([*root_paths.values(), *first])
            roots = {root_id: reader.read.get(path) for root_id, path in root_paths.items()}
            present = [d for d in roots.values() if d is not None]
            reader.get_all(prefetch.from_roots(view, present))
            linked = self._gather(view, present, reader)
            orphans = {
                root_id: self._orphan_copies(view, root_id, reader)
                for root_id, root in roots.items()
                if root is None
            }
            outputs = chunk_outputs(
                view, roots, linked, named, orphans, self._hooks, index=self.index
            )
            attempt.failed.extend(outputs.failed)
            existing = reader.get_all(sorted(outputs.candidates))
            plan = plan_writes(outputs.desired, existing)
            if commit and len(ids) - len(attempt.failed) > 1:
                size = sum(outputs.sizes.get(path, 0) for path, _ in plan.sets)
                if size > COMMIT_BUDGET:
                    raise _TooBig(f"{size:,} bytes of writes, over {COMMIT_BUDGET:,} per commit")
            for path, data in plan.sets:
                tx.set(path, data)
            for path in plan.deletes:
                tx.delete(path)
            return plan

        return run

    def _paged_roots(
        self, reader: Reader, assignment: Assignment, first: _FirstPages, found: Found | None
    ) -> list[str]:
        """The assignment's named roots and the roots of its queries' next pages, up to
        ``chunk_size`` in all, leaving out the roots other chunks have.

        The first attempt reads the next page of each open query, records where each page
        ended in ``first`` and tells ``found`` (which hands out the next chunk). A retried attempt
        reads the same ranges again, whatever they hold by then, and keeps the roots the first
        one found too, so a retry neither skips nor steals a root.
        """
        ids = list(assignment.given)
        seen = set(ids) | assignment.skip

        def take(candidates: Iterable[str]) -> None:
            for root_id in candidates:
                if root_id not in seen:
                    ids.append(root_id)
                    seen.add(root_id)

        if first.ids is not None:
            take(first.ids)
            for query, after, end in first.ranges:
                take(doc.id for doc in self._page_range(reader, query, after, end))
            return sorted(ids)
        ranges: list[tuple[Query, str | None, str | None]] = []
        still_open: list[Page] = []
        for query, after in assignment.pages:
            room = self.chunk_size - len(ids)
            if room <= 0:
                still_open.append((query, after))
                continue
            page = query.run(reader, after=after, limit=room)
            take(doc.id for doc in page)
            end = page[-1].path if len(page) == room else None
            ranges.append((query, after, end))
            if end is not None:
                still_open.append((query, end))
        first.ranges, first.ids = ranges, sorted(ids)
        if found is not None:
            found(first.ids, still_open)
        return first.ids

    def _page_range(
        self, reader: Reader, query: Query, after: str | None, end: str | None
    ) -> list[Doc]:
        """The query's documents after ``after`` up to ``end`` (inclusive; None: to the last),
        read a page of ``chunk_size`` at a time."""
        docs: list[Doc] = []
        cursor = after
        while True:
            page = query.run(reader, after=cursor, limit=self.chunk_size)
            docs.extend(doc for doc in page if end is None or doc.path <= end)
            if len(page) < self.chunk_size or (end is not None and page[-1].path >= end):
                return docs
            cursor = page[-1].path

    def _gather(self, view: View, roots: list[Doc], reader: Reader) -> Linked:
        """Load the join tree of ``roots`` level by level: one ``get_all`` per level for
        ``ref``/``refs`` joins, one query per parent document for ``query`` joins."""
        linked: Linked = {join.name: {} for join in view.joins}
        loaded: dict[str, list[Doc]] = {ROOT: roots}
        for level in levels(view):
            wanted = sorted(
                {
                    path
                    for join in level
                    if join.link_on_parent
                    for parent in loaded[join.parent]
                    for path in linked_paths(join, parent)
                }
            )
            found = reader.get_all(wanted)
            for join in level:
                by_parent = linked[join.name]
                for parent in loaded[join.parent]:
                    if join.link_on_parent:
                        paths = linked_paths(join, parent)
                        by_parent[parent.path] = [
                            d for p in paths if (d := found.get(p)) is not None
                        ]
                    else:
                        by_parent[parent.path] = children_query(join, parent.path).run(reader)
                unique = {d.path: d for docs in by_parent.values() for d in docs}
                loaded[join.name] = [unique[path] for path in sorted(unique)]
        return linked

    @staticmethod
    def _orphan_copies(view: View, root_id: str, reader: Reader) -> set[str]:
        """Copies of a missing root whose members still point at it through a query join."""
        paths: set[str] = set()
        root_path = doc_path(view.root, root_id)
        for copy in view.copies:
            join = view.join(copy.for_each)
            if join.kind == "query":
                for member in children_query(join, root_path).run(reader):
                    paths.add(copy_path(view, copy, root_id, member.id))
        return paths


@dataclass(frozen=True)
class _Handled:
    """What handling one view of a change spent, and the error that left it unfinished."""

    cost: Cost
    error: Exception | None = None


@dataclass(frozen=True)
class Affected:
    """The roots of one view that a change may affect (see :meth:`Engine._affected_roots`)."""

    roots: frozenset[str]
    """Found by climbing the joins from the changed document."""

    queries: tuple[Query, ...] = ()
    """Queries whose results are the other roots (or their masters), run page by page inside the
    recompute's transactions."""


@dataclass
class _FirstPages:
    """What the first attempt of a chunk with queries found: its roots, and the range each page
    it read covered (``end`` None: to the last document)."""

    ids: list[str] | None = None
    ranges: list[tuple[Query, str | None, str | None]] = field(default_factory=list)


@dataclass
class _Attempt:
    """What the latest attempt of a chunk's transaction did (see :meth:`Engine._chunk`)."""

    ids: list[str] = field(default_factory=list)
    """The roots it recomputed (named, and found by its queries)."""

    failed: list[RootFailure] = field(default_factory=list)
    """Its roots that could not be computed or stored (left out of its writes)."""

    busy: list[str] = field(default_factory=list)
    """Roots its queries found that another chunk of this process held."""

    guarded: bool = True
    """Whether a busy root stops the attempt (:class:`_Busy`) rather than being raced for."""

    def start(self, ids: Sequence[str]) -> None:
        """A new attempt on ``ids``."""
        self.ids, self.failed = list(ids), []


class _Busy(Exception):
    """A chunk's attempt found a root another chunk of this process is recomputing; its
    transaction ends without writing and the chunk waits for that root (:mod:`.serial`).
    Never leaves the engine."""


class _TooBig(Exception):
    """A chunk's writes are more bytes than one commit should carry; the chunk is split.
    Never leaves the engine."""


def _failed_roots(failures: Sequence[RootFailure]) -> ComputeError:
    """The error :meth:`Engine.recompute` and :meth:`Engine.plan` raise when roots failed: the
    root's own when one did, else one line per root."""
    if len(failures) == 1:
        [only] = failures
        return ComputeError(only.reason, view=only.view, document=only.document)
    return ComputeError("\n".join(failure.reason for failure in failures), view=failures[0].view)


def _import_hooks(manifest: Manifest) -> dict[str, Hook]:
    """Import every hook the manifest names, once; HookError names what cannot be imported."""
    hooks: dict[str, Hook] = {}
    for view in manifest.views.values():
        for name, spec in view.fields:
            if not isinstance(spec, HookField) or spec.hook in hooks:
                continue
            located = f"{spec.location}: " if spec.location is not None else ""
            where = f"{located}hook {spec.hook} (field {name} of view {view.name})"
            try:
                hook = import_object(spec.hook)
            except ImportProblem as problem:
                hint = f" ({problem.hint})" if problem.hint else ""
                raise HookError(
                    f"{where} cannot be imported: {problem.message}{hint}", view=view.name
                ) from problem
            if not callable(hook):
                raise HookError(
                    f"{where} is not callable (it is {type(hook).__name__})", view=view.name
                )
            hooks[spec.hook] = hook
    return hooks


def _named(also: Mapping[str, Iterable[str]] | None) -> dict[str, set[str]]:
    return {root_id: set(paths) for root_id, paths in (also or {}).items()}


def _given(named: Mapping[str, set[str]]) -> Namer:
    """A :data:`Namer` answering from a fixed mapping."""
    return lambda ids: {root_id: named[root_id] for root_id in ids if root_id in named}


def _change_names(view: View, change: Change) -> Namer:
    """A :data:`Namer` for the copies a change names (see :func:`copies_named_by`)."""
    return lambda ids: copies_named_by(view, change, ids)


def _gave_up(view: View, chunk: Sequence[str], attempts: int, exc: Exception) -> ContentionError:
    """The error that says what contention left undone, and how to repair it."""
    shown = ", ".join(chunk[:5]) + (f" and {len(chunk) - 5} more" if len(chunk) > 5 else "")
    return ContentionError(
        f"gave up on view '{view.name}' for root(s) {shown} of '{view.root}' after {attempts} "
        f"contended attempts; they stay stale until `boiler verify --repair {view.name}` or "
        f"their next change ({exc})",
        view=view.name,
        roots=tuple(chunk),
        attempts=attempts,
    )


def _unfinished(change: Change, errors: Mapping[str, Exception]) -> Unfinished:
    """The error :meth:`Engine.handle` raises when views of ``change`` failed (by view)."""
    names = list(errors)
    first = errors[names[0]]
    label = "view" if len(names) == 1 else "views"
    return Unfinished(
        f"{change.path}: {label} {', '.join(names)} not brought up to date: "
        f"{type(first).__name__}: {first}",
        views=tuple(names),
        errors=dict(errors),
    )


def _with_give_up(entry: dict[str, Any], exc: Exception) -> dict[str, Any]:
    """``entry`` with a ``gave_up`` record (view, roots, attempts) when contention caused it."""
    if isinstance(exc, ContentionError) and exc.view is not None:
        entry["boiler"]["gave_up"] = {
            "view": exc.view,
            "roots": list(exc.roots),
            "attempts": exc.attempts,
        }
    return entry


def _elapsed_ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def _lag_ms(written: datetime | None) -> float | None:
    if written is None:
        return None
    aware = written if written.tzinfo is not None else written.replace(tzinfo=UTC)
    return (datetime.now(UTC) - aware).total_seconds() * 1000.0
