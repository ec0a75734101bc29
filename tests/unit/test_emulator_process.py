"""Managed child processes: a whole process group is stopped, stubborn members are killed."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from boiler_core.emulator.polling import WaitTimeout, wait_for
from boiler_core.emulator.process import ManagedProcess, free_port, group_members, tail


def shell(script: str, tmp_path: Path) -> ManagedProcess:
    log = (tmp_path / "out.log").open("wb")
    try:
        return ManagedProcess("test", ["/bin/sh", "-c", script], env=dict(os.environ), stdout=log)
    finally:
        log.close()


def test_child_leads_its_own_process_group(tmp_path: Path) -> None:
    with shell("sleep 30", tmp_path) as process:
        assert os.getpgid(process.pid) == process.pid != os.getpgid(0)


def test_stop_ends_grandchildren_too(tmp_path: Path) -> None:
    process = shell("sleep 30 & sleep 30 & wait", tmp_path)
    members = wait_for(lambda: len(group_members(process.pid)) == 3, 5, what="3 processes")
    assert members
    process.stop()
    assert group_members(process.pid) == []
    assert process.exit_code() is not None


def test_stop_kills_members_that_ignore_sigterm(tmp_path: Path) -> None:
    process = shell("trap '' TERM; sleep 30 & wait", tmp_path)
    wait_for(lambda: len(group_members(process.pid)) == 2, 5, what="2 processes")
    started = time.monotonic()
    process.stop(grace=0.3)
    assert group_members(process.pid) == []
    assert time.monotonic() - started < 5


def test_stop_is_idempotent_and_fine_after_the_process_exited(tmp_path: Path) -> None:
    process = shell("exit 3", tmp_path)
    wait_for(lambda: process.exit_code() is not None, 5)
    process.stop()
    process.stop()
    assert process.exit_code() == 3


def test_free_port_is_bindable_on_loopback() -> None:
    port = free_port()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


def test_tail_quotes_the_last_lines_indented(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("".join(f"line {n}\n" for n in range(30)))
    assert tail(log, 2) == "    line 28\n    line 29"
    assert tail(tmp_path / "missing.log") == "    (no log)"


def test_wait_for_returns_the_first_truthy_value() -> None:
    values = iter([0, None, "", "ready"])
    assert wait_for(lambda: next(values), 5, interval=0.001) == "ready"


def test_wait_for_names_what_it_waited_for_and_the_last_value() -> None:
    with pytest.raises(WaitTimeout, match=r"waiting for the view; last value: \[\]"):
        wait_for(list, 0.05, what="the view")


def test_processes_in_the_test_itself_are_left_alone(tmp_path: Path) -> None:
    other = subprocess.Popen(["sleep", "30"])
    try:
        with shell("sleep 30", tmp_path):
            pass
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()
