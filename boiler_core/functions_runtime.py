"""What the generated ``functions/main.py`` runs: :class:`Triggers`, boiler's side of its triggers.

``main.py`` builds one :class:`Triggers` at import from the manifest embedded in it. Importing must
stay cheap and offline, because ``firebase deploy`` imports ``main.py`` to discover the functions
and every cold start imports it again: the constructor parses and checks the manifest (importing
the hooks and schemas it names, so a broken functions folder fails at deploy, not at the first
event) and does nothing else. The Firestore client and the engine
(:class:`~boiler_core.engine.engine.Engine`) are created on the first event, for its project.

Each generated trigger is a one-liner calling :meth:`Triggers.on_written` with its source
collection and the SDK's event, ``Event[Change[DocumentSnapshot | None]]``, whether
functions-framework delivered it (production, the Functions emulator) or a test called the
decorated function with a protobuf ``cloudevents.http.CloudEvent``. An event the engine leaves
unfinished is handed to the generated retry function (:meth:`Triggers.on_retry`, a Cloud Tasks
queue), and events that could not be finished are replayed by the generated backstop
(:meth:`Triggers.on_schedule`), which also verifies a slice of every view each run;
:class:`~boiler_core.retry.Retrier` does both.

Both :class:`Triggers` and :class:`DeployedApi` refuse to work in a deployed function whose
environment names an emulator (:class:`~boiler_core.deployment.EnvironmentGuard`): one ERROR line
per instance, then every event fails and every request is answered 503.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from firebase_functions.core import Change as SdkChange
from firebase_functions.firestore_fn import Event
from google.cloud.firestore import DocumentReference, DocumentSnapshot

from boiler_core.deployment import EnvironmentGuard
from boiler_core.engine.change import Change
from boiler_core.engine.engine import Engine
from boiler_core.errors import EmulatorInDeployment, ManifestError
from boiler_core.logs import print_log
from boiler_core.manifest import Manifest, load_manifest_text
from boiler_core.manifest.imports import importable_from
from boiler_core.manifest.model import BackstopSettings
from boiler_core.rebuild.sweep import Sweep
from boiler_core.retry import CloudTasksQueue, PendingEvents, Retrier, RetryQueue
from boiler_core.retry.injection import InjectedUnfinished
from boiler_core.retry.policy import RETRY_COUNT_HEADER, attempt_of
from boiler_core.retry.retrier import BackstopReport, utc_now
from boiler_core.store.codec import to_neutral
from boiler_core.store.firestore import FirestoreStore, firestore_client
from boiler_core.store.port import ListingStore

if TYPE_CHECKING:  # the HTTP layer loads on the first request only (see DeployedApi)
    from firebase_functions.https_fn import CallableRequest
    from firebase_functions.scheduler_fn import ScheduledEvent
    from flask import Response
    from werkzeug.wrappers import Request

    from boiler_core.http.api import HttpApi

Snapshot = DocumentSnapshot[DocumentReference]
WrittenEvent = Event[SdkChange[Snapshot | None]]
"""What an ``on_document_written`` trigger receives; generated functions annotate with it."""

EMBEDDED_FILE = "views.yaml (embedded in main.py)"
"""How problems in the embedded manifest are located in error messages."""

SOURCE_FILE = "views.yaml"
"""The app's manifest beside the functions folder, whose places errors name when it is there."""


class EngineLike(Protocol):
    """The part of :class:`~boiler_core.engine.engine.Engine` the triggers use."""

    def handle(self, change: Change, *, views: Collection[str] | None = None) -> object:
        """Bring the views fed by ``change`` (or only ``views`` among them) up to date."""
        ...


EngineFactory = Callable[[Manifest, str | None], EngineLike]
"""Builds the engine for a manifest and a Google Cloud project id (None: from the environment)."""


def firestore_engine(manifest: Manifest, project: str | None) -> EngineLike:
    """The production engine: Firestore through the default (or emulator) client of ``project``."""
    return Engine(manifest, FirestoreStore(firestore_client(project)))


class Triggers:
    """Turns SDK trigger events into :class:`~boiler_core.engine.change.Change` for the engine,
    and runs the retry and backstop functions (:class:`~boiler_core.retry.Retrier`).

    ``base_dir`` is the folder of ``main.py``; the embedded manifest names it as its functions
    folder (``functions_dir: .``), so hooks resolve there as they do in the deployed source.
    ``engine_factory`` is the seam for local runtimes and tests; it runs once, on the first event.
    Retries go to the retry function's Cloud Tasks queue (:class:`CloudTasksQueue`) and events
    are recorded in the engine's store, unless :meth:`use_retries` says otherwise.
    """

    def __init__(
        self,
        manifest_text: str,
        *,
        base_dir: Path,
        engine_factory: EngineFactory = firestore_engine,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self.base_dir = base_dir.resolve()
        embedded = load_manifest_text(manifest_text, file=EMBEDDED_FILE, base_dir=self.base_dir)
        self.manifest = located_in_source(embedded, self.base_dir)
        self._engine_factory = engine_factory
        self._environ = environ
        self._engine: EngineLike | None = None
        self._retrier: Retrier | None = None
        self._queue: RetryQueue | None = None
        self._pending: PendingEvents | None = None
        self._lock = threading.Lock()
        self._guard = EnvironmentGuard(environ, print_log)

    def use_engine(self, engine: EngineLike) -> None:
        """Handle every later event with ``engine`` instead of building one on the first event."""
        with self._lock:
            self._engine = engine
            self._retrier = None

    def use_retries(
        self, *, queue: RetryQueue | None = None, pending: PendingEvents | None = None
    ) -> None:
        """Hand unfinished events to ``queue`` and record them in ``pending`` instead of the
        defaults (the retry function's Cloud Tasks queue, the engine's store)."""
        with self._lock:
            self._queue, self._pending = queue, pending
            self._retrier = None

    def on_written(self, collection: str, event: WrittenEvent) -> None:
        """Hand one ``document.written`` event on source ``collection`` to the engine, and what
        it leaves unfinished to the retry function; raises
        :class:`~boiler_core.errors.NotQueued` when that hand-over fails, and
        :class:`~boiler_core.errors.EmulatorInDeployment` in a deployed function whose
        environment names an emulator."""
        self._guard.check()
        change = change_from_event(self.manifest, collection, event)
        self._retrier_for(event.project or None).on_event(change)

    def on_retry(self, request: CallableRequest[Any]) -> None:
        """One attempt of the retry function (Cloud Tasks): redo the views of the task in
        ``request``. While they stay unfinished and attempts remain, raises the SDK's
        ``HttpsError`` UNAVAILABLE: the answer is 503 and Cloud Tasks retries, and the attempt's
        WARNING line (not the SDK's ERROR line of an unhandled error) says why."""
        from firebase_functions.https_fn import FunctionsErrorCode, HttpsError

        self._guard.check()
        attempt = attempt_of(request.raw_request.headers.get(RETRY_COUNT_HEADER))
        try:
            self._retrier_for(None).on_task(request.data, attempt)
        except Exception as exc:  # logged by the retrier: its WARNING line says why
            raise HttpsError(
                FunctionsErrorCode.UNAVAILABLE, "views left unfinished; Cloud Tasks retries"
            ) from exc

    def on_schedule(self, event: ScheduledEvent | None = None) -> BackstopReport:
        """One run of the backstop: replay the oldest events recorded as unfinished, then verify
        and repair the next slice of every view (``project.backstop.verify_roots``)."""
        self._guard.check()
        backstop = self.manifest.project.backstop
        limit = backstop.limit if backstop is not None else 0
        return self._retrier_for(None).backstop(limit)

    def _retrier_for(self, project: str | None) -> Retrier:
        with self._lock:
            if self._engine is None:
                with importable_from(self.base_dir):  # hooks import as in the deployed folder
                    self._engine = self._engine_factory(self.manifest, project)
            if self._retrier is None:
                self._retrier = self._build_retrier(self._engine, project)
            return self._retrier

    def _build_retrier(self, engine: EngineLike, project: str | None) -> Retrier:
        settings = self.manifest.project
        queue = self._queue
        if queue is None and settings.retry is not None:
            queue = CloudTasksQueue(region=settings.region, project=project, environ=self._environ)
        pending = self._pending
        store = getattr(engine, "store", None)
        if pending is None and settings.backstop is not None and _lists(store):
            pending = PendingEvents(cast(ListingStore, store), utc_now)
        return Retrier(
            self.manifest,
            engine,
            queue=queue if settings.retry is not None else None,
            pending=pending if settings.backstop is not None else None,
            log=print_log,
            inject=InjectedUnfinished.from_environ(self._environ, print_log),
            sweep=_sweep(engine, settings.backstop),
        )


def _sweep(engine: EngineLike, backstop: BackstopSettings | None) -> Sweep | None:
    """The backstop's rolling verification, unless it is off (``verify_roots: 0``) or the
    engine is not boiler's on a store that lists collections (a test's stand-in)."""
    if backstop is None or not backstop.verify_roots or not isinstance(engine, Engine):
        return None
    if not _lists(engine.store):
        return None
    return Sweep(engine, cast(ListingStore, engine.store), roots=backstop.verify_roots)


def _lists(store: object) -> bool:
    """Whether ``store`` can list collections (the backstop pages through its records)."""
    return callable(getattr(store, "list_documents", None))


class DeployedApi:
    """The HTTP API of a deployed ``main.py`` (:func:`~boiler_core.http.factory.deployed_api`),
    built on its first request.

    Every function of a deploy imports ``main.py`` when its instance starts, and only the HTTP
    function serves requests: building the API lazily keeps ``boiler_core.http`` out of the
    triggers' cold start. Nothing a deploy should catch is deferred: the manifest check of
    :class:`Triggers` has already imported the mutations' handlers, bodies and policy hooks, and
    ``boiler generate`` refuses a manifest whose policies the API could not enforce.
    """

    def __init__(self, manifest: Manifest, *, base_dir: Path) -> None:
        self.manifest = manifest
        self.base_dir = base_dir
        self._api: HttpApi | None = None
        self._lock = threading.Lock()
        self._guard = EnvironmentGuard(os.environ, print_log)

    def handle(self, request: Request) -> Response:
        """Answer one request, building the API on the first. The API answers every request
        itself; an error while building it (which ``boiler generate`` rules out) propagates, so
        the platform answers a bare 500 and logs it, and the next request tries again. In a
        deployed function whose environment names an emulator, every request is 503."""
        try:
            self._guard.check()
        except EmulatorInDeployment:
            from boiler_core.http.problems import misconfigured

            return misconfigured()
        with self._lock:
            if self._api is None:
                from boiler_core.http.factory import deployed_api

                self._api = deployed_api(self.manifest, base_dir=self.base_dir)
        return self._api.handle(request)


def located_in_source(manifest: Manifest, base_dir: Path) -> Manifest:
    """``manifest`` (embedded in ``main.py``), placed in the app's own ``views.yaml`` when the
    folder above ``base_dir`` has one that declares exactly this manifest (``boiler dev``, the
    tests): then an error names ``views.yaml:LINE:COL`` where the user wrote the hook, not the
    line of the embedded copy. Deployed, no such file is there and ``manifest`` is kept."""
    source = base_dir.parent / SOURCE_FILE
    if not source.is_file():
        return manifest
    try:
        text = source.read_text(encoding="utf-8")
        declared = load_manifest_text(
            text, file=SOURCE_FILE, base_dir=base_dir.parent, import_code=False
        )
    except (OSError, ManifestError):
        return manifest
    here = replace(declared, project=replace(declared.project, functions_dir="."))
    if here != manifest:  # edited since main.py was generated: keep the embedded copy's places
        return manifest
    return here


def change_from_event(manifest: Manifest, collection: str, event: WrittenEvent) -> Change:
    """The engine's view of a written event: store-neutral before/after data of one document.

    Raises ValueError when the event's document is not in ``collection`` (a mis-wired trigger).
    """
    template = manifest.source_path(collection)
    document = _relative_path(event.document)
    if template.match(document) is None:
        raise ValueError(
            f"event {event.id} is about '{document}', which is not a document of source "
            f"collection '{collection}' ({template.text}): regenerate main.py with boiler generate"
        )
    return Change(
        collection=collection,
        doc_id=document.rsplit("/", 1)[-1],
        before=_data(event.data.before),
        after=_data(event.data.after),
        event_id=event.id,
        time=event.time,
    )


def _relative_path(document: str) -> str:
    """``meetings/m1`` from either that or ``projects/p/databases/d/documents/meetings/m1``."""
    marker = "/documents/"
    if document.startswith("projects/") and marker in document:
        return document.split(marker, 1)[1]
    return document


def _data(snapshot: Snapshot | None) -> Mapping[str, Any] | None:
    if snapshot is None or not snapshot.exists:
        return None
    data: Mapping[str, Any] = to_neutral(snapshot.to_dict() or {})
    return data
