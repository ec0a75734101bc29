"""Which functions of main.py the dispatcher serves, found as firebase deploy finds them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from firebase_functions import firestore_fn, https_fn, scheduler_fn, tasks_fn
from firebase_functions.options import RetryConfig

from boiler_core.dispatch.functions import collect_functions, load_functions
from boiler_core.dispatch.process import DispatcherProcess
from boiler_core.dispatch.tasks import QueueRetry
from boiler_core.emulator import DispatcherFailed


@firestore_fn.on_document_written(document="meetings/{meeting}")
def on_meetings_written(event: Any) -> None:
    """A trigger with a wildcard."""


@firestore_fn.on_document_written(document="settings/global")
def on_settings_written(event: Any) -> None:
    """A trigger on one document."""


@https_fn.on_request()
def set_in_session(request: Any) -> Any:
    """An HTTP function."""


def plain_helper() -> None:
    """Not a Firebase function."""


def test_firestore_triggers_are_keyed_by_entry_point_with_their_pattern() -> None:
    loaded = collect_functions(globals())
    assert sorted(loaded.triggers) == ["on_meetings_written", "on_settings_written"]
    trigger = loaded.triggers["on_meetings_written"]
    assert trigger.document == "meetings/{meeting}"
    assert trigger.event_type == "google.cloud.firestore.document.v1.written"
    assert trigger.database == "(default)"
    assert trigger.function is on_meetings_written
    assert loaded.triggers["on_settings_written"].document == "settings/global"


@https_fn.on_call()
def callable_function(request: Any) -> Any:
    """A callable function."""


@tasks_fn.on_task_dispatched(retry_config=RetryConfig(max_attempts=4, min_backoff_seconds=2))
def retryQueue(request: Any) -> None:
    """A task-queue function."""


@scheduler_fn.on_schedule(schedule="every 5 minutes")
def nightly(event: Any) -> None:
    """A scheduled function."""


def test_http_and_task_queue_functions_are_served_and_the_rest_only_listed() -> None:
    loaded = collect_functions(globals())
    assert loaded.http == {"set_in_session": set_in_session}
    assert list(loaded.tasks) == ["retryQueue"]
    task = loaded.tasks["retryQueue"]
    assert task.function is retryQueue
    assert task.retry == QueueRetry(max_attempts=4, min_backoff=2.0)  # the rest: Cloud Tasks'
    assert loaded.others == ("callable_function", "nightly")


def test_missing_main_py_says_to_generate_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="boiler generate"):
        load_functions(tmp_path)


@pytest.mark.parametrize(
    ("module", "where", "reason"),
    [
        ("X = 1\ndef broken(:\n    pass\n", ("shop/hooks.py", 2, 12), "SyntaxError: "),
        (
            "import json\nfrom json import no_such_name\n",
            ("shop/hooks.py", 2, 1),
            "ImportError: cannot import name 'no_such_name'",
        ),
        (
            "X = 1\nraise RuntimeError('cannot start')\n",
            ("shop/hooks.py", 2, 1),
            "RuntimeError: cannot start",
        ),
    ],
    ids=["syntax-error", "import-error", "raises-at-import"],
)
def test_a_module_that_cannot_load_is_reported_at_its_line(
    tmp_path: Path, module: str, where: tuple[str, int, int], reason: str
) -> None:
    """The dispatcher process fails to start; the error names the app's file, line and column."""
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "hooks.py").write_text(module)
    (tmp_path / "main.py").write_text("import shop.hooks\n")
    dispatcher = DispatcherProcess(
        functions_dir=tmp_path,
        project="demo-load",
        port=0,
        env=dict(os.environ),
        log_path=tmp_path / "dispatcher.log",
    )
    with pytest.raises(DispatcherFailed) as caught, dispatcher:
        pass
    file, line, column = where
    assert caught.value.location == (str(tmp_path / file), line, column)
    assert caught.value.reason.startswith(reason)
    log = (tmp_path / "dispatcher.log").read_text()
    assert "Traceback (most recent call last):" in log.splitlines()  # readable, not inside JSON


def test_a_standby_dispatcher_loads_main_py_only_when_released(tmp_path: Path) -> None:
    """A reload's spare: started early, it loads main.py as it is when released."""
    (tmp_path / "main.py").write_text("raise RuntimeError('the old main.py')\n")
    dispatcher = DispatcherProcess(
        functions_dir=tmp_path,
        project="demo-standby",
        port=0,
        env=dict(os.environ),
        log_path=tmp_path / "dispatcher.log",
        standby=True,
    )
    dispatcher.start()
    try:
        with pytest.raises(DispatcherFailed, match="did not report ready"):
            dispatcher.wait_ready(timeout=0.5)
        (tmp_path / "main.py").write_text("X = 1\n")  # edited after it started
        dispatcher.release()
        ready = dispatcher.wait_ready(timeout=60)
        assert ready.triggers == ()
        assert dispatcher.running()
    finally:
        dispatcher.stop()
    assert not dispatcher.running()


def test_a_standby_that_is_not_needed_exits_when_its_stdin_closes(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("X = 1\n")
    dispatcher = DispatcherProcess(
        functions_dir=tmp_path,
        project="demo-standby",
        port=0,
        env=dict(os.environ),
        log_path=tmp_path / "dispatcher.log",
        standby=True,
    )
    dispatcher.start()
    dispatcher.stop()
    assert not dispatcher.running()
    assert "ready" not in (tmp_path / "dispatcher.log").read_text()
