"""deploy.sh, run for real in a temporary copy of the project with a stripped PATH.

The preflight uses nothing but bash, so its tests give the script an empty PATH plus the fakes
each test wants: a ``python3.11`` that answers as a chosen Python version, a ``firebase`` CLI, a
boiler virtualenv. Each fake appends its name and arguments to a log, so the tests see what the
script ran, in which order, with which credentials. The real bundle step (venv, discovery) is
exercised by ``make e2e``.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from meeting_room_app import APP_DIR

REPO = Path(__file__).resolve().parents[2]
BASH = shutil.which("bash") or "/bin/bash"
DEPLOY = ["deploy", "--only", "functions,firestore:rules,firestore:indexes", "--project"]

FAKE_PYTHON = r"""#!{bash}
echo "python $*" >>"$FAKE_LOG"
case "$*" in
*sys.version_info*) echo "${{FAKE_PYTHON_VERSION:-3.11}}" ;;
*hashlib*) echo "digest-of-requirements" ;;
"-m venv "*) {mkdir} -p "$3/bin" && {cp} "$0" "$3/bin/python" ;;
*"boiler_core.deploy bundle"*) echo "PLAN: 5 functions"; exit "${{FAKE_BUNDLE_EXIT:-0}}" ;;
esac
exit 0
"""

FAKE_BOILER = r"""#!{bash}
seen="emulator=${{FIRESTORE_EMULATOR_HOST:-unset}}"
seen="$seen credentials=${{GOOGLE_APPLICATION_CREDENTIALS:-unset}}"
echo "boiler $* $seen" >>"$FAKE_LOG"
case "$1" in
check) exit "${{FAKE_CHECK_EXIT:-0}}" ;;
backfill) [ "$2" = --help ] && exit "${{FAKE_NO_BACKFILL:-0}}"; exit 0 ;;
esac
exit 0
"""

FAKE_FIREBASE = r"""#!{bash}
if [ "$1" = --version ]; then echo "15.34.2"; exit 0; fi
seen="emulator=${{FIRESTORE_EMULATOR_HOST:-unset}}"
seen="$seen credentials=${{GOOGLE_APPLICATION_CREDENTIALS:-unset}}"
echo "firebase $* $seen" >>"$FAKE_LOG"
exit "${{FAKE_DEPLOY_EXIT:-0}}"
"""


@dataclass
class Project:
    """A temporary copy of the project: deploy.sh, firebase.json, a functions folder."""

    root: Path
    bin: Path
    log: Path
    credentials: Path

    def fake(self, name: str, template: str, where: Path | None = None) -> Path:
        path = (where or self.bin) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = template.format(bash=BASH, mkdir=shutil.which("mkdir"), cp=shutil.which("cp"))
        path.write_text(text, encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        return path

    def link(self, *tools: str) -> None:
        """Put real tools on the stripped PATH."""
        for tool in tools:
            found = shutil.which(tool)
            assert found is not None
            (self.bin / tool).symlink_to(found)

    def env(self, **extra: str) -> dict[str, str]:
        return {"PATH": str(self.bin), "FAKE_LOG": str(self.log), "HOME": str(self.root), **extra}

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [BASH, str(self.root / "deploy.sh"), *args],
            cwd=self.root,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "app"
    (root / "functions").mkdir(parents=True)
    shutil.copy(REPO / "deploy.sh", root / "deploy.sh")
    shutil.copy(APP_DIR / "firebase.json", root / "firebase.json")
    (root / "functions" / "requirements.txt").write_text("firebase-functions\n")
    credentials = tmp_path / "secrets" / "deployer.json"
    credentials.parent.mkdir()
    credentials.write_text('{"type": "service_account"}\n')
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    return Project(root, bin_dir, tmp_path / "calls.log", credentials)


@pytest.fixture
def ready(project: Project) -> Callable[..., dict[str, str]]:
    """Everything a deploy needs, faked: python3.11, firebase, a boiler venv, rm and env.
    Returns the environment for :meth:`Project.run`, with ``overrides`` applied."""
    project.fake("python3.11", FAKE_PYTHON)
    project.fake("firebase", FAKE_FIREBASE)
    venv = project.root.parent / "boiler-venv" / "bin"
    project.fake("boiler", FAKE_BOILER, venv)
    project.fake("python", FAKE_PYTHON, venv)
    project.link("rm", "env")

    def environment(**overrides: str) -> dict[str, str]:
        env = {
            "PROJECT": "acme-prod",
            "GOOGLE_APPLICATION_CREDENTIALS": str(project.credentials),
            "BOILER_VENV": str(venv.parent),
            "FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080",
        }
        env.update(overrides)
        return {k: v for k, v in env.items() if v != ""}

    return environment


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("deploy.sh: error:")]


# ---- preflight -------------------------------------------------------------------------------


def test_without_the_firebase_cli_it_fails_before_doing_anything(
    project: Project, ready: Callable[..., dict[str, str]]
) -> None:
    (project.bin / "firebase").unlink()
    result = project.run(**ready())
    assert result.returncode == 2
    assert errors(result) == [
        "deploy.sh: error: no Firebase CLI: 'firebase' is not on PATH; install it with "
        "'npm install -g firebase-tools' (or set FIREBASE=/path/to/firebase)"
    ]
    assert not any(call.startswith(("boiler", "firebase")) for call in project.calls())


def test_without_the_runtimes_python_it_names_the_version_firebase_json_pins(
    project: Project, ready: Callable[..., dict[str, str]]
) -> None:
    (project.bin / "python3.11").unlink()
    result = project.run(**ready())
    assert result.returncode == 2
    [message] = errors(result)
    assert "wrong Python: firebase.json's runtime python311 needs Python 3.11" in message
    assert "'python3.11' is not on PATH" in message


def test_a_python_of_another_version_is_refused(
    project: Project, ready: Callable[..., dict[str, str]]
) -> None:
    result = project.run(**ready(FAKE_PYTHON_VERSION="3.12"))
    assert result.returncode == 2
    [message] = errors(result)
    assert "wrong Python: 'python3.11' is Python 3.12" in message
    assert "needs 3.11" in message


@pytest.mark.parametrize(
    ("credentials", "expected"),
    [
        ("", "no credentials: set GOOGLE_APPLICATION_CREDENTIALS to the credential file"),
        ("/nowhere/key.json", "is not a readable, non-empty file"),
        ("functions/key.json", "is inside functions/, which is uploaded"),
    ],
)
def test_missing_or_misplaced_credentials_are_refused(
    project: Project, ready: Callable[..., dict[str, str]], credentials: str, expected: str
) -> None:
    (project.root / "functions" / "key.json").write_text("{}")
    result = project.run(**ready(GOOGLE_APPLICATION_CREDENTIALS=credentials))
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
    project: Project, ready: Callable[..., dict[str, str]], name: str, expected: str
) -> None:
    result = project.run(**ready(PROJECT=name))
    assert result.returncode == 2
    [message] = errors(result)
    assert expected in message


def test_every_preflight_problem_is_reported_at_once(project: Project) -> None:
    result = project.run()
    assert result.returncode == 2
    found = "\n".join(errors(result))
    for expected in ("wrong Python", "no Firebase CLI", "no project", "no credentials"):
        assert expected in found
    assert "4 problem(s); nothing was checked, built or deployed" in result.stderr


def test_the_project_option_wins_over_the_environment(
    project: Project, ready: Callable[..., dict[str, str]]
) -> None:
    result = project.run("--project", "acme-staging", **ready(PROJECT="acme-prod"))
    assert result.returncode == 0, result.stderr
    assert any(c.startswith("firebase deploy") and "acme-staging" in c for c in project.calls())


@pytest.mark.parametrize("argument", ["--bogus", "--project"])
def test_bad_arguments_print_the_usage_and_exit_2(project: Project, argument: str) -> None:
    result = project.run(argument)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: ./deploy.sh")


def test_help_exits_0(project: Project) -> None:
    result = project.run("--help")
    assert result.returncode == 0
    assert "--dry-run" in result.stdout


# ---- the steps -----------------------------------------------------------------------------------


def test_a_deploy_checks_builds_bundles_deploys_backfills_and_unbundles_in_order(
    project: Project, ready: Callable[..., dict[str, str]]
) -> None:
    result = project.run(**ready())
    assert result.returncode == 0, result.stderr
    credentials = f"credentials={project.credentials}"
    venv = project.root / "functions" / "venv"
    steps = [c for c in project.calls() if not c.startswith("python -c")]
    assert steps == [
        f"boiler check emulator=127.0.0.1:8080 credentials={project.credentials}",
        f"boiler generate --check emulator=127.0.0.1:8080 credentials={project.credentials}",
        f"python -m venv {venv}",
        "python -m pip install -qq --disable-pip-version-check -r "
        f"{project.root / 'functions' / 'requirements.txt'}",
        f"python -m boiler_core.deploy bundle --root {project.root} --python {venv}/bin/python "
        "--project acme-prod",
        "firebase "
        + " ".join(DEPLOY)
        + " acme-prod --non-interactive --force emulator=unset "
        + credentials,
        f"boiler backfill --help emulator=127.0.0.1:8080 credentials={project.credentials}",
        f"boiler backfill --changed --project acme-prod emulator=unset {credentials}",
        f"python -m boiler_core.deploy unbundle --root {project.root}",
    ]
    assert "PLAN: 5 functions" in result.stdout
    assert result.stdout.rstrip().endswith("==> deployed to acme-prod")


def test_relative_credentials_reach_the_cli_as_an_absolute_path(
    project: Project, ready: Callable[..., dict[str, str]]
) -> None:
    relative = os.path.relpath(project.credentials, project.root)
    result = project.run(**ready(GOOGLE_APPLICATION_CREDENTIALS=relative))
    assert result.returncode == 0, result.stderr
    [deploy] = [c for c in project.calls() if c.startswith("firebase deploy")]
    assert deploy.endswith(f"credentials={project.credentials}")


def test_the_venv_is_reused_while_python_and_requirements_are_the_same(
    project: Project, ready: Callable[..., dict[str, str]]
) -> None:
    assert project.run(**ready()).returncode == 0
    project.log.unlink()
    assert project.run(**ready()).returncode == 0
    assert not any("-m venv" in c or "pip install" in c for c in project.calls())
    (project.root / "functions" / "requirements.txt").write_text("changed\n")
    project.fake("python3.11", FAKE_PYTHON.replace("digest-of-requirements", "new-digest"))
    assert project.run(**ready()).returncode == 0
    assert any("-m venv" in c for c in project.calls())


def test_a_dry_run_needs_no_cli_credentials_or_project_and_uploads_nothing(
    project: Project, ready: Callable[..., dict[str, str]]
) -> None:
    (project.bin / "firebase").unlink()
    result = project.run("--dry-run", **ready(PROJECT="", GOOGLE_APPLICATION_CREDENTIALS=""))
    assert result.returncode == 0, result.stderr
    assert "dry run: nothing uploaded, nothing backfilled" in result.stdout
    assert "PLAN: 5 functions" in result.stdout
    assert "Firebase CLI: 'firebase' not found" in result.stdout
    assert not any(c.startswith(("firebase", "boiler backfill")) for c in project.calls())
    assert any("boiler_core.deploy unbundle" in c for c in project.calls())


def test_keep_bundle_leaves_the_vendored_copy(
    project: Project, ready: Callable[..., dict[str, str]]
) -> None:
    result = project.run("--dry-run", "--keep-bundle", **ready())
    assert result.returncode == 0, result.stderr
    assert not any("unbundle" in c for c in project.calls())
    assert "bundle kept" in result.stdout


def test_no_backfill_skips_it_and_says_what_to_run(
    project: Project, ready: Callable[..., dict[str, str]]
) -> None:
    result = project.run("--no-backfill", **ready())
    assert result.returncode == 0, result.stderr
    assert not any(c.startswith("boiler backfill") for c in project.calls())
    assert "boiler backfill --changed --project acme-prod" in result.stderr


def test_a_boiler_without_backfill_deploys_and_warns(
    project: Project, ready: Callable[..., dict[str, str]]
) -> None:
    result = project.run(**ready(FAKE_NO_BACKFILL="2"))
    assert result.returncode == 0, result.stderr
    assert "no 'backfill' command: new or changed views are NOT rebuilt" in result.stderr
    assert not any("backfill --changed" in c for c in project.calls())


@pytest.mark.parametrize(
    ("failure", "message", "last_call"),
    [
        ("FAKE_CHECK_EXIT", "views.yaml has problems", "boiler check"),
        ("FAKE_BUNDLE_EXIT", "the bundle is not fit to deploy", "python -m boiler_core.deploy un"),
        ("FAKE_DEPLOY_EXIT", "firebase deploy failed", "python -m boiler_core.deploy un"),
    ],
)
def test_a_failing_step_stops_the_deploy_with_exit_1(
    project: Project,
    ready: Callable[..., dict[str, str]],
    failure: str,
    message: str,
    last_call: str,
) -> None:
    result = project.run(**ready(**{failure: "1"}))
    assert result.returncode == 1
    assert message in result.stderr
    calls = project.calls()
    assert calls[-1].startswith(last_call)
    assert not any("backfill --changed" in c for c in calls)
    if failure != "FAKE_DEPLOY_EXIT":
        assert not any(c.startswith("firebase deploy") for c in calls)
