"""What ``boiler dev`` and ``boiler demo`` say and do about the live page when it is not built."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from click.testing import CliRunner

from boiler_core.cli import main
from boiler_core.cli.page import DEFAULT_PAGE_DIR, describe_page, live_page, page_folder


def test_an_unbuilt_page_is_reported_with_how_to_build_it(tmp_path: Path) -> None:
    runtime = cast(Any, object())  # never touched: there is nothing to serve
    with live_page(runtime, tmp_path) as url:
        assert url is None
    (line,) = describe_page(None, tmp_path)
    assert "not built" in line
    assert "make web" in line


def test_a_served_page_is_announced_with_its_url(tmp_path: Path) -> None:
    (line,) = describe_page("http://127.0.0.1:5000/", tmp_path)
    assert "http://127.0.0.1:5000/" in line


def test_the_page_folder_defaults_to_web_dist_beside_views_yaml(tmp_path: Path) -> None:
    manifest = tmp_path / "views.yaml"
    assert page_folder(manifest, None) == tmp_path.resolve() / DEFAULT_PAGE_DIR
    assert page_folder(manifest, tmp_path / "elsewhere") == tmp_path / "elsewhere"


def test_dev_and_demo_offer_the_page_options() -> None:
    runner = CliRunner()
    for command in ("dev", "demo"):
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "--page-dir" in result.output
        assert "--page-port" in result.output
    assert "--seed" in runner.invoke(main, ["dev", "--help"]).output
    assert "--stay" in runner.invoke(main, ["demo", "--help"]).output
