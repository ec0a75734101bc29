"""The pins (boiler_core/codegen/pins.txt) and the app's own requirements in the generated
requirements.txt."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest
from meeting_room_app import APP_DIR, VIEWS_YAML

from boiler_core.codegen import render_all
from boiler_core.codegen.embed import manifest_text
from boiler_core.codegen.pins import (
    PINS_FILE,
    Pin,
    differences,
    load_pins,
    normalize,
    pinned,
    render_pins,
    runtime_closure,
)
from boiler_core.errors import ManifestError
from boiler_core.manifest import load_manifest_text

SHIPPED = VIEWS_YAML.read_text(encoding="utf-8")
FUNCTIONS_DIR = "  functions_dir: functions\n"
MUST_PIN = (
    "google-cloud-firestore",
    "firebase-functions",
    "firebase-admin",
    "grpcio",
    "protobuf",
    "proto-plus",
    "google-api-core",
)


def test_the_pins_cover_the_client_stack_and_are_in_order() -> None:
    pins = load_pins()
    names = [pin.name for pin in pins]
    assert set(MUST_PIN) <= set(names)
    assert names == sorted(names) == sorted(set(names))
    assert PINS_FILE.read_text(encoding="utf-8") == render_pins(pins)  # as --refresh writes it


def test_pins_are_boilers_dependencies_and_the_stack_below_them() -> None:
    installed = {
        "google-cloud-firestore": "2.30.0",
        "grpcio-status": "1.60.0",
        "proto-plus": "1.25.0",
        "flask": "3.1.0",
        "werkzeug": "3.1.0",
        "urllib3": "2.2.0",
        "protobuf-extras": "1.0",
    }
    assert pinned(["google_cloud_firestore", "Flask"], installed) == (
        Pin("flask", "3.1.0"),
        Pin("google-cloud-firestore", "2.30.0"),
        Pin("grpcio-status", "1.60.0"),
        Pin("proto-plus", "1.25.0"),
    )


def test_the_runtime_closure_is_read_from_the_installed_metadata() -> None:
    direct, installed = runtime_closure()
    assert "google-cloud-firestore" in {normalize(name) for name in direct}
    assert "pytest" not in installed  # an extra's, not the runtime's
    assert "boiler-core" not in installed
    for name in MUST_PIN:
        assert installed[name] == importlib.metadata.version(name)
    assert "grpcio-status" in installed  # through google-api-core[grpc]


def test_differences_name_each_pin_the_environment_lacks() -> None:
    pins = (Pin("grpcio", "1.2.3"), Pin("protobuf", "4.5.6"), Pin("proto-plus", "1.0"))
    installed = {"grpcio": "1.2.3", "protobuf": "5.0.0"}
    assert differences(pins, installed) == [
        "protobuf: pinned 4.5.6, installed 5.0.0",
        "proto-plus: pinned 1.0, installed nothing",
    ]


def test_a_pins_file_that_is_not_name_equals_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pins.txt"
    path.write_text("# comment\nGRPCio == 1.2.3  # why\n\nprotobuf>=4\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"pins.txt:4: expected name==version, got 'protobuf>=4'"):
        load_pins(path)
    path.write_text("GRPCio == 1.2.3  # why\n", encoding="utf-8")
    assert load_pins(path) == (Pin("grpcio", "1.2.3"),)


def with_requirements(value: str) -> str:
    assert FUNCTIONS_DIR in SHIPPED
    return SHIPPED.replace(FUNCTIONS_DIR, f"{FUNCTIONS_DIR}  requirements: {value}\n", 1)


def test_the_apps_requirements_follow_boilers_and_survive_regeneration() -> None:
    manifest = load_manifest_text(
        with_requirements("['requests>=2.31', 'python-dateutil==2.9.0.post0']"), base_dir=APP_DIR
    )
    assert manifest.project.requirements == ("requests>=2.31", "python-dateutil==2.9.0.post0")
    lines = render_all(manifest)["functions/requirements.txt"].splitlines()
    assert lines[-3:] == [
        "# The app's own (views.yaml, project.requirements).",
        "requests>=2.31",
        "python-dateutil==2.9.0.post0",
    ]
    assert lines[-4] == load_pins()[-1].line()
    embedded = load_manifest_text(manifest_text(manifest), base_dir=APP_DIR / "functions")
    assert embedded.project.requirements == manifest.project.requirements
    single = load_manifest_text(with_requirements("requests"), base_dir=APP_DIR)
    assert single.project.requirements == ("requests",)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (
            "['--index-url https://example.com/simple']",
            "views.yaml:10:18: error: requirement '--index-url https://example.com/simple' in "
            "project.requirements is a pip option (list packages only (name and version); the "
            "generated requirements.txt decides where packages come from)",
        ),
        (
            "['boiler_core==9']",
            "views.yaml:10:18: error: requirement 'boiler_core==9' in project.requirements names "
            "boiler itself (remove it: requirements.txt pins the boiler that generated it)",
        ),
        (
            "['requests', 'Requests>=2']",
            "views.yaml:10:30: error: requirement 'Requests>=2' in project.requirements names "
            "requests again (also 'requests')",
        ),
        (
            "['>=2.0']",
            "views.yaml:10:18: error: requirement '>=2.0' in project.requirements does not start "
            "with a package name (write it as pip does, e.g. requests>=2.31)",
        ),
        (
            "['requests  # for the hook']",
            "views.yaml:10:18: error: requirement 'requests  # for the hook' in "
            "project.requirements must be one requirement on one line, without a comment",
        ),
    ],
)
def test_requirements_that_are_not_packages_are_refused_where_they_stand(
    value: str, problem: str
) -> None:
    with pytest.raises(ManifestError) as caught:
        load_manifest_text(with_requirements(value), file="views.yaml", base_dir=APP_DIR)
    assert [str(p) for p in caught.value.problems] == [problem]
