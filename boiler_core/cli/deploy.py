"""``boiler deploy``: ship the generated functions, rules and indexes with the Firebase CLI, then
bring new or changed views up to date.

1. preflight, every problem at once (exit 2): see :mod:`boiler_core.deploy.preflight`;
2. ``boiler check`` and ``boiler generate --check``;
3. a wheel of this boiler into ``<functions>/wheels/`` (requirements.txt installs it from there);
4. ``<functions>/venv`` built with the runtime's Python from requirements.txt (only when they
   changed);
5. the functions read the way ``firebase deploy`` reads them, checked against views.yaml; the
   upload checked against the allow-list, every file of it and the dotenv files firebase deploy
   reads checked for keys and credentials; the plan printed (``--dry-run`` stops here);
6. ``firebase deploy --only functions:CODEBASE,firestore:rules,firestore:indexes``;
7. ``boiler backfill --changed`` against production (unless ``--no-backfill``).

The wheel is removed on exit unless ``--keep-bundle``. This is an entry-point module: it reads
``os.environ`` and passes it on explicitly to what it runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from boiler_core.cli.check import check
from boiler_core.cli.generate import generate
from boiler_core.cli.options import load_or_exit, manifest_option
from boiler_core.codegen.requirements import WHEELS_DIR
from boiler_core.deploy.bundle import dotenv_problems, upload_files, upload_problems
from boiler_core.deploy.config import FirebaseConfig
from boiler_core.deploy.discovery import discover_functions
from boiler_core.deploy.errors import DeployError
from boiler_core.deploy.plan import (
    Plan,
    check_bundle,
    deploy_targets,
    endpoints,
    render_plan,
    upload_summary,
)
from boiler_core.deploy.preflight import Preflight, preflight
from boiler_core.deploy.venv import VenvSource, ensure_venv
from boiler_core.deploy.wheel import Wheel, build_wheel, remove_wheel
from boiler_core.manifest import Manifest

T = TypeVar("T")

EXIT_FAILED = 1
"""A check, the bundle, the deploy or the backfill failed."""

EXIT_USAGE = 2
"""Usage or preflight problem: nothing was checked, built or deployed."""

EMULATOR_VARIABLES = (
    "FIRESTORE_EMULATOR_HOST",
    "FIREBASE_AUTH_EMULATOR_HOST",
    "FIREBASE_EMULATOR_HUB",
)
"""Never passed to ``firebase deploy`` or the production backfill."""

_HIDDEN_FROM_FUNCTIONS = (
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "VIRTUAL_ENV",
    *EMULATOR_VARIABLES,
)
"""Variables that would let the functions venv import more than the bundle or reach an
emulator."""


@click.command()
@manifest_option
@click.option(
    "--project",
    envvar="PROJECT",
    metavar="ID",
    help="Firebase project to deploy to [env: PROJECT].",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check, build and verify everything, print what would be deployed; upload nothing. "
    "Needs neither the Firebase CLI, credentials nor a project.",
)
@click.option("--no-backfill", is_flag=True, help="Skip `boiler backfill --changed` afterwards.")
@click.option(
    "--keep-bundle",
    is_flag=True,
    help="Leave boiler's wheel in FUNCTIONS/wheels/ (for firebase deploy or emulators by hand).",
)
def deploy(
    manifest_path: Path, project: str | None, dry_run: bool, no_backfill: bool, keep_bundle: bool
) -> None:
    """Deploy the functions, Firestore rules and indexes, then backfill changed views.

    Runs in the app folder (views.yaml and firebase.json); only boiler's functions codebase of
    firebase.json (the one whose source is views.yaml's functions_dir) is deployed.

    \b
    Environment: PROJECT (instead of --project); GOOGLE_APPLICATION_CREDENTIALS (a credential
    file of a deploying service account, outside the functions folder); FIREBASE (the Firebase
    CLI, default firebase); PYTHON (the runtime's Python, default python3.X of firebase.json).
    Exit codes: 0 done; 1 a check, the bundle, the deploy or the backfill failed; 2 usage or
    preflight problem. Guide: docs/deploy.md.
    """
    # boiler check imports the app's modules from the functions folder: leave no __pycache__
    # in what is about to be uploaded (an entry point may set its own process's flags)
    sys.dont_write_bytecode = True
    env = dict(os.environ)
    found = preflight(manifest_path, env, project=project, dry_run=dry_run)
    if found.problems or found.config is None or found.python is None:
        for problem in found.problems:
            _error(problem)
        count = len(found.problems)
        click.echo(
            f"boiler deploy: {count} problem(s); nothing was checked, built or deployed "
            "(boiler deploy --help)",
            err=True,
        )
        raise SystemExit(EXIT_USAGE)
    config = found.config
    _checks(manifest_path)
    manifest = load_or_exit(manifest_path)
    functions_dir = config.functions_dir.absolute()
    wheel: Wheel | None = None
    try:
        wheel = _step(
            f"boiler's wheel into {config.functions.source}/{WHEELS_DIR}/",
            lambda: build_wheel(functions_dir / WHEELS_DIR),
        )
        click.echo(f"{wheel.path.name}: {wheel.files} files, sha256 {wheel.sha256[:12]}")
        plan = _bundle(manifest_path, manifest, config, found, wheel, env)
        if dry_run:
            _dry_run(plan, found, backfill=not no_backfill, keep_bundle=keep_bundle)
            return
        click.echo(render_plan(plan), nl=False)
        _firebase_deploy(found, config, env)
    finally:
        if wheel is not None and not keep_bundle:
            remove_wheel(wheel.path)
    assert found.project is not None
    if no_backfill:
        click.echo(
            "boiler deploy: backfill skipped (--no-backfill): run 'boiler backfill --changed "
            f"--project {found.project}' before relying on new or changed views",
            err=True,
        )
    else:
        _backfill(manifest_path, found, env)
    click.echo(f"\n==> deployed to {found.project}")


def _checks(manifest_path: Path) -> None:
    """``boiler check`` and ``boiler generate --check``, in this process."""
    ctx = click.get_current_context()
    click.echo("\n==> boiler check")
    if _invoke(ctx, check, manifest_path=manifest_path) != 0:
        _fail("views.yaml has problems (above); fix them and run boiler deploy again")
    click.echo("\n==> boiler generate --check")
    if _invoke(ctx, generate, manifest_path=manifest_path, check_only=True) != 0:
        _fail(
            "the generated files are stale: run 'boiler generate', review and commit, then deploy"
        )


def _invoke(ctx: click.Context, command: click.Command, **params: object) -> int:
    """Run another boiler command here; its exit code."""
    try:
        ctx.invoke(command, **params)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_FAILED
    return 0


def _bundle(
    manifest_path: Path,
    manifest: Manifest,
    config: FirebaseConfig,
    found: Preflight,
    wheel: Wheel,
    env: Mapping[str, str],
) -> Plan:
    """The functions venv, discovery as firebase deploy does it, the checks; the plan."""
    assert found.python is not None
    source = config.functions.source
    functions_dir = config.functions_dir.absolute()
    requirements = functions_dir / "requirements.txt"
    if not requirements.is_file():
        _fail(f"no {source}/requirements.txt: run 'boiler generate'")
    venv_env = {k: v for k, v in env.items() if k not in _HIDDEN_FROM_FUNCTIONS}
    venv_source = VenvSource(
        python=found.python,
        python_version=found.python_version,
        requirements=requirements,
        wheel=wheel.path,
        wheel_sha256=wheel.sha256,
    )
    done = _step(
        f"{source}/venv with {found.python} (Python {found.python_version}) from "
        f"{source}/requirements.txt",
        lambda: ensure_venv(functions_dir / "venv", venv_source, venv_env),
    )
    click.echo(done)
    target = found.project or manifest.project.emulator_project_id
    discovery_env = {
        **venv_env,
        "GCLOUD_PROJECT": target,
        "FIREBASE_CONFIG": json.dumps({"projectId": target}),
        # the upload is computed after discovery: leave no __pycache__ in it
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    python = functions_dir / "venv" / "bin" / "python"
    spec = _step(
        "bundle: the functions read as firebase deploy reads them",
        lambda: discover_functions(functions_dir, python, env=discovery_env),
    )
    found_endpoints = endpoints(spec)
    upload = upload_files(functions_dir, config.functions.ignore)
    wheel_path = wheel.path.relative_to(functions_dir).as_posix()
    problems = check_bundle(manifest, found_endpoints)
    problems += upload_problems(
        functions_dir, source, upload, wheel_path, manifest.project.data_files
    )
    dotenv_dir = config.dotenv_dir.absolute()
    checked = [f.path for f in upload.files] if dotenv_dir == functions_dir else []
    shown = config.functions.config_dir or source
    problems += dotenv_problems(dotenv_dir, shown, checked)
    texts = {}
    for name in (config.rules, config.indexes):
        if name is not None:
            try:
                texts[name] = (config.root / name).read_text(encoding="utf-8")
            except OSError as exc:
                problems.append(f"{name}: cannot be read ({exc}); run `boiler generate`")
    if problems:
        click.echo(upload_summary(upload, wheel_path))
        for problem in problems:
            _error(problem)
        _fail("the bundle is not fit to deploy (problems above)")
    click.echo(f"functions read with {python}; upload checked")
    return Plan(
        config=config,
        manifest=manifest,
        endpoints=found_endpoints,
        upload=upload,
        rules_text=texts.get(config.rules or ""),
        indexes_text=texts.get(config.indexes or ""),
        project=found.project,
        wheel=wheel_path,
    )


def _dry_run(plan: Plan, found: Preflight, *, backfill: bool, keep_bundle: bool) -> None:
    click.echo("\n==> dry run: nothing uploaded, nothing backfilled; the deploy would run")
    click.echo(render_plan(plan), nl=False)
    if backfill:
        click.echo(f"then: boiler backfill --changed --project {found.project or 'PROJECT'}")
    if found.firebase_version is not None:
        click.echo(f"Firebase CLI: {found.firebase} {found.firebase_version}")
    else:
        click.echo(
            "Firebase CLI: not found or not running (a deploy needs it: npm install -g "
            "firebase-tools)"
        )
    if keep_bundle:
        source = plan.config.functions.source
        click.echo(f"bundle kept: {source}/{plan.wheel} and {source}/venv (--keep-bundle)")


def _firebase_deploy(found: Preflight, config: FirebaseConfig, env: Mapping[str, str]) -> None:
    assert found.firebase is not None
    assert found.project is not None
    click.echo(f"\n==> firebase deploy to {found.project} (Firebase CLI {found.firebase_version})")
    argv = [
        found.firebase,
        "deploy",
        "--only",
        deploy_targets(config.functions.codebase),
        "--project",
        found.project,
        "--non-interactive",
        "--force",
    ]
    code = _run(argv, production_env(env, found.credentials), cwd=config.root)
    if code != 0:
        _fail(
            f"firebase deploy failed (its output above, exit code {code}); nothing was backfilled"
        )


def _backfill(manifest_path: Path, found: Preflight, env: Mapping[str, str]) -> None:
    assert found.project is not None
    click.echo(f"\n==> boiler backfill --changed (production Firestore of {found.project})")
    argv = [
        sys.executable,
        "-m",
        "boiler_core",
        "backfill",
        "--changed",
        "--project",
        found.project,
        "--file",
        str(manifest_path),
    ]
    if _run(argv, production_env(env, found.credentials)) != 0:
        _fail(
            "deployed, but the backfill failed (above); continue it with 'boiler backfill "
            f"--resume --project {found.project}', or check with 'boiler verify --project "
            f"{found.project}'"
        )


def production_env(env: Mapping[str, str], credentials: Path | None) -> dict[str, str]:
    """``env`` for commands that reach production: no emulator variable, the credential file as
    an absolute path."""
    result = {k: v for k, v in env.items() if k not in EMULATOR_VARIABLES}
    if credentials is not None:
        result["GOOGLE_APPLICATION_CREDENTIALS"] = str(credentials)
    return result


def _run(argv: list[str], env: Mapping[str, str], cwd: Path | None = None) -> int:
    sys.stdout.flush()
    try:
        return subprocess.run(argv, env=dict(env), cwd=cwd, check=False).returncode
    except OSError as exc:
        _error(f"cannot run {argv[0]}: {exc}")
        return EXIT_FAILED


def _step(title: str, action: Callable[[], T]) -> T:
    """Print the step's title, run it; exit 1 with its problems when it raises DeployError."""
    click.echo(f"\n==> {title}")
    try:
        return action()
    except DeployError as exc:
        for problem in exc.problems:
            _error(problem)
        _fail(f"{title.split(':')[0]}: failed (above)")


def _error(message: str) -> None:
    click.echo(f"boiler deploy: error: {message}", err=True)


def _fail(message: str) -> NoReturn:
    _error(message)
    raise SystemExit(EXIT_FAILED)
