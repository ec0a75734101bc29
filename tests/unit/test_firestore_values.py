"""Values crossing the Firestore boundary, and the client helper; no server is contacted.

Creating a ``google.cloud.firestore.Client`` opens no connection, so these run without an emulator.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore import Client, DocumentReference, GeoPoint

from boiler_core.documents import Ref
from boiler_core.errors import StoreError
from boiler_core.store.codec import to_firestore, to_neutral
from boiler_core.store.firestore import firestore_client


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Client:
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")
    return firestore_client("demo-values")


NEUTRAL = {
    "location": Ref("locations/room_a"),
    "users": [Ref("users/ada"), Ref("users/bob")],
    "nested": {"by": Ref("users/ada"), "list": [{"deep": Ref("tickets/t1")}, 3]},
    "copy": Ref("users/ada/meeting_sessions/m1"),
    "plain": "users/ada",
    "count": 2,
    "missing": None,
}


def test_refs_become_document_references_of_the_client_at_every_depth(client: Client) -> None:
    stored = to_firestore(NEUTRAL, client)
    assert isinstance(stored["location"], DocumentReference)
    assert stored["location"].path == "locations/room_a"
    assert stored["location"]._client is client
    assert [r.path for r in stored["users"]] == ["users/ada", "users/bob"]
    assert stored["nested"]["list"][0]["deep"].path == "tickets/t1"
    assert stored["copy"].path == "users/ada/meeting_sessions/m1"
    assert stored["plain"] == "users/ada"


def test_document_references_come_back_as_refs(client: Client) -> None:
    assert to_neutral(to_firestore(NEUTRAL, client)) == NEUTRAL


def test_references_read_from_firestore_become_refs(client: Client) -> None:
    read = {"user": client.document("users/ada"), "all": [client.collection("users").document("b")]}
    assert to_neutral(read) == {"user": Ref("users/ada"), "all": [Ref("users/b")]}


def test_other_values_pass_through_unchanged(client: Client) -> None:
    values = {
        "when": datetime(2026, 11, 2, tzinfo=UTC),
        "where": GeoPoint(52.5, 13.4),
        "raw": b"\x00\x01",
        "flag": True,
        "ratio": 0.5,
        "none": None,
    }
    assert to_neutral(values) == values
    assert to_firestore(values, client) == values


def test_tuples_become_lists_both_ways(client: Client) -> None:
    assert to_neutral((1, (2,))) == [1, [2]]
    assert to_firestore({"t": (Ref("users/ada"),)}, client)["t"][0].path == "users/ada"


def test_emulator_client_is_anonymous_for_the_given_project(client: Client) -> None:
    assert client.project == "demo-values"
    assert type(client._credentials).__name__ == "AnonymousCredentials"


def test_emulator_client_takes_the_project_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.setenv("GCLOUD_PROJECT", "demo-from-env")
    assert firestore_client(None).project == "demo-from-env"


def test_emulator_client_without_any_project_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    monkeypatch.delenv("GCLOUD_PROJECT", raising=False)
    with pytest.raises(StoreError, match="no project id is known"):
        firestore_client(None)


def _streams_on_caller(client: Client) -> bool:
    channel = client._firestore_api._transport.grpc_channel
    return type(channel.unary_stream("/google.firestore.v1.Firestore/RunQuery")).__name__ == (
        "_SingleThreadedUnaryStreamMultiCallable"
    )


def test_the_emulator_clients_streamed_reads_run_on_the_calling_thread(client: Client) -> None:
    assert _streams_on_caller(client)


def test_the_production_clients_streamed_reads_run_on_the_calling_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FIRESTORE_EMULATOR_HOST", raising=False)
    monkeypatch.setattr(
        "google.auth.default", lambda *a, **k: (AnonymousCredentials(), "demo-production")
    )
    client = firestore_client("demo-production")
    assert client._emulator_host is None
    assert _streams_on_caller(client)


def test_a_plain_library_client_hands_streams_to_a_background_thread() -> None:
    """The check above can fail: the library's own client streams through the channel thread."""
    plain = Client(project="demo-plain", credentials=AnonymousCredentials())
    assert not _streams_on_caller(plain)
