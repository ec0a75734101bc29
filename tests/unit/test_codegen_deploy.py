"""``firebase deploy``'s view of the generated main.py: the functions manifest it discovers.

``firebase deploy`` runs the SDK's ``firebase_functions/private/serving.py`` in the functions
folder and reads ``functions_as_yaml(get_functions())``. These tests do the same in a subprocess
(cwd = the functions folder, boiler_core on PYTHONPATH as the installed wheel would be), with no
emulator and unusable credentials: importing main.py must touch neither network nor credentials.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from meeting_room_app import generated_project

from boiler_core.codegen import render_all
from boiler_core.codegen.main_py import HTTP_FUNCTION
from boiler_core.codegen.names import trigger_names
from boiler_core.manifest import Manifest, load_manifest
from boiler_core.retry import BACKSTOP_FUNCTION, RETRY_FUNCTION

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
WRITTEN = "google.cloud.firestore.document.v1.written"
DISCOVER = (
    "import sys\n"
    "from firebase_functions.private import serving\n"
    "sys.stdout.write(serving.functions_as_yaml(serving.get_functions()))\n"
    "assert not [m for m in sys.modules if m.startswith('apispec')], 'main.py imported apispec'\n"
)


def discover(functions_dir: Path) -> dict[str, Any]:
    """The functions manifest ``firebase deploy`` would read for ``functions_dir``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"FIRESTORE_EMULATOR_HOST", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT"}
    }
    env["PYTHONPATH"] = str(REPO)
    env["GOOGLE_APPLICATION_CREDENTIALS"] = str(functions_dir / "no-such-credentials.json")
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", DISCOVER],
        cwd=functions_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    spec: dict[str, Any] = yaml.safe_load(result.stdout)
    return spec


@pytest.fixture(scope="module", params=["meeting_room", "library"])
def deployed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Manifest, dict[str, Any]]:
    """A manifest and what deploy discovers in the functions folder generated from it.

    ``meeting_room``: the tests' meeting-room app; ``library``: the test app; both generated.
    """
    if request.param == "meeting_room":
        project = generated_project(tmp_path_factory.mktemp("meeting_room") / "app")
        return load_manifest(project / "views.yaml"), discover(project / "functions")
    project = tmp_path_factory.mktemp("library")
    shutil.copytree(HERE / "data" / "library", project, dirs_exist_ok=True)
    manifest = load_manifest(project / "views.yaml")
    for relative, content in render_all(manifest).items():
        (project / relative).write_text(content, encoding="utf-8")
    return manifest, discover(project / "functions")


def test_deploy_discovers_one_written_trigger_per_source_collection(
    deployed: tuple[Manifest, dict[str, Any]],
) -> None:
    manifest, spec = deployed
    endpoints = spec["endpoints"]
    names = trigger_names(manifest.source_collections())
    assert sorted(endpoints) == sorted(
        [*names.values(), HTTP_FUNCTION, RETRY_FUNCTION, BACKSTOP_FUNCTION]
    )
    for collection, name in names.items():
        endpoint = endpoints[name]
        assert endpoint["entryPoint"] == name
        assert endpoint["platform"] == "gcfv2"
        assert endpoint["region"] == [manifest.project.region]
        assert endpoint["eventTrigger"] == {
            "eventType": WRITTEN,
            "eventFilterPathPatterns": {"document": manifest.source_path(collection).text},
            "eventFilters": {"database": "(default)", "namespace": "(default)"},
            "retry": False,
        }


def test_deploy_discovers_the_api_as_one_https_function(
    deployed: tuple[Manifest, dict[str, Any]],
) -> None:
    manifest, spec = deployed
    endpoint = spec["endpoints"][HTTP_FUNCTION]
    assert endpoint["entryPoint"] == HTTP_FUNCTION
    assert endpoint["platform"] == "gcfv2"
    assert endpoint["region"] == [manifest.project.region]
    assert endpoint["httpsTrigger"] == {}


def test_deploy_discovers_the_retry_queue_with_the_retry_settings_of_views_yaml(
    deployed: tuple[Manifest, dict[str, Any]],
) -> None:
    manifest, spec = deployed
    settings = manifest.project.retry
    assert settings is not None
    endpoint = spec["endpoints"][RETRY_FUNCTION]
    assert endpoint["entryPoint"] == RETRY_FUNCTION
    assert endpoint["region"] == [manifest.project.region]
    assert endpoint["taskQueueTrigger"] == {
        "rateLimits": {"maxConcurrentDispatches": settings.max_concurrent},
        "retryConfig": {  # no maxRetrySeconds: attempts alone end the retries
            "maxAttempts": settings.max_attempts,
            "maxBackoffSeconds": settings.max_backoff_seconds,
            "maxDoublings": settings.max_doublings,
            "minBackoffSeconds": settings.min_backoff_seconds,
        },
    }


def test_deploy_discovers_the_backstop_on_its_schedule(
    deployed: tuple[Manifest, dict[str, Any]],
) -> None:
    manifest, spec = deployed
    backstop = manifest.project.backstop
    assert backstop is not None
    endpoint = spec["endpoints"][BACKSTOP_FUNCTION]
    assert endpoint["entryPoint"] == BACKSTOP_FUNCTION
    assert endpoint["scheduleTrigger"] == {
        "retryConfig": {},
        "schedule": f"every {backstop.every_minutes} minutes",
    }


def test_deploy_manifest_declares_no_params_and_the_apis_of_tasks_and_schedules(
    deployed: tuple[Manifest, dict[str, Any]],
) -> None:
    spec = deployed[1]
    assert spec["specVersion"] == "v1alpha1"
    assert spec["params"] == []
    assert [api["api"] for api in spec["requiredAPIs"]] == [
        "cloudscheduler.googleapis.com",
        "cloudtasks.googleapis.com",
    ]
