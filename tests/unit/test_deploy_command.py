"""``boiler deploy``, run for real on a generated app with a stripped PATH of fakes
(tests/support/deploy_fakes.py): a ``python3.12`` (the runtime's Python of the library app) and a
``firebase`` CLI, each logging what it was asked with the environment it saw.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from deploy_fakes import FAKE_FIREBASE, DeployApp, deploy_app, errors, steps

import boiler_core
from boiler_core.cli.deploy import production_env
from boiler_core.codegen import render_all
from boiler_core.deploy.wheel import wheel_name
from boiler_core.manifest import load_manifest

LIBRARY = Path(__file__).resolve().parent / "data" / "library"
WHEEL = f"wheels/{wheel_name(boiler_core.__version__)}"
ONLY = "functions:boiler,firestore:rules,firestore:indexes"


@pytest.fixture
def app(tmp_path: Path) -> DeployApp:
    root = tmp_path / "app"
    shutil.copytree(LIBRARY, root, ignore=shutil.ignore_patterns("__pycache__"))
    for relative, content in render_all(load_manifest(root / "views.yaml")).items():
        (root / relative).write_text(content, encoding="utf-8")
    codebases = [
        {"source": "web-functions", "codebase": "web", "runtime": "nodejs22"},
        {"source": "functions", "codebase": "boiler", "runtime": "python312", "ignore": ["venv"]},
    ]
    firestore = {"rules": "firestore.rules", "indexes": "firestore.indexes.json"}
    (root / "firebase.json").write_text(
        json.dumps({"functions": codebases, "firestore": firestore})
    )
    return deploy_app(root, tmp_path)


@pytest.fixture
def ready(app: DeployApp) -> Callable[..., dict[str, str]]:
    """The fakes on PATH; returns the environment of a deploy, ``overrides`` applied (an empty
    value removes a variable)."""
    app.fake_python("3.12")
    app.fake("firebase", FAKE_FIREBASE)

    def environment(**overrides: str) -> dict[str, str]:
        env = {
            "PROJECT": "acme-prod",
            "GOOGLE_APPLICATION_CREDENTIALS": str(app.credentials),
            "FIRESTORE_EMULATOR_HOST": "127.0.0.1:1",
        }
        env.update(overrides)
        return env

    return environment


# ---- preflight -------------------------------------------------------------------------------


def test_without_the_firebase_cli_it_fails_before_doing_anything(
    app: DeployApp, ready: Callable[..., dict[str, str]]
) -> None:
    (app.bin / "firebase").unlink()
    result = app.run(**ready())
    assert result.returncode == 2
    assert errors(result) == [
        "boiler deploy: error: no Firebase CLI: 'firebase' is not on PATH; install it with "
        "'npm install -g firebase-tools' (or set FIREBASE=/path/to/firebase)"
    ]
    assert app.calls() == []
    assert steps(result) == []


def test_without_the_runtimes_python_it_names_the_version_firebase_json_pins(
    app: DeployApp, ready: Callable[..., dict[str, str]]
) -> None:
    (app.bin / "python3.12").unlink()
    result = app.run(**ready())
    assert result.returncode == 2
    [message] = errors(result)
    assert "wrong Python: firebase.json's runtime python312 needs Python 3.12" in message
    assert "'python3.12' is not on PATH" in message


def test_a_python_of_another_version_is_refused(
    app: DeployApp, ready: Callable[..., dict[str, str]]
) -> None:
    result = app.run(**ready(FAKE_PYTHON_VERSION="3.11"))
    assert result.returncode == 2
    [message] = errors(result)
    assert "wrong Python: 'python3.12' is Python 3.11" in message
    assert "needs 3.12" in message


@pytest.mark.parametrize(
    ("credentials", "expected"),
    [
        ("", "no credentials: set GOOGLE_APPLICATION_CREDENTIALS to the credential file"),
        ("/nowhere/key.json", "is not a readable, non-empty file"),
        ("functions/key.json", "is inside functions/, which is uploaded"),
    ],
)
def test_missing_or_misplaced_credentials_are_refused(
    app: DeployApp, ready: Callable[..., dict[str, str]], credentials: str, expected: str
) -> None:
    (app.root / "functions" / "key.json").write_text("{}")
    result = app.run(**ready(GOOGLE_APPLICATION_CREDENTIALS=credentials))
    assert result.returncode == 2
    [message] = errors(result)
    assert expected in message


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("", "no project: pass --project ID or set PROJECT"),
        ("demo-boiler", "'demo-boiler' is a demo project (emulators only)"),
        ("Acme Prod", "'Acme Prod' is not a valid project id"),
    ],
)
def test_a_missing_or_unusable_project_is_refused(
    app: DeployApp, ready: Callable[..., dict[str, str]], name: str, expected: str
) -> None:
    result = app.run(**ready(PROJECT=name))
    assert result.returncode == 2
    [message] = errors(result)
    assert expected in message


def test_every_preflight_problem_is_reported_at_once(app: DeployApp) -> None:
    result = app.run()
    assert result.returncode == 2
    found = "\n".join(errors(result))
    for expected in ("wrong Python", "no Firebase CLI", "no project", "no credentials"):
        assert expected in found
    assert "4 problem(s); nothing was checked, built or deployed" in result.stderr


def test_firebase_json_without_boilers_codebase_is_a_preflight_problem(
    app: DeployApp, ready: Callable[..., dict[str, str]]
) -> None:
    config = json.loads((app.root / "firebase.json").read_text())
    config["functions"] = config["functions"][:1]
    (app.root / "firebase.json").write_text(json.dumps(config))
    result = app.run("--dry-run", **ready())
    assert result.returncode == 2
    [message] = errors(result)
    assert message.startswith(
        'boiler deploy: error: firebase.json: no functions codebase has "source": "functions"'
    )


def test_a_folder_without_views_yaml_is_refused(
    app: DeployApp, ready: Callable[..., dict[str, str]]
) -> None:
    (app.root / "views.yaml").unlink()
    result = app.run("--dry-run", **ready())
    assert result.returncode == 2
    assert "no views.yaml: run boiler deploy in the app folder" in result.stderr


@pytest.mark.parametrize("argument", ["--bogus", "--project"])
def test_bad_arguments_exit_2(app: DeployApp, argument: str) -> None:
    result = app.run(argument)
    assert result.returncode == 2
    assert result.stderr.startswith(("Usage: python -m boiler_core deploy", "Error: Option"))


# ---- the steps -----------------------------------------------------------------------------------


def test_a_deploy_checks_builds_discovers_and_deploys_boilers_codebase_in_order(
    app: DeployApp, ready: Callable[..., dict[str, str]]
) -> None:
    result = app.run("--no-backfill", **ready())
    assert result.returncode == 0, result.stderr
    venv = app.root / "functions" / "venv"
    assert app.calls() == [
        f"python3.12 -m venv {venv}",
        "venv pip -m pip install -qq --disable-pip-version-check -r "
        f"{app.root / 'functions' / 'requirements.txt'}",
        f"firebase deploy --only {ONLY} --project acme-prod --non-interactive --force "
        f"emulator=unset credentials={app.credentials} in {app.root}",
    ]
    assert steps(result) == [
        "boiler check",
        "boiler generate --check",
        "boiler's wheel into functions/wheels/",
        f"functions/venv with {app.bin / 'python3.12'} (Python 3.12) from "
        "functions/requirements.txt",
        "bundle: the functions read as firebase deploy reads them",
        "firebase deploy to acme-prod (Firebase CLI 15.34.2)",
        "deployed to acme-prod",
    ]
    plan = result.stdout
    assert f"firebase deploy --only {ONLY} --project acme-prod" in plan
    assert "Firestore written book-loans/{loan} (retry off)" in plan
    assert f"(boiler: {WHEEL}, " in plan
    assert "other codebases of firebase.json, not deployed: web" in plan
    assert "backfill skipped (--no-backfill): run 'boiler backfill --changed" in result.stderr
    assert not (app.root / "functions" / "wheels").exists()


def test_the_project_option_wins_over_the_environment_and_credentials_become_absolute(
    app: DeployApp, ready: Callable[..., dict[str, str]]
) -> None:
    relative = os.path.relpath(app.credentials, app.root)
    env = ready(PROJECT="Not Valid", GOOGLE_APPLICATION_CREDENTIALS=relative)
    result = app.run("--project", "acme-staging", "--no-backfill", **env)
    assert result.returncode == 0, result.stderr
    [deploy] = [c for c in app.calls() if c.startswith("firebase deploy")]
    assert "--project acme-staging" in deploy
    assert f"credentials={app.credentials} in" in deploy


def test_the_venv_is_built_once_for_the_same_python_requirements_and_boiler(
    app: DeployApp, ready: Callable[..., dict[str, str]]
) -> None:
    assert app.run("--dry-run", **ready()).returncode == 0
    app.log.unlink()
    result = app.run("--dry-run", **ready())
    assert result.returncode == 0, result.stderr
    assert app.calls() == []
    assert "up to date (same Python, same requirements, same boiler)" in result.stdout


def test_a_dry_run_needs_no_cli_credentials_or_project_and_uploads_nothing(
    app: DeployApp, ready: Callable[..., dict[str, str]]
) -> None:
    (app.bin / "firebase").unlink()
    result = app.run("--dry-run", **ready(PROJECT="", GOOGLE_APPLICATION_CREDENTIALS=""))
    assert result.returncode == 0, result.stderr
    assert (
        steps(result)[-1] == "dry run: nothing uploaded, nothing backfilled; the deploy would run"
    )
    assert "--project PROJECT --non-interactive --force" in result.stdout
    assert "then: boiler backfill --changed --project PROJECT" in result.stdout
    assert "Firebase CLI: not found or not running" in result.stdout
    assert not any(c.startswith("firebase") for c in app.calls())
    assert not (app.root / "functions" / "wheels").exists()


def test_keep_bundle_leaves_the_wheel_requirements_txt_installs(
    app: DeployApp, ready: Callable[..., dict[str, str]]
) -> None:
    result = app.run("--dry-run", "--keep-bundle", **ready())
    assert result.returncode == 0, result.stderr
    assert (app.root / "functions" / WHEEL).is_file()
    requirements = (app.root / "functions" / "requirements.txt").read_text().splitlines()
    boiler = requirements.index("--find-links wheels")
    assert requirements[boiler + 1] == f"boiler-core=={boiler_core.__version__}"
    assert f"bundle kept: functions/{WHEEL} and functions/venv (--keep-bundle)" in result.stdout


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        ("views", "views.yaml has problems (above)"),
        ("stale", "the generated files are stale: run 'boiler generate'"),
        ("key", "the bundle is not fit to deploy (problems above)"),
        ("deploy", "firebase deploy failed (its output above, exit code 1)"),
    ],
)
def test_a_failing_step_stops_the_deploy_with_exit_1_and_removes_the_wheel(
    app: DeployApp, ready: Callable[..., dict[str, str]], breakage: str, message: str
) -> None:
    views = app.root / "views.yaml"
    if breakage == "views":
        views.write_text(views.read_text().replace("root: books", "root: book"))
    elif breakage == "stale":
        (app.root / "functions" / "main.py").write_text("# edited by hand\n")
    elif breakage == "key":
        (app.root / "functions" / "deployer-service-account.json").write_text("{}")
    result = app.run(**ready(FAKE_DEPLOY_EXIT="1" if breakage == "deploy" else "0"))
    assert result.returncode == 1
    assert errors(result)[-1].startswith(f"boiler deploy: error: {message}")
    assert "backfill" not in steps(result)[-1]
    deployed = any(c.startswith("firebase deploy") for c in app.calls())
    assert deployed == (breakage == "deploy")
    assert not (app.root / "functions" / "wheels").exists()
    if breakage == "key":
        assert "functions/deployer-service-account.json would be uploaded" in result.stderr


def test_the_backfill_runs_after_the_deploy_against_production_and_says_how_to_resume(
    app: DeployApp, ready: Callable[..., dict[str, str]]
) -> None:
    result = app.run(**ready())
    assert result.returncode == 1
    assert steps(result)[-2:] == [
        "firebase deploy to acme-prod (Firebase CLI 15.34.2)",
        "boiler backfill --changed (production Firestore of acme-prod)",
    ]
    # the fake credential file has no key: production was tried, not the emulator
    assert "boiler backfill: cannot reach Firestore" in result.stderr
    assert str(app.credentials) in result.stderr
    assert errors(result)[-1].endswith(
        "deployed, but the backfill failed (above); continue it with 'boiler backfill --resume "
        "--project acme-prod', or check with 'boiler verify --project acme-prod'"
    )


def test_commands_reaching_production_see_no_emulator_and_absolute_credentials() -> None:
    env = {"FIRESTORE_EMULATOR_HOST": "x", "FIREBASE_AUTH_EMULATOR_HOST": "y", "HOME": "/h"}
    assert production_env(env, Path("/keys/k.json")) == {
        "HOME": "/h",
        "GOOGLE_APPLICATION_CREDENTIALS": "/keys/k.json",
    }
