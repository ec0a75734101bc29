"""The app tests `boiler init` writes, on the emulator: random writes handled by the app's
generated trigger functions converge, and a failing trigger fails the test with its message."""

from __future__ import annotations

from pathlib import Path

import pytest
from tasks_app import make_app

from boiler_core.codegen import render_all
from boiler_core.testing.app import App

pytestmark = pytest.mark.integration


def generated(app: App) -> App:
    for relative, content in render_all(app.manifest).items():
        target = app.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    app.check_generated()
    return app


def test_random_writes_through_the_generated_triggers_converge(tmp_path: Path) -> None:
    generated(make_app(tmp_path)).converge_on_emulator(examples=2, max_writes=12)


def test_a_failing_trigger_fails_the_test_with_its_message(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    hooks = next(app.functions_dir.glob("*/hooks.py"))
    hooks.write_text("def summary(sources):\n    raise ValueError('no summary today')\n")
    with pytest.raises(AssertionError) as failed:
        generated(app).converge_on_emulator(examples=1, max_writes=3)
    assert "invocations failed:" in str(failed.value)
    assert "no summary today" in str(failed.value)
