"""The GitHub Actions workflow (.github/workflows/ci.yml), parsed: the unit tier on every supported
Python and the full tests on every push and pull request, then ./deploy.sh for main only, with
credentials from the secret store."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import firebase_toolchain
import pytest
import yaml

from boiler_core.deploy import python_for_runtime
from boiler_core.manifest.syntax import RUNTIMES

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def uses(job: dict[str, Any], action: str) -> dict[str, Any]:
    [step] = [s for s in job["steps"] if s.get("uses", "").startswith(action + "@")]
    return step


def test_it_runs_on_pushes_to_main_and_on_pull_requests(workflow: dict[Any, Any]) -> None:
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True
    assert triggers["push"]["branches"] == ["main"]
    assert "pull_request" in triggers
    assert workflow["permissions"] == {"contents": "read"}


def test_the_test_job_runs_the_make_targets_of_ci_run_in_order(workflow: dict[Any, Any]) -> None:
    job = workflow["jobs"]["test"]
    commands = runs(job)
    targets = ["make test", "make test-firestore", "make e2e", "make lint", "make dist"]
    assert [c for c in commands if c.startswith("make ")] == targets
    ci_run = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    places = [ci_run.index(target + "\n") for target in targets]
    assert places == sorted(places)


def test_the_full_job_and_the_deploy_use_the_python_of_the_functions_runtime(
    workflow: dict[Any, Any],
) -> None:
    runtime = json.loads((REPO / "firebase.json").read_text())["functions"][0]["runtime"]
    version = python_for_runtime(runtime).removeprefix("python")
    for name in ("test", "deploy"):
        job = workflow["jobs"][name]
        assert uses(job, "actions/setup-python")["with"]["python-version"] == version


def test_the_unit_tier_runs_on_every_supported_python(workflow: dict[Any, Any]) -> None:
    job = workflow["jobs"]["unit"]
    versions = [python_for_runtime(runtime).removeprefix("python") for runtime in RUNTIMES]
    assert job["strategy"]["matrix"]["python"] == versions == ["3.11", "3.12", "3.13"]
    assert job["strategy"]["fail-fast"] is False
    assert uses(job, "actions/setup-python")["with"]["python-version"] == "${{ matrix.python }}"
    assert runs(job) == ['make test-unit PYTHON="python${{ matrix.python }}"']


def test_the_firebase_cli_version_is_the_one_make_e2e_proves(workflow: dict[Any, Any]) -> None:
    assert workflow["env"]["FIREBASE_TOOLS_VERSION"] == firebase_toolchain.FIREBASE_TOOLS


def test_the_deploy_job_runs_deploy_sh_for_main_after_the_tests(workflow: dict[Any, Any]) -> None:
    job = workflow["jobs"]["deploy"]
    assert job["needs"] == ["test", "unit"]
    assert job["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert job["concurrency"]["cancel-in-progress"] is False
    [deploy] = [c for c in runs(job) if "deploy.sh" in c]
    assert deploy == './deploy.sh --project "$PROJECT"'
    step = next(s for s in job["steps"] if s.get("run") == deploy)
    assert step["env"]["PROJECT"] == "${{ vars.FIREBASE_PROJECT }}"


def test_deploy_credentials_come_from_the_secret_store_as_a_credential_file(
    workflow: dict[Any, Any],
) -> None:
    job = workflow["jobs"]["deploy"]
    auth = uses(job, "google-github-actions/auth")["with"]
    assert auth["credentials_json"] == "${{ secrets.FIREBASE_SERVICE_ACCOUNT }}"
    assert auth["create_credentials_file"] is True  # sets GOOGLE_APPLICATION_CREDENTIALS
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "FIREBASE_TOKEN" not in text
    assert "--token" not in text


def test_every_action_is_pinned_to_a_major_version(workflow: dict[Any, Any]) -> None:
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", step["uses"]), step["uses"]
