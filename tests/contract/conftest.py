"""The store contract's fixtures: an empty store of each kind per test.

Three kinds run the same tests: ``memory`` (:class:`~boiler_core.store.memory.MemoryStore`),
``fast`` (:class:`~boiler_core.store.firestore.FirestoreStore` on the fast path, which must be
available on the installed google-cloud-firestore) and ``public`` (the same store told to use the
public API only, ``internals=None``). The two Firestore kinds run on one Firestore emulator started
for the session (these tests start their own, so that they also run alone:
``python -m pytest tests/contract``, as ``.ci/run`` does against other google-cloud-firestore
releases), wiped before each test; they are marked ``integration``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from google.api_core.exceptions import Aborted
from store_contract import Subject

from boiler_core.emulator import EmulatorNotFound, FirestoreEmulator, find_emulator
from boiler_core.store.firestore import EMULATOR_HOST_ENV, FirestoreStore, firestore_client
from boiler_core.store.internals import probe
from boiler_core.store.memory import MemoryStore
from boiler_core.store.port import ListingStore

PROJECT = "demo-store-contract"

FIRESTORE_KINDS = [
    pytest.param("fast", marks=pytest.mark.integration),
    pytest.param("public", marks=pytest.mark.integration),
]
KINDS = ["memory", *FIRESTORE_KINDS]


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirestoreEmulator]:
    try:
        binary = find_emulator(os.environ)
    except EmulatorNotFound as exc:
        pytest.fail(f"the store contract needs the Firestore emulator: {exc}", pytrace=False)
    log = tmp_path_factory.mktemp("contract-emulator") / "emulator.log"
    with FirestoreEmulator(binary, project=PROJECT, log_path=log, env=os.environ) as running:
        yield running


@pytest.fixture(params=KINDS)
def subject(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Subject]:
    yield from _subject(request, monkeypatch)


@pytest.fixture(params=FIRESTORE_KINDS)
def firestore_subject(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Subject]:
    """The two Firestore stores only, for what only Firestore does."""
    yield from _subject(request, monkeypatch)


def _subject(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Subject]:
    kind: str = request.param
    if kind == "memory":
        memory = MemoryStore()

        def changed_by_another_writer(path: str) -> None:
            memory.put(path, {"changed": "by another writer"})

        yield Subject(kind, memory, None, changed_by_another_writer)
        return
    emulator: FirestoreEmulator = request.getfixturevalue("emulator")
    emulator.admin.reset()
    monkeypatch.setenv(EMULATOR_HOST_ENV, emulator.host)
    if kind == "fast":
        internals = probe().internals
        assert internals is not None, probe().report()
    else:
        internals = None
    client = firestore_client(PROJECT, internals=internals)
    store = FirestoreStore(client, internals=internals)
    assert store.fast is (kind == "fast")

    def aborted(path: str) -> None:
        raise Aborted(f"simulated conflict on {path}")

    yield Subject(kind, store, client, aborted)
    client.close()  # type: ignore[no-untyped-call]


@pytest.fixture
def store(subject: Subject) -> ListingStore:
    return subject.store
