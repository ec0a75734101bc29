"""The app tests boiler writes for any app: views.yaml valid, generated files current, and views
converging under random writes drawn from the schemas (boiler_core.testing.app)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields
from tasks_app import make_app

from boiler_core.documents import Ref
from boiler_core.manifest import load_manifest_text
from boiler_core.testing.app import App
from boiler_core.testing.strategies import DomainWrites, Write

LIBRARY = Path(__file__).parent / "data" / "library"


def test_an_app_is_found_from_a_test_file_below_its_views_yaml(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    (tmp_path / "tests").mkdir()
    assert App.beside(tmp_path / "tests" / "test_app.py").manifest_path == tmp_path / "views.yaml"
    with pytest.raises(FileNotFoundError, match=r"no views\.yaml"):
        App.beside(Path("/") / "test_app.py")
    assert app.functions_dir == tmp_path / "functions"


def test_check_fails_with_the_problems_located(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.manifest_path.write_text(app.manifest_path.read_text().replace("root: users", "root: u"))
    with pytest.raises(AssertionError) as failed:
        App(app.manifest_path).check()
    assert "views.yaml:9:11: error: root of view 'boards' names unknown collection 'u'" in str(
        failed.value
    )


def test_check_also_reads_the_seed_file_and_the_demo_story(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    (tmp_path / "seed.yaml").write_text("users/ada: {name: Ada}\ntasks/t1: {title: 7}\n")
    (tmp_path / "demo.yaml").write_text("watch: boards/ada\nsteps: []\n")
    with pytest.raises(AssertionError) as failed:
        app.check()
    report = str(failed.value)
    assert "seed.yaml:2:11: error: tasks/t1: field 'owner': Missing data" in report
    assert "seed.yaml:2:19: error: tasks/t1: field 'title': Not a valid string." in report
    assert "demo.yaml:2:8: error:" in report


def test_generated_files_must_be_current(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    with pytest.raises(AssertionError) as failed:
        app.check_generated()
    assert "stale: functions/main.py" in str(failed.value)
    assert "run `boiler generate`" in str(failed.value)


def test_a_correct_app_converges_in_memory(tmp_path: Path) -> None:
    make_app(tmp_path).converge_in_memory(examples=40)


def test_a_hook_that_hides_a_read_is_caught_with_the_writes_that_show_it(tmp_path: Path) -> None:
    app = make_app(tmp_path, reads="tasks.title")  # the hook reads `size`
    with pytest.raises(AssertionError) as failed:
        app.converge_in_memory(examples=200, shrink=False)
    report = str(failed.value)
    assert "after these writes:" in report
    assert "view documents diverge:" in report
    assert "rebuild: boards/users" in report  # the stale board, stored against rebuilt
    assert "'summary': '" in report


def test_views_of_views_converge_in_memory() -> None:
    """The library app's shelf pages read its book cards: the cards' writes are events too."""
    App(LIBRARY / "views.yaml").converge_in_memory(examples=40)


# -- strategies ---------------------------------------------------------------------------------


def writes_for(app: App) -> DomainWrites:
    return app.writes(ids=2)


def test_links_point_into_the_pools_and_choices_are_respected(tmp_path: Path) -> None:
    domain = writes_for(make_app(tmp_path))

    @settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def check(data: st.DataObject) -> None:
        task = data.draw(domain.document("tasks"))
        assert task["owner"] in {Ref("users/users1"), Ref("users/users2")}
        assert task.get("size", "s") in {"s", "m", "l"}
        assert isinstance(task["title"], str)

    check()


def test_every_run_starts_from_a_document_for_each_id(tmp_path: Path) -> None:
    domain = writes_for(make_app(tmp_path))

    @settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow])
    @given(domain.writes(max_size=5))
    def check(writes: list[Write]) -> None:
        first = [w.path for w in writes[:4]]
        assert first == ["tasks/tasks1", "tasks/tasks2", "users/users1", "users/users2"]
        assert all(w.data is not None for w in writes[:4])

    check()


def test_filter_constants_of_schemaless_collections_are_drawn() -> None:
    manifest = load_manifest_text(
        textwrap.dedent(
            """\
            collections:
              items: {path: "items/{item}"}
            views:
              counts:
                path: "counts/{item}"
                root: items
                fields:
                  red: {source: colour, equals: crimson}
            """
        )
    )
    domain = DomainWrites(manifest, {})
    seen = set()

    @settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
    @given(domain.document("items"))
    def collect(item: dict[str, object]) -> None:
        seen.add(item.get("colour"))

    collect()
    assert "crimson" in seen


def test_a_field_type_without_a_strategy_names_the_field_and_the_override() -> None:
    class OddSchema(Schema):
        blob = fields.IP()

    manifest = load_manifest_text(
        'collections:\n  odd: {path: "odd/{o}"}\n'
        'views:\n  v: {path: "v/{o}", root: odd, fields: {b: blob}}\n'
    )
    with pytest.raises(TypeError, match=r"field 'blob' of collection 'odd' \(IP\).*odd\.blob"):
        DomainWrites(manifest, {"odd": OddSchema})
    overridden = DomainWrites(manifest, {"odd": OddSchema}, overrides={"odd.blob": st.just("x")})

    @settings(max_examples=10)
    @given(overridden.document("odd"))
    def check(document: dict[str, object]) -> None:
        assert document in ({}, {"blob": "x"})  # optional in the schema, so maybe absent

    check()


def test_a_write_applies_as_set_update_or_delete() -> None:
    assert Write("a/1", data={"x": 1}).apply_to({"y": 2}) == {"x": 1}
    assert Write("a/1", fields={"x": 1}).apply_to({"y": 2}) == {"x": 1, "y": 2}
    assert Write("a/1", fields={"x": 1}).apply_to(None) == {"x": 1}
    assert Write("a/1").apply_to({"y": 2}) is None
    assert str(Write("a/1")) == "delete a/1"
