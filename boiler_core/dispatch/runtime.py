"""The local runtime: the Firestore emulator delivering trigger events to the functions of main.py.

:class:`LocalRuntime` starts the emulator (``--functions_emulator`` pointing at the dispatcher) and
the dispatcher process side by side, waits for both, then registers every Firestore trigger of
``functions/main.py`` with the emulator before anyone writes (an event sent while nothing is
registered is lost). From then on each domain write runs the generated function, which runs the
engine, which writes the views: the production code path, on the emulator.

``settle()`` is how callers know the runtime is quiet without sleeping: it writes a marker
document whose trigger the dispatcher answers itself; the emulator delivers one event at a time in
write order, waiting for each answer, so when the marker comes through every earlier delivery has
been handled.

With ``functions_port`` set (``boiler dev``), a :class:`~boiler_core.dispatch.front.FunctionsFront`
listens on that port in this process, the emulator delivers to it, and it forwards to the current
dispatcher: :meth:`LocalRuntime.reload` starts a new dispatcher for the functions folder as it is
now and switches to it, while the emulator (and its data) keeps running and every address stays
the same.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

from boiler_core.dispatch.delivery import Delivery
from boiler_core.dispatch.front import FunctionsFront
from boiler_core.dispatch.process import DispatcherProcess, RecordSink
from boiler_core.dispatch.records import Ready
from boiler_core.dispatch.server import BARRIER_COLLECTION, BARRIER_TRIGGER
from boiler_core.emulator.discovery import EmulatorBinary
from boiler_core.emulator.errors import LocalRuntimeError, PortInUse
from boiler_core.emulator.firestore import LOOPBACK, FirestoreEmulator
from boiler_core.emulator.process import free_port

_PROXY_VARS = ("no_proxy", "NO_PROXY")
PORT_ATTEMPTS = 3
"""How many times :meth:`LocalRuntime.start` tries new ports when the emulator's was taken."""
AUTH_EMULATOR_HOST = "127.0.0.1:9099"
"""The Firebase Auth emulator's default address, named for firebase-admin's emulator mode."""


def function_environment(
    base: Mapping[str, str], *, emulator_host: str, project: str
) -> dict[str, str]:
    """The environment the trigger functions run in, derived from ``base``.

    * ``FIRESTORE_EMULATOR_HOST``: the Firestore clients inside the functions (the SDK's and
      boiler's) talk to the emulator, anonymously;
    * ``GCLOUD_PROJECT``, ``GOOGLE_CLOUD_PROJECT`` and ``FIREBASE_CONFIG``: the project is the
      emulator's ``demo-*`` id, whatever credentials ``base`` names;
    * no ``GOOGLE_APPLICATION_CREDENTIALS``: real credentials must not decide the project;
    * ``NO_GCE_CHECK=true``: google-auth does not probe the Compute Engine metadata server;
    * ``FIREBASE_AUTH_EMULATOR_HOST``: firebase-admin checks ID tokens as the Auth emulator issues
      them (unsigned), so HTTP functions can be called with a test token and never fetch Google's
      signing keys; nothing needs to listen there for token checks;
    * loopback added to ``no_proxy``: a proxy in ``base`` must not capture emulator traffic.
    """
    env = {key: value for key, value in base.items() if key != "GOOGLE_APPLICATION_CREDENTIALS"}
    env["FIRESTORE_EMULATOR_HOST"] = emulator_host
    env["GCLOUD_PROJECT"] = project
    env["GOOGLE_CLOUD_PROJECT"] = project
    env["FIREBASE_CONFIG"] = json.dumps({"projectId": project})
    env["NO_GCE_CHECK"] = "true"
    env["FIREBASE_AUTH_EMULATOR_HOST"] = AUTH_EMULATOR_HOST
    for name in _PROXY_VARS:
        present = [part for part in base.get(name, "").split(",") if part]
        env[name] = ",".join([*present, "127.0.0.1", "localhost"])
    return env


class LocalRuntime:
    """Emulator + dispatcher for one functions folder; a context manager that stops both.

    ``env`` is the environment both children derive theirs from (the CLI passes ``os.environ``).
    ``workdir`` receives ``emulator.log``, ``dispatcher.log`` and, with ``record=True``,
    ``deliveries.jsonl`` (every delivery, replayable). ``on_record`` sees every dispatcher record.

    Ports are free ones unless given: ``emulator_port`` fixes the emulator's; ``functions_port``
    (0 for a free one) puts a functions front on it and makes the runtime reloadable (module
    docstring), serving HTTP functions at ``/{project}/{region}/{name}``. ``seed_from`` is an
    export to load when the emulator starts (:mod:`boiler_core.emulator.exports`).
    """

    def __init__(
        self,
        binary: EmulatorBinary,
        *,
        functions_dir: Path,
        project: str,
        env: Mapping[str, str],
        workdir: Path,
        rules: Path | None = None,
        record: bool = False,
        on_record: RecordSink | None = None,
        start_timeout: float = 60.0,
        emulator_port: int = 0,
        functions_port: int | None = None,
        region: str = "us-central1",
        seed_from: Path | None = None,
    ) -> None:
        self.project = project
        self.workdir = workdir
        self.start_timeout = start_timeout
        self.record_path = workdir / "deliveries.jsonl" if record else None
        self._binary, self._env, self._rules = binary, env, rules
        self._functions_dir, self._on_record = functions_dir.resolve(), on_record
        self._emulator_port, self._seed_from = emulator_port, seed_from
        self.front = (
            None
            if functions_port is None
            else FunctionsFront(project=project, region=region, port=functions_port)
        )
        self.emulator, self.dispatcher = self._processes()
        self.ready: Ready | None = None
        self._markers = itertools.count(1)
        self._retiring: list[threading.Thread] = []
        self._standby: DispatcherProcess | None = None
        self._standby_lock = threading.Lock()

    @property
    def emulator_host(self) -> str:
        """``127.0.0.1:PORT`` of the emulator (for ``FIRESTORE_EMULATOR_HOST``)."""
        return self.emulator.host

    @property
    def dispatcher_url(self) -> str:
        """``http://127.0.0.1:PORT`` where the emulator delivers: the dispatcher, or the front."""
        return f"http://{self.emulator.functions_emulator}"

    @property
    def dispatcher_log(self) -> Path:
        """The dispatchers' output, tracebacks of failed invocations included."""
        return self.workdir / "dispatcher.log"

    @property
    def http_functions(self) -> dict[str, str]:
        """Each HTTP function's base URL by name: on the front (the same across reloads) when
        there is one, else the dispatcher's own."""
        served = dict(self.ready.http) if self.ready is not None else {}
        if self.front is None:
            return served
        return {name: self.front.function_url(name) for name in served}

    def _processes(self) -> tuple[FirestoreEmulator, DispatcherProcess]:
        """The emulator and the dispatcher, on the ports given or on ports free now."""
        emulator_port = self._emulator_port or free_port(LOOPBACK)
        if self.front is not None:
            functions_host, dispatcher_port = self.front.host, 0  # it binds a free port itself
        else:
            dispatcher_port = free_port(LOOPBACK)
            while dispatcher_port == emulator_port:
                dispatcher_port = free_port(LOOPBACK)
            functions_host = f"{LOOPBACK}:{dispatcher_port}"
        emulator = FirestoreEmulator(
            self._binary,
            project=self.project,
            log_path=self.workdir / "emulator.log",
            env=self._env,
            rules=self._rules,
            functions_emulator=functions_host,
            port=emulator_port,
            seed_from=self._seed_from,
            start_timeout=self.start_timeout,
        )
        return emulator, self._dispatcher(emulator.host, dispatcher_port)

    def _dispatcher(
        self, emulator_host: str, port: int, *, standby: bool = False
    ) -> DispatcherProcess:
        env = function_environment(self._env, emulator_host=emulator_host, project=self.project)
        if self.front is not None:  # reloads must see every edit: no bytecode cached meanwhile
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        return DispatcherProcess(
            functions_dir=self._functions_dir,
            project=self.project,
            port=port,
            env=env,
            log_path=self.dispatcher_log,
            record_path=self.record_path,
            on_record=self._on_record,
            standby=standby,
        )

    def _prepare_standby(self) -> None:
        """Start the dispatcher the next reload will use, its libraries imported meanwhile."""
        standby = self._dispatcher(self.emulator.host, 0, standby=True)
        standby.start()
        with self._standby_lock:
            previous, self._standby = self._standby, standby
        if previous is not None:
            previous.stop()

    def _take_standby(self) -> DispatcherProcess:
        """The standby dispatcher, released to load main.py; a new one when there is none."""
        with self._standby_lock:
            standby, self._standby = self._standby, None
        if standby is not None and standby.running():
            standby.release()
            return standby
        if standby is not None:
            standby.stop()
        fresh = self._dispatcher(self.emulator.host, 0)
        fresh.start()
        return fresh

    def start(self) -> Ready:
        """Start both processes, register the triggers; stop everything again on failure.

        Free ports are chosen and then bound by the children, so another process can take one in
        between; when the emulator reports exactly that (:class:`PortInUse`), both start again
        on new ports, up to :data:`PORT_ATTEMPTS` times in all. A fixed port that is taken is
        not replaced: the error is raised.
        """
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.front is not None:
            self.front.start()
        try:
            for attempt in range(1, PORT_ATTEMPTS + 1):
                try:
                    return self._start_once()
                except PortInUse:
                    if attempt == PORT_ATTEMPTS or self._emulator_port:
                        raise
                    self.emulator, self.dispatcher = self._processes()
        except BaseException:
            self.stop()
            raise
        raise AssertionError("unreachable")  # the loop returns or raises

    def _start_once(self) -> Ready:
        try:
            self.dispatcher.start()  # loads main.py while the emulator's JVM starts
            self.emulator.start()
            self.ready = self.dispatcher.wait_ready(self.start_timeout)
            if self.front is not None:
                self.front.switch(self.ready)
            self._register(self.ready, None)
            self.emulator.admin.register_trigger(BARRIER_TRIGGER, f"{BARRIER_COLLECTION}/{{id}}")
            if self.front is not None:
                self._prepare_standby()
        except BaseException:
            try:
                self.dispatcher.stop()
            finally:
                self.emulator.stop()
            raise
        return self.ready

    def _register(self, ready: Ready, previous: Ready | None) -> None:
        """Register ``ready``'s triggers; retire those of ``previous`` it no longer has."""
        for trigger in ready.triggers:
            self.emulator.admin.register_trigger(trigger.name, trigger.document, trigger.event_type)
        kept = {trigger.name for trigger in ready.triggers}
        for trigger in previous.triggers if previous else ():
            if trigger.name not in kept:
                self.emulator.admin.retire_trigger(trigger.name)

    def reload(self) -> Ready:
        """Serve the functions folder as it is now: start a new dispatcher, switch deliveries and
        HTTP requests to it once it has loaded ``main.py``, register its triggers (retiring the
        ones gone), then stop the old dispatcher after its last request. The emulator keeps
        running, with its data, on the same addresses.

        Raises :class:`DispatcherFailed` (with the location of the failure when known) when the
        new dispatcher cannot load; the old one then keeps serving, untouched.
        """
        if self.front is None:
            raise LocalRuntimeError("only a runtime with a functions front reloads")
        old, previous = self.dispatcher, self.ready
        new = self._take_standby()
        try:
            ready = new.wait_ready(self.start_timeout)
        except BaseException:
            new.stop()
            self._prepare_standby()
            raise
        self.front.switch(ready)
        self.dispatcher, self.ready = new, ready
        try:
            self._register(ready, previous)
        finally:
            retiring = threading.Thread(
                target=self._retire, args=(old, previous), name="boiler-retire", daemon=True
            )
            retiring.start()
            self._retiring.append(retiring)
        return ready

    def _retire(self, old: DispatcherProcess, previous: Ready | None) -> None:
        """Stop a replaced dispatcher once no request to it is in flight, then start the next
        standby (in the background: the new dispatcher already serves)."""
        if self.front is not None and previous is not None:
            self.front.drain(previous, self.start_timeout)
        old.stop()
        self._prepare_standby()

    def settle(self, timeout: float = 30.0) -> None:
        """Return once every delivery the emulator queued before this call has been handled."""
        marker = f"m{os.getpid()}-{next(self._markers)}"
        path = f"{BARRIER_COLLECTION}/{marker}"
        self.emulator.admin.put_document(path, {"marker": marker})
        if not self.dispatcher.wait_barrier(marker, timeout):
            raise LocalRuntimeError(
                f"the runtime did not settle within {timeout:g} s: the marker {path} was not "
                f"delivered. Dispatcher output ends with:\n{self.dispatcher.recent_output()}"
            )
        self.emulator.admin.delete_document(path)

    def reset(self, timeout: float = 30.0) -> None:
        """Delete every document of the project and return once quiet.

        Settles first (a delivery still running holds transaction locks the wipe would wait on),
        wipes (see :meth:`EmulatorAdmin.reset`), then settles again: the emulator delivers the
        deletions as events.
        """
        self.settle(timeout)
        self.emulator.admin.reset(timeout)
        self.settle(timeout)

    def deliveries(self) -> list[Delivery]:
        """Every delivery recorded so far, in arrival order (needs ``record=True``)."""
        if self.record_path is None:
            raise LocalRuntimeError("deliveries are recorded only with LocalRuntime(record=True)")
        if not self.record_path.exists():
            return []
        lines = self.record_path.read_text(encoding="utf-8").splitlines()
        return [Delivery.from_json(json.loads(line)) for line in lines if line]

    def replay(self, deliveries: Iterable[Delivery], *, concurrency: int = 1) -> list[int]:
        """POST ``deliveries`` to the dispatcher again, ``concurrency`` at a time; the statuses.

        With ``concurrency`` 1 they run one after another in the given order; above 1 they
        overlap, as production deliveries do.
        """
        items = list(deliveries)
        if concurrency <= 1:
            return [delivery.post(self.dispatcher_url) for delivery in items]
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            return list(pool.map(lambda d: d.post(self.dispatcher_url), items))

    def running(self) -> bool:
        """True while the emulator, the dispatcher and the front (if any) are alive."""
        front = self.front is None or self.front.running()
        return self.emulator.running() and self.dispatcher.running() and front

    def stop(self) -> None:
        """Stop the dispatcher, then the emulator (each with its process group), then the front;
        idempotent."""
        for retiring in self._retiring:
            retiring.join()
        with self._standby_lock:
            standby, self._standby = self._standby, None
        if standby is not None:
            standby.stop()
        try:
            self.dispatcher.stop()
        finally:
            try:
                self.emulator.stop()
            finally:
                if self.front is not None:
                    self.front.stop()

    def __enter__(self) -> LocalRuntime:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
