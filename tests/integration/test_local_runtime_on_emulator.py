"""The local runtime itself: trigger registration, the dispatcher's HTTP surface, and the
``boiler dev`` command leaving no process behind (``boiler demo``: test_demo_on_emulator.py)."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from boiler_core.dispatch import LocalRuntime
from boiler_core.emulator.process import group_members

pytestmark = pytest.mark.integration

BOILER = str(Path(sys.executable).parent / "boiler")
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def status_of(method: str, url: str) -> int:
    request = urllib.request.Request(url, data=b"" if method != "GET" else None, method=method)
    try:
        with NO_PROXY.open(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def pids_in(output: str) -> list[int]:
    match = re.search(r"emulator pid (\d+), dispatcher pid (\d+)", output)
    assert match, f"no pids in the output:\n{output}"
    return [int(match.group(1)), int(match.group(2))]


def test_every_trigger_of_main_py_is_served_under_its_function_name(
    runtime: LocalRuntime,
) -> None:
    assert runtime.ready is not None
    served = {(t.name, t.document) for t in runtime.ready.triggers}
    assert served == {
        ("on_locations_written", "locations/{location}"),
        ("on_meetings_written", "meetings/{meeting}"),
        ("on_tickets_written", "tickets/{ticket}"),
        ("on_users_written", "users/{user}"),
    }


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 404),
        ("GET", "/__/health", 404),
        ("POST", "/functions/projects/demo-boiler/other", 404),
        ("POST", "/functions/projects/demo-boiler/triggers/no_such_function", 404),
        ("POST", "/functions/projects/demo-elsewhere/triggers/on_users_written", 404),
        ("PUT", "/functions/projects/demo-boiler/triggers/on_users_written", 405),
        ("GET", "/__boiler/health", 200),
    ],
)
def test_dispatcher_refuses_what_is_not_a_delivery_before_any_side_effect(
    runtime: LocalRuntime, method: str, path: str, status: int
) -> None:
    handled = runtime.dispatcher.invocations
    assert status_of(method, runtime.dispatcher_url + path) == status
    assert runtime.dispatcher.invocations == handled


def test_dev_stops_emulator_and_dispatcher_on_ctrl_c(meeting_room_project: Path) -> None:
    dev = subprocess.Popen(
        [BOILER, "dev", "--free-ports"],
        cwd=meeting_room_project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert dev.stdout is not None
    output = ""
    try:
        for line in dev.stdout:  # ends when dev exits; the deadline is the wait() below
            output += line
            if "Press Ctrl-C" in line:
                break
        pids = pids_in(output)
        assert all(group_members(pid) for pid in pids), output
        dev.send_signal(signal.SIGINT)
        rest, _ = dev.communicate(timeout=30)
    finally:
        if dev.poll() is None:
            dev.kill()
            dev.wait()
        dev.stdout.close()  # also when an assertion failed: no pipe left for a later test's GC
    output += rest
    assert dev.returncode == 0, output
    assert "stopped the emulator and the functions" in output
    assert "Traceback" not in output
    assert [group_members(pid) for pid in pids] == [[], []]


def test_a_port_taken_before_the_emulator_binds_it_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meeting_room_project: Path
) -> None:
    """Something binds the port chosen for the emulator before the emulator does: the runtime
    starts both processes again on new ports instead of failing."""
    import os

    from boiler_core.dispatch import runtime as runtime_module
    from boiler_core.emulator import find_emulator

    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()
    taken = squatter.getsockname()[1]
    chosen: list[int] = []
    real_free_port = runtime_module.free_port

    def first_taken(host: str = "127.0.0.1") -> int:
        port = taken if not chosen else real_free_port(host)
        chosen.append(port)
        return port

    monkeypatch.setattr(runtime_module, "free_port", first_taken)
    local = LocalRuntime(
        find_emulator(os.environ),
        functions_dir=meeting_room_project / "functions",
        project="demo-port-taken",
        env=os.environ,
        workdir=tmp_path,
    )
    try:
        with local:
            assert local.running()
            assert local.emulator.port != taken
            assert chosen[0] == taken
            assert "Address already in use" in (tmp_path / "emulator.log").read_text()
    finally:
        squatter.close()
    assert not local.running()
