"""An app's own tests: its views.yaml, its generated files, and whether its views converge.

``boiler init`` writes ``tests/test_app.py`` calling these; they know nothing of the app but its
views.yaml, so they test any app::

    from boiler_core.testing.app import App

    app = App.beside(__file__)

    def test_views_yaml_is_valid() -> None:
        app.check()

    def test_views_converge_in_memory() -> None:
        app.converge_in_memory()

Each method raises ``AssertionError`` with a readable account when the app fails it. The
convergence tests draw random domain writes from the collections' schemas
(:mod:`boiler_core.testing.strategies`) with Hypothesis, which shrinks a failure to the shortest
list of writes that shows it and prints it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from marshmallow import Schema

from boiler_core.codegen.files import plan
from boiler_core.demo.story_file import read_story
from boiler_core.dispatch import Invocation, LocalRuntime, Record
from boiler_core.emulator import EmulatorNotFound, find_emulator
from boiler_core.engine.engine import Engine
from boiler_core.errors import ManifestError, SeedError, StoryError
from boiler_core.manifest import Manifest, load_manifest
from boiler_core.manifest.imports import import_object, importable_from
from boiler_core.seed import read_seed
from boiler_core.store.codec import to_firestore
from boiler_core.store.firestore import EMULATOR_HOST_ENV, FirestoreStore, firestore_client
from boiler_core.testing.convergence import (
    Outcome,
    divergences,
    play_in_memory,
    play_on_emulator,
)
from boiler_core.testing.strategies import DomainWrites, Strategy, Write

MANIFEST = "views.yaml"
SEED_FILE = "seed.yaml"
STORY_FILE = "demo.yaml"
_PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)


@dataclass(frozen=True)
class _Session:
    """A running local runtime for an app, and what its tests use of it."""

    runtime: LocalRuntime
    client: Any
    """A google.cloud.firestore Client on the runtime's emulator."""
    store: FirestoreStore
    failures: list[str]
    """One line per failed trigger invocation so far."""


class App:
    """The app whose views.yaml is at ``manifest_path``."""

    def __init__(self, manifest_path: Path) -> None:
        self.manifest_path = manifest_path.resolve()
        self.root = self.manifest_path.parent
        self._manifest: Manifest | None = None

    @classmethod
    def beside(cls, test_file: str | Path) -> App:
        """The app of the views.yaml in the folder of ``test_file`` or the nearest one above."""
        start = Path(test_file).resolve().parent
        for folder in (start, *start.parents):
            if (folder / MANIFEST).is_file():
                return cls(folder / MANIFEST)
        raise FileNotFoundError(f"no {MANIFEST} in {start} or any folder above it")

    @property
    def manifest(self) -> Manifest:
        """views.yaml, loaded and checked (AssertionError listing its problems)."""
        if self._manifest is None:
            try:
                self._manifest = load_manifest(self.manifest_path)
            except ManifestError as exc:
                raise AssertionError(
                    f"{self.manifest_path} has {len(exc.problems)} problem(s):\n{exc}"
                ) from None
        return self._manifest

    @property
    def functions_dir(self) -> Path:
        """The app's functions folder (``project.functions_dir``)."""
        return self.root / self.manifest.project.functions_dir

    def check(self) -> None:
        """views.yaml is valid (``boiler check``), and so are the app's seed file and demo story
        when it has them (``seed.yaml``, ``demo.yaml`` beside views.yaml)."""
        manifest = self.manifest  # raises, listing its problems, when views.yaml has any
        problems: list[str] = []
        seed, story = self.root / SEED_FILE, self.root / STORY_FILE
        try:
            if seed.is_file():
                read_seed(seed, manifest, self.functions_dir)
        except SeedError as exc:
            problems += [str(problem) for problem in exc.problems]
        try:
            if story.is_file():
                read_story(story, manifest, self.functions_dir)
        except (SeedError, StoryError) as exc:
            problems += [str(problem) for problem in exc.problems]
        if problems:
            raise AssertionError(f"{len(problems)} problem(s):\n" + "\n".join(problems))

    def check_generated(self) -> None:
        """The generated files are current (``boiler generate --check``)."""
        planned, refused = plan(self.manifest, self.root)
        problems = [f"refused: {refusal}" for refusal in refused]
        problems += [f"stale: {p.shown}" for p in planned if p.placement.action != "unchanged"]
        if problems:
            raise AssertionError(
                "generated files are not current (run `boiler generate`):\n  "
                + "\n  ".join(problems)
            )

    def writes(
        self, *, ids: int = 3, overrides: Mapping[str, Strategy] | None = None
    ) -> DomainWrites:
        """Strategies of random writes to the app's domain collections."""
        return DomainWrites(self.manifest, self._schemas(), ids=ids, overrides=overrides)

    def converge_in_memory(
        self,
        *,
        examples: int = 60,
        max_writes: int = 30,
        overrides: Mapping[str, Strategy] | None = None,
        shrink: bool = True,
    ) -> None:
        """Random writes on an in-memory store, their events delivered to the engine in order
        and again late, duplicated and reordered, leave every view document equal to a
        recompute.

        A failure is shrunk to the shortest list of writes that shows it (``shrink=False``
        reports the first failing list as found, which is faster)."""
        strategy = self.writes(overrides=overrides).writes(max_size=max_writes)
        manifest = self.manifest

        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            phases=_PHASES if shrink else _PHASES[:-1],
        )
        @given(writes=strategy, seed=st.integers(min_value=0, max_value=2**16))
        def views_converge(writes: list[Write], seed: int) -> None:
            in_order = play_in_memory(manifest, writes, seed=None)
            assert not in_order, "delivered in order, " + in_order.report(writes)
            shuffled = play_in_memory(manifest, writes, seed=seed)
            assert not shuffled, f"delivered late and twice (seed {seed}), " + shuffled.report(
                writes
            )

        with importable_from(self.functions_dir):
            views_converge()

    def converge_on_emulator(
        self,
        *,
        examples: int = 4,
        max_writes: int = 25,
        overrides: Mapping[str, Strategy] | None = None,
        shrink: bool = False,
    ) -> None:
        """Random writes to the Firestore emulator, handled by the app's generated trigger
        functions, leave every view document equal to a recompute.

        A failure is reported with the writes as found: each attempt to shrink them replays on
        the emulator, which takes seconds (``shrink=True`` does it anyway). Skips the test (with
        the reason) when the Firestore emulator is not installed.
        """
        strategy = self.writes(overrides=overrides).writes(max_size=max_writes)
        with self._emulator() as session:
            client = session.client

            @settings(
                max_examples=examples,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                phases=_PHASES if shrink else _PHASES[:-1],
            )
            @given(writes=strategy)
            def views_converge(writes: list[Write]) -> None:
                session.runtime.reset()
                failed_before = len(session.failures)
                play_on_emulator(
                    self.manifest,
                    writes,
                    set_document=lambda path, data: client.document(path).set(
                        to_firestore(data, client)
                    ),
                    delete_document=lambda path: client.document(path).delete(),
                    settle=session.runtime.settle,
                )
                failures = session.failures[failed_before:]
                with importable_from(self.functions_dir):
                    engine = Engine(self.manifest, session.store, log=lambda entry: None)
                    found = divergences(self.manifest, engine, session.store)
                outcome = Outcome(failures=failures, divergences=found)
                assert not outcome, outcome.report(writes)

            views_converge()

    @contextlib.contextmanager
    def _emulator(self) -> Iterator[_Session]:
        """The emulator running the app's generated functions, with a client and a store on it;
        skips the calling test when no emulator is installed."""
        import pytest

        try:
            binary = find_emulator(os.environ)
        except EmulatorNotFound as exc:
            pytest.skip(f"the Firestore emulator is not installed: {exc}")
        failures: list[str] = []

        def on_record(record: Record) -> None:
            if not isinstance(record, Invocation):
                return
            if not record.ok:
                failures.append(f"{record.function} {record.document}: {record.error}")
            for failed in (record.cost or {}).get("failed", ()):  # roots that failed alone
                failures.append(
                    f"{record.function} {record.document}: root {failed.get('document')} of "
                    f"view {failed.get('view')} failed: {failed.get('reason')}"
                )

        rules = self.root / "firestore.rules"
        with (
            tempfile.TemporaryDirectory(prefix="boiler-app-") as workdir,
            LocalRuntime(
                binary,
                functions_dir=self.functions_dir,
                project=self.manifest.project.emulator_project_id,
                env=os.environ,
                workdir=Path(workdir),
                rules=rules if rules.is_file() else None,
                on_record=on_record,
            ) as runtime,
            _environment(EMULATOR_HOST_ENV, runtime.emulator_host),
        ):
            client = firestore_client(self.manifest.project.emulator_project_id)
            try:
                yield _Session(runtime, client, FirestoreStore(client), failures)
            finally:
                client.close()  # type: ignore[no-untyped-call]

    def _schemas(self) -> dict[str, type[Schema]]:
        schemas = {}
        with importable_from(self.functions_dir):
            for name, collection in self.manifest.collections.items():
                if collection.schema is not None:
                    schemas[name] = import_object(collection.schema)
        return schemas


@contextlib.contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    """``os.environ[name] = value`` for the block (the Firestore client reads it from there)."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous
