"""The bundle steps of ``boiler deploy``: firebase.json and boiler's codebase in it, the upload,
discovery as firebase deploy does it, the checks against views.yaml and the plan."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from meeting_room_app import APP_DIR, VIEWS_YAML

from boiler_core.codegen import render_all
from boiler_core.codegen.names import trigger_names
from boiler_core.deploy import (
    DeployError,
    DiscoveryFailed,
    check_bundle,
    discover_functions,
    endpoints,
    load_firebase_config,
    python_for_runtime,
    upload_files,
)
from boiler_core.deploy.bundle import Upload, UploadFile, upload_problems
from boiler_core.deploy.config import DEFAULT_IGNORE, FirebaseConfig
from boiler_core.deploy.plan import Plan, deploy_targets, render_plan
from boiler_core.deploy.shipping import Allowed, refused
from boiler_core.manifest import Manifest, load_manifest

HERE = Path(__file__).resolve().parent
WRITTEN = "google.cloud.firestore.document.v1.written"


def firebase_json(root: Path, **functions: Any) -> Path:
    entry = {"source": "functions", "runtime": "python312", "ignore": ["venv", "__pycache__"]}
    entry.update(functions)
    config = {
        "functions": [entry],
        "firestore": {"rules": "firestore.rules", "indexes": "firestore.indexes.json"},
    }
    path = root / "firebase.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    """The library test app generated into a folder with a firebase.json, as a project root."""
    root = tmp_path_factory.mktemp("library")
    shutil.copytree(HERE / "data" / "library", root, dirs_exist_ok=True)
    manifest = load_manifest(root / "views.yaml")
    for relative, content in render_all(manifest).items():
        (root / relative).write_text(content, encoding="utf-8")
    firebase_json(root)
    return root, manifest


def discovery_env() -> dict[str, str]:
    hidden = {"FIRESTORE_EMULATOR_HOST", "PYTHONPATH", "GOOGLE_APPLICATION_CREDENTIALS"}
    return {k: v for k, v in os.environ.items() if k not in hidden}


def spec(manifest: Manifest, **overrides: dict[str, Any]) -> dict[str, Any]:
    """The functions manifest ``boiler generate`` implies for ``manifest``, with some endpoints
    changed (merged into) or removed (an empty dict)."""
    region = [manifest.project.region]
    found: dict[str, Any] = {
        "api": {"entryPoint": "api", "platform": "gcfv2", "region": region, "httpsTrigger": {}}
    }
    for collection, name in trigger_names(manifest.source_collections()).items():
        found[name] = {
            "entryPoint": name,
            "platform": "gcfv2",
            "region": region,
            "eventTrigger": {
                "eventType": WRITTEN,
                "eventFilterPathPatterns": {"document": manifest.source_path(collection).text},
                "retry": False,
            },
        }
    for name, override in overrides.items():
        if override:
            found[name] = {**found.get(name, {}), **override}
        else:
            found.pop(name)
    return {"endpoints": found}


def function_names(manifest: Manifest) -> list[str]:
    operations = ["boilerBackstop", "boilerRetry"]  # the scheduled backstop, the retry function
    return sorted(["api", *operations, *trigger_names(manifest.source_collections()).values()])


# ---- firebase.json ------------------------------------------------------------------------


def test_the_repos_firebase_json_pins_the_runtime_and_keeps_venv_and_keys_out(
    tmp_path: Path,
) -> None:
    config = load_firebase_config(APP_DIR / "firebase.json")
    assert config.functions.source == "functions"
    assert config.functions.runtime == load_manifest(VIEWS_YAML).project.runtime
    assert (config.rules, config.indexes) == ("firestore.rules", "firestore.indexes.json")
    names = [
        "venv/bin/python",
        "__pycache__/main.cpython-311.pyc",
        "server.pem",
        "tls.key",
        "cert.p12",
        "deployer-service-account.json",
        "serviceAccountKey.json",
        "application_default_credentials.json",
        "gha-creds-1f2e.json",
        ".env.local",
        "firebase-debug.log",
    ]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / "main.py").write_text("x")
    upload = upload_files(tmp_path, config.functions.ignore)
    assert [f.path for f in upload.files] == ["main.py"]


def test_firebase_json_problems_are_listed_together(tmp_path: Path) -> None:
    path = tmp_path / "firebase.json"
    path.write_text(json.dumps({"functions": [{"source": "functions", "runtime": "nodejs20"}]}))
    with pytest.raises(DeployError) as raised:
        load_firebase_config(path)
    problems = "\n".join(raised.value.problems)
    assert "runtime 'nodejs20' is not a Python runtime" in problems
    assert 'no "firestore" section' in problems


def write_codebases(root: Path, *entries: dict[str, Any]) -> Path:
    path = root / "firebase.json"
    firestore = {"rules": "firestore.rules", "indexes": "firestore.indexes.json"}
    path.write_text(json.dumps({"functions": list(entries), "firestore": firestore}))
    return path


def test_boilers_codebase_is_the_one_whose_source_is_the_functions_dir(tmp_path: Path) -> None:
    path = write_codebases(
        tmp_path,
        {"source": "functions", "codebase": "app", "runtime": "nodejs22"},
        {"source": "./boiler-functions/", "codebase": "boiler", "runtime": "python313"},
    )
    config = load_firebase_config(path, functions_dir="boiler-functions")
    assert config.functions.source == "boiler-functions"
    assert config.functions.codebase == "boiler"
    assert config.functions.runtime == "python313"
    assert config.functions.other_codebases == ("app",)
    assert config.functions_dir == tmp_path / "boiler-functions"


def test_no_codebase_for_the_functions_dir_names_the_file_and_the_entry_to_add(
    tmp_path: Path,
) -> None:
    path = write_codebases(tmp_path, {"source": "functions", "runtime": "nodejs22"})
    with pytest.raises(DeployError) as raised:
        load_firebase_config(path, functions_dir="boiler", runtime="python312")
    [problem] = raised.value.problems
    assert problem.startswith(f'{path}: no functions codebase has "source": "boiler"')
    assert "sources listed: 'functions'" in problem
    assert '"source": "boiler", "codebase": "boiler", "runtime": "python312"' in problem


def test_two_codebases_with_the_functions_dir_as_source_are_refused(tmp_path: Path) -> None:
    entry = {"source": "functions", "runtime": "python311"}
    path = write_codebases(tmp_path, entry, {**entry, "codebase": "other"})
    with pytest.raises(DeployError, match='2 functions codebases have "source": "functions"'):
        load_firebase_config(path)


def test_an_invalid_codebase_name_is_refused(tmp_path: Path) -> None:
    path = write_codebases(
        tmp_path, {"source": "functions", "runtime": "python311", "codebase": "My App"}
    )
    with pytest.raises(DeployError, match="codebase 'My App' is not a codebase name"):
        load_firebase_config(path)


@pytest.mark.parametrize(
    ("codebase", "only"), [("default", "functions:default"), ("boiler", "functions:boiler")]
)
def test_a_deploy_names_boilers_codebase_only(codebase: str, only: str) -> None:
    assert deploy_targets(codebase) == f"{only},firestore:rules,firestore:indexes"


@pytest.mark.parametrize(
    ("runtime", "python"), [("python311", "python3.11"), ("python313", "python3.13")]
)
def test_the_runtime_names_the_python_firebase_deploy_runs(runtime: str, python: str) -> None:
    assert python_for_runtime(runtime) == python


# ---- the upload ----------------------------------------------------------------------------


def test_ignored_folders_are_not_entered_and_globs_match_names_anywhere(tmp_path: Path) -> None:
    for name in ["main.py", "venv/lib/x.py", "pkg/venv/y.py", "pkg/a.pyc", "pkg/mod.py", ".hidden"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("12345")
    upload = upload_files(tmp_path, ["venv", "*.pyc"])
    assert [f.path for f in upload.files] == [".hidden", "main.py", "pkg/mod.py"]
    assert upload.left_out == ("pkg/a.pyc", "pkg/venv/", "venv/")
    assert upload.size == 15


def test_a_glob_with_a_slash_matches_the_whole_path(tmp_path: Path) -> None:
    for name in ["docs/a.md", "docs/deep/b.md", "keep.md"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    upload = upload_files(tmp_path, [f"{tmp_path.resolve()}/docs/*.md"])
    assert [f.path for f in upload.files] == ["docs/deep/b.md", "keep.md"]


def test_files_named_like_keys_are_refused_as_such_whatever_their_case() -> None:
    problems = refused("functions", ["Key.PEM", "my-Service-Account.json", "main.py"], Allowed(""))
    assert problems == [
        f"functions/{name} would be uploaded: it is named like a key or credential file, which "
        f'never ships; move it out of functions/ (or add "{name}" to firebase.json\'s ignore)'
        for name in ("Key.PEM", "my-Service-Account.json")
    ]


def test_the_upload_is_refused_with_a_key_file_a_stale_copy_or_without_the_wheel(
    tmp_path: Path,
) -> None:
    for name in ["main.py", "requirements.txt", "boiler_core/__init__.py", "deployer-key.pem"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    upload = upload_files(tmp_path, ["venv"])
    wheel = "wheels/boiler_core-1.0-py3-none-any.whl"
    problems = upload_problems(tmp_path, "functions", upload, wheel)
    assert len(problems) == 3
    assert "functions/deployer-key.pem would be uploaded: it is named like a key" in problems[0]
    assert "functions/boiler_core/ would be uploaded: a copy of boiler's source" in problems[1]
    assert problems[2].startswith(
        "functions/wheels/boiler_core-1.0-py3-none-any.whl would not be uploaded "
        "(firebase.json's ignore leaves it out), so Cloud Build could not install boiler"
    )


def test_an_ignore_glob_that_leaves_out_the_wheel_is_refused(tmp_path: Path) -> None:
    for name in ["main.py", "requirements.txt", "wheels/boiler_core-1.0-py3-none-any.whl"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    wheel = "wheels/boiler_core-1.0-py3-none-any.whl"
    assert upload_problems(tmp_path, "functions", upload_files(tmp_path, ["venv"]), wheel) == []
    [problem] = upload_problems(tmp_path, "functions", upload_files(tmp_path, ["*.whl"]), wheel)
    assert "remove the glob that matches it" in problem


def test_a_codebase_without_ignore_leaves_out_what_firebase_tools_leaves_out(
    tmp_path: Path,
) -> None:
    (tmp_path / "functions").mkdir()
    config = load_firebase_config(
        write_codebases(tmp_path, {"source": "functions", "runtime": "python311"})
    )
    assert config.functions.ignore == DEFAULT_IGNORE == ("node_modules", ".git")
    for name in ["main.py", ".git/config", "node_modules/x/index.js", "a/.git/HEAD"]:
        (tmp_path / "functions" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "functions" / name).write_text("x")
    upload = upload_files(tmp_path / "functions", config.functions.ignore)
    assert [f.path for f in upload.files] == ["main.py"]
    assert upload.left_out == (".git/", "a/.git/", "node_modules/")


# ---- discovery, as firebase deploy does it ---------------------------------------------------


def test_discovery_reads_every_generated_function_through_serving_py(
    library: tuple[Path, Manifest],
) -> None:
    root, manifest = library
    spec = discover_functions(root / "functions", Path(sys.executable), env=discovery_env())
    found = endpoints(spec)
    assert [e.id for e in found] == function_names(manifest)
    assert check_bundle(manifest, found) == []
    loans = next(e for e in found if e.id == "on_book_loans_written")
    assert (loans.event_type, loans.document, loans.retry) == (WRITTEN, "book-loans/{loan}", False)


def test_a_main_py_that_cannot_be_imported_fails_discovery_with_its_error(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text("import no_such_module_for_boiler\n")
    with pytest.raises(DiscoveryFailed, match="no_such_module_for_boiler"):
        discover_functions(tmp_path, Path(sys.executable), env=discovery_env(), timeout=30)


def test_a_static_functions_yaml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "functions.yaml").write_text("endpoints: {}\n")
    with pytest.raises(DiscoveryFailed, match="firebase deploy would read it instead"):
        discover_functions(tmp_path, Path(sys.executable), env=discovery_env())


def test_a_python_without_the_sdk_is_named(tmp_path: Path) -> None:
    python = tmp_path / "python"
    python.write_text("#!/bin/sh\necho \"No module named 'firebase_functions'\" >&2\nexit 1\n")
    python.chmod(0o755)
    (tmp_path / "main.py").write_text("")
    with pytest.raises(DiscoveryFailed, match="cannot import firebase_functions"):
        discover_functions(tmp_path, python, env=discovery_env())


# ---- checks against views.yaml ---------------------------------------------------------------


@pytest.fixture
def config_and_manifest(library: tuple[Path, Manifest]) -> tuple[FirebaseConfig, Manifest]:
    root, manifest = library
    return load_firebase_config(root / "firebase.json"), manifest


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"on_shelves_written": {}}, "function on_shelves_written is missing"),
        ({"api": {}}, "function api is missing"),
        (
            {
                "on_stray_written": {
                    "entryPoint": "on_stray_written",
                    "platform": "gcfv2",
                    "region": ["europe-west1"],
                    "eventTrigger": {"eventType": WRITTEN},
                }
            },
            "function on_stray_written is not generated from views.yaml",
        ),
        (
            {"on_books_written": {"region": ["us-central1"]}},
            "region ['us-central1'], views.yaml says 'europe-west1'",
        ),
        (
            {
                "on_books_written": {
                    "eventTrigger": {
                        "eventType": WRITTEN,
                        "eventFilterPathPatterns": {"document": "books/{id}/x/{y}"},
                    }
                }
            },
            "expected google.cloud.firestore.document.v1.written books/{book}",
        ),
        ({"on_books_written": {"entryPoint": "handler"}}, "entry point 'handler' is not its name"),
        (
            {"api": {"eventTrigger": {"eventType": WRITTEN}}},
            "function api: expected an HTTPS function",
        ),
    ],
)
def test_discovered_functions_that_differ_from_views_yaml_are_named(
    config_and_manifest: tuple[FirebaseConfig, Manifest],
    overrides: dict[str, dict[str, Any]],
    expected: str,
) -> None:
    _, manifest = config_and_manifest
    problems = check_bundle(manifest, endpoints(spec(manifest, **overrides)))
    assert any(expected in problem for problem in problems), problems


def test_the_plan_lists_functions_upload_rules_and_indexes(
    config_and_manifest: tuple[FirebaseConfig, Manifest],
) -> None:
    config, manifest = config_and_manifest
    indexes = {
        "indexes": [
            {
                "collectionGroup": "loans",
                "queryScope": "COLLECTION",
                "fields": [
                    {"fieldPath": "member", "order": "ASCENDING"},
                    {"fieldPath": "due", "order": "DESCENDING"},
                ],
            }
        ],
        "fieldOverrides": [],
    }
    rules = "service cloud.firestore {\n  match /databases/{db}/documents {\n"
    rules += "    match /shelves/{shelf} {\n      allow read: if true;\n    }\n  }\n}\n"
    wheel = "wheels/boiler_core-1.0-py3-none-any.whl"
    plan = Plan(
        config=config,
        manifest=manifest,
        endpoints=endpoints(spec(manifest)),
        upload=Upload((UploadFile("main.py", 2048), UploadFile(wheel, 1024)), ("venv/",)),
        rules_text=rules,
        indexes_text=json.dumps(indexes),
        project=None,
        wheel=wheel,
    )
    text = render_plan(plan)
    assert text.splitlines()[0] == (
        "firebase deploy --only functions:default,firestore:rules,firestore:indexes "
        "--project PROJECT --non-interactive --force"
    )
    assert "  api                    europe-west1  HTTPS    " in text
    assert f"upload: 2 files, 3 KiB (boiler: {wheel}, 1 KiB)" in text
    assert "left out by firebase.json's ignore: venv/" in text
    assert "firestore rules: firestore.rules, 7 lines" in text
    assert "\n  match /shelves/{shelf}\n" in text
    assert (
        "1 composite, 0 field overrides\n  loans (COLLECTION): member ASCENDING, due DESCENDING"
        in text
    )
