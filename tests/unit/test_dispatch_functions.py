"""Which functions of main.py the dispatcher serves, found as firebase deploy finds them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from firebase_functions import firestore_fn, https_fn

from boiler_core.dispatch.functions import collect_functions, load_functions


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


def test_http_functions_are_served_and_the_rest_only_listed() -> None:
    loaded = collect_functions(globals())
    assert loaded.http == {"set_in_session": set_in_session}
    assert loaded.others == ("callable_function",)


def test_missing_main_py_says_to_generate_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="boiler generate"):
        load_functions(tmp_path)
