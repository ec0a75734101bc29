"""What ``boiler dev`` and ``boiler demo`` share: finding the emulator, building the local
runtime for a views.yaml, stopping cleanly on signals, and printing invocations.

This is an entry-point module: it is where the process environment is read (``os.environ`` is
passed explicitly to the runtime) and where signal handlers are installed, never the library.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import click

from boiler_core.dispatch import Invocation, LocalRuntime, Record, Text
from boiler_core.dispatch.records import Failed, HttpLine, Ready
from boiler_core.emulator import EmulatorBinary, EmulatorNotFound, find_emulator
from boiler_core.emulator.ports import DevPorts
from boiler_core.manifest import Manifest

EXIT_NO_EMULATOR = 2
"""Exit code when the Firestore emulator is not installed."""


def find_emulator_or_exit(env: Mapping[str, str]) -> EmulatorBinary:
    """The emulator to run; without one, print how to install it and exit with code 2."""
    try:
        return find_emulator(env)
    except EmulatorNotFound as exc:
        click.echo(f"boiler: {exc}", err=True)
        raise SystemExit(EXIT_NO_EMULATOR) from None


def firebase_config(project_root: Path) -> dict[str, Any]:
    """firebase.json beside views.yaml, parsed; ``{}`` when there is none. Exits 1 with the
    file's position when it is not valid JSON."""
    path = project_root / "firebase.json"
    if not path.is_file():
        return {}
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        line, column = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        click.echo(f"{path}:{line}:{column}: error: not valid JSON: {exc}", err=True)
        raise SystemExit(1) from None
    return config if isinstance(config, dict) else {}


def rules_file(project_root: Path) -> Path | None:
    """The security rules the project deploys: firebase.json's ``firestore.rules``, else
    ``firestore.rules`` beside views.yaml; None when neither exists."""
    firebase_json = project_root / "firebase.json"
    name = "firestore.rules"
    if firebase_json.is_file():
        try:
            config = json.loads(firebase_json.read_text(encoding="utf-8"))
            name = str(config.get("firestore", {}).get("rules", name))
        except (ValueError, AttributeError):
            pass
    path = project_root / name
    return path if path.is_file() else None


@contextmanager
def local_runtime(
    manifest: Manifest,
    manifest_path: Path,
    *,
    env: Mapping[str, str],
    record: bool = False,
    on_record: Any = None,
    ports: DevPorts | None = None,
    seed_from: Path | None = None,
) -> Iterator[LocalRuntime]:
    """Start the emulator and the dispatcher for ``manifest``; stop both when the block ends,
    however it ends. Logs go to a temporary folder removed afterwards.

    With ``ports`` the runtime is ``boiler dev``'s: the emulator on ``ports.firestore``, a
    functions front on ``ports.functions`` (reloadable, HTTP functions at
    ``/{project}/{region}/{name}``); without, every port is free and the dispatcher is reached
    directly. ``seed_from`` is an export to load at start.
    """
    binary = find_emulator_or_exit(env)
    root = manifest_path.resolve().parent
    with tempfile.TemporaryDirectory(prefix="boiler-") as workdir:
        runtime = LocalRuntime(
            binary,
            functions_dir=root / manifest.project.functions_dir,
            project=manifest.project.emulator_project_id,
            env=env,
            workdir=Path(workdir),
            rules=rules_file(root),
            record=record,
            on_record=on_record,
            emulator_port=ports.firestore.number if ports else 0,
            functions_port=ports.functions.number if ports else None,
            region=manifest.project.region,
            seed_from=seed_from,
        )
        with runtime:
            yield runtime


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn the first SIGINT (Ctrl-C), SIGTERM or SIGHUP into KeyboardInterrupt for the block, so
    every ``finally`` runs and the children are stopped; later ones are ignored, so a second
    Ctrl-C cannot cut the shutdown short (it is bounded: a few seconds per process group).
    The previous handlers are restored afterwards."""
    stopping = False

    def interrupt(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if stopping:
            click.echo("still stopping the emulator and the dispatcher ...", err=True)
            return
        stopping = True
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, interrupt) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def set_client_environment(runtime: LocalRuntime) -> None:
    """Point this process's Firestore clients at the runtime's emulator.

    google-cloud-firestore finds the emulator only through ``FIRESTORE_EMULATOR_HOST``, so the
    CLI commands that build a client (``boiler demo``) set it here, in the entry point, for their
    own process; the library never does.
    """
    os.environ["FIRESTORE_EMULATOR_HOST"] = runtime.emulator_host


def format_invocation(record: Invocation) -> str:
    """One line per invocation: function, document, what the engine did, how long it took; for a
    failed one, the error it failed with instead of the counts (never the traceback); for one
    that handled all but some roots, those roots and why after the counts."""
    if not record.ok:
        where = f"{record.function:<24} {record.document:<32}"
        return f"{where} {record.ms:7.1f} ms  FAILED: {record.error}"
    cost = record.cost or {}
    if cost:
        counts = (
            f"{cost.get('reads', 0)} reads, {cost.get('writes', 0)} writes, "
            f"{cost.get('deletes', 0)} deletes, {cost.get('skipped', 0)} skipped"
        )
    else:
        counts = "no cost line"
    roots = failed_roots(record)
    failed = f"  FAILED: {'; '.join(roots)}" if roots else ""
    unfinished = cost.get("unfinished") or []
    if unfinished:
        failed += f"  UNFINISHED: {', '.join(map(str, unfinished))}"
    return f"{record.function:<24} {record.document:<32} {counts:<44} {record.ms:7.1f} ms{failed}"


def failed_roots(record: Invocation) -> list[str]:
    """The roots an invocation could not compute or store (it handled the rest), one line each:
    ``root DOCUMENT of view VIEW: REASON``."""
    failed = (record.cost or {}).get("failed") or []
    return [f"root {f.get('document')} of view {f.get('view')}: {f.get('reason')}" for f in failed]


def format_record(record: Record) -> str | None:
    """The dev console line for any dispatcher record (None for the ones not shown)."""
    if isinstance(record, Invocation):
        return format_invocation(record)
    if isinstance(record, Text):
        if _failed_root_line(record.line):
            return None
        retry = retry_line(record.line)
        return retry if retry is not None else f"  | {record.line}"
    if isinstance(record, HttpLine):
        what = f"HTTP {record.method}"
        status = f"status {record.status}"
        return f"{what:<24} {record.url:<32} {status:<44} {_latency_ms(record.latency)}"
    if isinstance(record, Failed):
        return f"dispatcher failed: {record.error}"
    if isinstance(record, Ready):
        return None
    return None


RETRY_KEYS = ("retry", "retry_attempt", "dead_event", "not_queued", "backstop", "unreadable_event")
"""The ``boiler`` payload keys of the retry lines (:mod:`boiler_core.retry.lines`)."""


def retry_line(line: str) -> str | None:
    """The console form of a retry line (a hand-over, a retry attempt, a dead event, ...):
    its severity and message, without the JSON; None for any other line."""
    if not any(f'"{key}"' in line for key in RETRY_KEYS):
        return None
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    payload = entry.get("boiler") if isinstance(entry, dict) else None
    if not isinstance(payload, dict) or not any(key in payload for key in RETRY_KEYS):
        return None
    message = str(entry.get("message", "")).removeprefix("boiler ")
    return f"  {entry.get('severity', 'INFO'):<8} {message}"


def _failed_root_line(line: str) -> bool:
    """Whether ``line`` is the engine's ERROR line of a root that failed alone: the invocation's
    own line already says it (:func:`failed_roots`), the dispatcher log keeps it."""
    if '"failed_root"' not in line:
        return False
    try:
        entry = json.loads(line)
    except ValueError:
        return False
    return isinstance(entry, dict) and "failed_root" in (entry.get("boiler") or {})


def describe_runtime(runtime: LocalRuntime) -> list[str]:
    """The addresses a developer needs, one per line."""
    ready = runtime.ready
    triggers = ", ".join(t.name for t in ready.triggers) if ready else "none"
    lines = [
        f"  Firestore emulator  {runtime.emulator_host}"
        f"   (export FIRESTORE_EMULATOR_HOST={runtime.emulator_host})",
        f"  project             {runtime.project}",
    ]
    if runtime.front is not None:
        lines.append(f"  functions           {runtime.front.url}   (triggers: {triggers})")
    else:
        lines.append(f"  trigger dispatcher  {runtime.dispatcher_url}")
        lines.append(f"  triggers            {triggers}")
    lines.append(
        f"  processes           emulator pid {runtime.emulator.pid}, "
        f"dispatcher pid {runtime.dispatcher.pid} (each leads its own process group)"
    )
    for name, url in runtime.http_functions.items():
        lines.append(f"  HTTP function       {name} at {url}   (e.g. curl {url}/openapi.json)")
    if ready and ready.others:
        lines.append(f"  not served here     {', '.join(ready.others)}")
    lines.append(
        f"  dispatcher log      {runtime.dispatcher_log}   (tracebacks of failed invocations)"
    )
    return lines


def _latency_ms(latency: str) -> str:
    """``0.034291s`` (Cloud Logging's duration) as ``   34.3 ms``."""
    try:
        return f"{float(latency.removesuffix('s')) * 1000:7.1f} ms"
    except ValueError:
        return latency
