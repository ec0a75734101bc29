"""``boiler dev``'s ports: firebase.json's emulators section, defaults, and a taken port refused."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from boiler_core.emulator import LocalRuntimeError, PortTaken
from boiler_core.emulator.ports import (
    FIRESTORE_PORT,
    FUNCTIONS_PORT,
    HOSTING_PORT,
    DevPorts,
    Port,
    check_free,
    port_owner,
)


@pytest.fixture
def listening() -> Iterator[int]:
    """A port this test process listens on."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def test_ports_come_from_the_emulators_section_of_firebase_json() -> None:
    config = {"emulators": {"firestore": {"port": 8181}, "functions": {"port": "5101"}}}
    ports = DevPorts.from_config(config)
    assert (ports.firestore.number, ports.functions.number) == (8181, 5101)
    assert ports.firestore.origin == "firebase.json"
    default = Port(HOSTING_PORT, "the live page", "emulators.hosting.port", "Firebase's default")
    assert ports.page == default


def test_without_an_emulators_section_firebase_defaults_apply() -> None:
    ports = DevPorts.from_config({})
    assert [p.number for p in ports.all()] == [FIRESTORE_PORT, FUNCTIONS_PORT, HOSTING_PORT]
    assert all(p.fixed for p in ports.all())


def test_free_ports_are_not_fixed() -> None:
    assert not any(p.fixed for p in DevPorts.free().all())
    check_free(DevPorts.free().all())  # nothing to check


@pytest.mark.parametrize("value", ["http", -1, 70000, True, 80.5])
def test_a_port_setting_that_is_no_port_number_is_named(value: object) -> None:
    with pytest.raises(LocalRuntimeError, match=r"emulators\.functions\.port"):
        DevPorts.from_config({"emulators": {"functions": {"port": value}}})


def test_a_taken_port_names_its_owner_and_how_to_change_it(listening: int) -> None:
    ports = DevPorts.from_config({"emulators": {"firestore": {"port": listening}}})
    with pytest.raises(PortTaken) as caught:
        check_free((ports.firestore,))
    message = str(caught.value)
    assert caught.value.port == listening
    assert f"port {listening} for the Firestore emulator is already in use" in message
    assert f"pid {os.getpid()}" in message
    assert "change emulators.firestore.port in firebase.json" in message
    assert "--free-ports" in message


def test_a_taken_default_port_says_which_setting_to_add(listening: int) -> None:
    port = Port(listening, "the functions", "emulators.functions.port", "Firebase's default")
    with pytest.raises(PortTaken, match=r"set emulators\.functions\.port in firebase\.json"):
        check_free((port,))


def test_one_port_given_to_two_roles_is_refused() -> None:
    config = {"emulators": {"firestore": {"port": 9001}, "hosting": {"port": 9001}}}
    with pytest.raises(PortTaken, match="given both to the Firestore emulator"):
        check_free(DevPorts.from_config(config).all())


def test_the_owner_of_a_listening_port_is_this_process(listening: int) -> None:
    assert port_owner(listening) is not None
    assert f"pid {os.getpid()} " in str(port_owner(listening))
