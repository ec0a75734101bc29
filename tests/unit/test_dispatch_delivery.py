"""Decoding the emulator's binary CloudEvents into what a Firestore trigger function takes."""

from __future__ import annotations

import base64

import pytest
from google.events.cloud.firestore import Document, DocumentEventData, Value

from boiler_core.dispatch.delivery import (
    PROTOBUF,
    Delivery,
    event_data,
    parse_trigger_path,
    to_cloud_event,
)

DOC = "projects/demo-x/databases/(default)/documents/users/tijuana"
PATH = "/functions/projects/demo-x/triggers/on_users_written"


def serialized(**fields: str) -> bytes:
    values = {name: Value(string_value=text) for name, text in fields.items()}
    data: bytes = DocumentEventData.serialize(
        DocumentEventData(value=Document(name=DOC, fields=values))
    )
    return data


def emulator_delivery(body: bytes) -> Delivery:
    """A delivery as the emulator sends it (headers copied from a real one)."""
    return Delivery.received(
        PATH,
        {
            "Content-Type": "application/protobuf",
            "ce-specversion": "1.0",
            "ce-type": "google.cloud.firestore.document.v1.written",
            "ce-source": "//firestore.googleapis.com/projects/projects/demo-x/databases/(default)",
            "ce-id": "e3dddfc5-3fa5-4281-9dd4-ce5feb4cb59b",
            "ce-subject": "documents/users/tijuana",
            "ce-time": "2026-11-26T04:28:09Z",
            "ce-datacontenttype": "application/protobuf",
            "ce-location": "us-central1",
            "ce-project": "demo-x",
            "ce-database": "(default)",
            "ce-namespace": "(default)",
            "ce-document": "users/tijuana",
        },
        base64.b64encode(body),
    )


def test_emulator_base64_body_is_decoded_to_the_protobuf_bytes() -> None:
    raw = serialized(first_name="Tijuana")
    assert event_data(base64.b64encode(raw)) == raw
    assert event_data(base64.b64encode(raw) + b"\n") == raw


@pytest.mark.parametrize("raw", [serialized(a="x"), serialized(), b""])
def test_raw_protobuf_body_as_production_sends_it_passes_unchanged(raw: bytes) -> None:
    assert event_data(raw) == raw


def test_cloud_event_carries_the_ce_headers_and_protobuf_data() -> None:
    raw = serialized(first_name="Tijuana")
    event = to_cloud_event(emulator_delivery(raw))
    assert event["id"] == "e3dddfc5-3fa5-4281-9dd4-ce5feb4cb59b"
    assert event["document"] == "users/tijuana"
    assert event["project"] == "demo-x"
    assert event["datacontenttype"] == PROTOBUF
    decoded = DocumentEventData.deserialize(event.get_data())
    assert decoded.value.fields["first_name"].string_value == "Tijuana"
    assert not decoded.old_value


def test_delivery_knows_its_trigger_document_and_event() -> None:
    delivery = emulator_delivery(serialized())
    assert delivery.target == ("demo-x", "on_users_written")
    assert delivery.document == "users/tijuana"
    assert delivery.event_id == "e3dddfc5-3fa5-4281-9dd4-ce5feb4cb59b"
    assert delivery.header("CE-PROJECT") == "demo-x"


def test_document_falls_back_to_the_subject() -> None:
    delivery = Delivery.received(PATH, {"ce-subject": "documents/meetings/m1"}, b"")
    assert delivery.document == "meetings/m1"


def test_recorded_delivery_round_trips_through_json() -> None:
    delivery = emulator_delivery(serialized(a="b"))
    assert Delivery.from_json(delivery.to_json()) == delivery


@pytest.mark.parametrize(
    ("path", "target"),
    [
        (PATH, ("demo-x", "on_users_written")),
        ("/functions/projects/p/triggers/t-1", ("p", "t-1")),
        ("/functions/projects/p/triggers/", None),
        ("/functions/projects/p/triggers/t/extra", None),
        ("/functions/projects/p/other/t", None),
        ("/", None),
    ],
)
def test_trigger_path_is_parsed_strictly(path: str, target: tuple[str, str] | None) -> None:
    assert parse_trigger_path(path) == target
