"""The seam for the Firestore client's private members: the one module that touches them, its
probe, the WARNING and the public-API fallback. No server is contacted."""

from __future__ import annotations

import ast
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore import Client
from google.cloud.firestore_v1.transaction import Transaction as LibraryTransaction

import boiler_core
from boiler_core.store import internals as seam
from boiler_core.store.firestore import FirestoreStore, firestore_client
from boiler_core.store.internals import Probe, installed_library, probe

PACKAGE = Path(boiler_core.__file__).parent
SEAM = Path(seam.__file__)
STACK = ("google", "grpc", "proto")
"""Top-level packages of google-cloud-firestore and its dependencies (google.api_core,
google.auth, google.protobuf, proto-plus, gRPC)."""


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _on_self(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id in ("self", "cls")
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
    )


def _defined(tree: ast.Module) -> set[str]:
    """Private names a module defines: functions, classes, variables, attributes it assigns."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return {name for name in names if _private(name)}


def _touched(tree: ast.Module) -> list[tuple[int, str]]:
    """Private names a module reads on objects other than its own (``obj._x``,
    ``getattr(obj, "_x")``), with their lines."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and not _on_self(node.value):
            found.append((node.lineno, node.attr))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
            and _private(node.args[1].value)
        ):
            found.append((node.lineno, node.args[1].value))
    return found


def _stack_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """What a module imports from the client stack, as ``module`` or ``module.name``."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] in STACK]


def test_only_the_internals_module_touches_private_names_of_the_client_stack() -> None:
    trees = {path: ast.parse(path.read_text(), str(path)) for path in PACKAGE.rglob("*.py")}
    seam_names = {name for _, name in _touched(trees[SEAM])}
    assert {"_begin", "_id", "_prep_stream", "_write_pbs"} <= seam_names  # the check sees them
    boilers_own = set().union(*(_defined(tree) for path, tree in trees.items() if path != SEAM))
    offences = []
    for path, tree in sorted(trees.items()):
        if path == SEAM:
            continue
        where = path.relative_to(PACKAGE.parent)
        imports = _stack_imports(tree)
        offences += [
            f"{where}:{line}: imports {name}"
            for line, name in imports
            if any(_private(part) for part in name.split("."))
        ]
        own = _defined(tree)
        for line, name in _touched(tree):
            foreign = name not in boilers_own and bool(imports)  # a library's, in its user
            if (name in seam_names and name not in own) or foreign:
                offences.append(f"{where}:{line}: touches {name}")
    assert offences == [], (
        "private members of google-cloud-firestore, gRPC or proto-plus belong in "
        f"{SEAM.relative_to(PACKAGE.parent)} (behind a method of Internals, checked by probe()):\n"
        + "\n".join(offences)
    )


def test_the_probe_finds_every_member_on_the_installed_versions() -> None:
    found = probe()
    assert found.problems == (), found.report()
    assert found.internals is not None
    assert probe() is found  # once per process


class _RenamedBegin(LibraryTransaction):
    """A transaction of a release that renamed ``_begin``."""

    _begin = property(lambda self: self._missing)


class _ClientOfANewerRelease(Client):
    def transaction(self, **kwargs: Any) -> Any:
        return _RenamedBegin(self, **kwargs)


def test_a_missing_member_logs_one_warning_and_leaves_the_public_api(
    caplog: pytest.LogCaptureFixture,
) -> None:
    library = replace(installed_library(), version="2.99.0", client_class=_ClientOfANewerRelease)
    with caplog.at_level(logging.WARNING, logger=seam.__name__):
        found = probe(library)
    assert found.internals is None
    assert [problem.split(":")[0] for problem in found.problems] == ["Transaction._begin(retry_id)"]
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "google-cloud-firestore 2.99.0" in message
    assert "Transaction._begin(retry_id)" in message
    assert "uses the client's public API instead" in message


def test_a_library_without_its_private_helpers_is_reported_not_raised() -> None:
    library = replace(installed_library(), helpers=None, channel_options=object())
    found = probe(library)
    assert found.internals is None
    assert [problem.split(":")[0] for problem in found.problems] == [
        "_helpers.decode_dict(value_fields, client)",
        "grpc.experimental.ChannelOptions.SingleThreadedUnaryStream",
    ]


def test_stores_and_clients_take_the_public_api_when_told_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")
    plain = firestore_client("demo-seam", internals=None)
    assert type(plain) is Client
    assert not FirestoreStore(plain, internals=None).fast
    assert FirestoreStore(plain).fast  # the fast path works on any library client
    assert type(firestore_client("demo-seam")) is not Client


def test_a_probe_reports_in_words() -> None:
    report = Probe("2.1.0", ("A: missing", "B: changed"), None).report()
    assert report.startswith("boiler: google-cloud-firestore 2.1.0 lacks client internals")
    assert "(A: missing; B: changed)" in report
    client = Client(project="demo-seam", credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
    assert FirestoreStore(client, internals=None).client is client
