"""`boiler init`: a new app from the installed package, or boiler added to a Firebase project
without overwriting anything of the project's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import boiler_core
from boiler_core import __version__
from boiler_core.cli import main
from boiler_core.codegen.header import HEADER
from boiler_core.codegen.placement import BEGIN, END
from boiler_core.manifest.json_schema import MODELINE, schema_text
from boiler_core.scaffold.plan import project_id_for
from boiler_core.testing.app import App

STARTER_FILES = {
    ".github/workflows/boiler.yml",
    ".gitignore",
    "README.md",
    "demo.yaml",
    "deploy.sh",
    "firebase.json",
    "firestore.indexes.json",
    "firestore.rules",
    "functions/app/__init__.py",
    "functions/app/hooks.py",
    "functions/app/mutations.py",
    "functions/app/schemas.py",
    "functions/main.py",
    "functions/openapi.json",
    "functions/requirements.txt",
    "seed.yaml",
    "tests/test_app.py",
    "views.schema.json",
    "views.yaml",
}

# What `firebase init` (Firestore and Python functions) leaves in a folder.
FIREBASE_INIT = {
    ".firebaserc": '{"projects": {"default": "acme-prod"}}\n',
    ".gitignore": "*.log\nnode_modules/\nvenv/\n",
    "firebase.json": json.dumps(
        {
            "firestore": {
                "database": "(default)",
                "location": "nam5",
                "rules": "firestore.rules",
                "indexes": "firestore.indexes.json",
            },
            "functions": [
                {
                    "source": "functions",
                    "codebase": "default",
                    "ignore": ["venv", ".git", "firebase-debug.log", "*.local"],
                }
            ],
        },
        indent=2,
    ),
    "firestore.rules": (
        "rules_version = '2';\n\n"
        "service cloud.firestore {\n"
        "  match /databases/{database}/documents {\n"
        "    match /{document=**} {\n"
        "      allow read, write: if request.time < timestamp.date(2027, 1, 7);\n"
        "    }\n"
        "  }\n"
        "}\n"
    ),
    "firestore.indexes.json": '{\n  "indexes": [],\n  "fieldOverrides": []\n}\n',
    "functions/main.py": (
        "from firebase_functions import https_fn\n\n\n"
        "@https_fn.on_request()\n"
        "def on_request_example(req):\n"
        '    return https_fn.Response("Hello world!")\n'
    ),
    "functions/requirements.txt": "firebase_functions~=0.1.0\n",
}


def run_init(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["init", *args])
    return result.exit_code, result.output


def files_in(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): path.read_text()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def firebase_project(root: Path) -> Path:
    for relative, text in FIREBASE_INIT.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


def test_init_creates_the_starter_app_and_generates_its_files(tmp_path: Path) -> None:
    root = tmp_path / "Task Board"
    code, output = run_init(str(root))
    assert code == 0, output
    assert set(files_in(root)) == STARTER_FILES
    assert "created          views.yaml" in output
    assert "wrote            functions/main.py   (boiler generate)" in output
    assert "boiler dev --seed seed.yaml" in output
    views = (root / "views.yaml").read_text()
    assert views.startswith(MODELINE + "\n")
    assert "emulator_project_id: demo-task-board" in views
    assert "@@" not in "".join(files_in(root).values())
    assert (root / "views.schema.json").read_text() == schema_text()
    assert (root / "deploy.sh").stat().st_mode & 0o111
    workflow = (root / ".github" / "workflows" / "boiler.yml").read_text()
    assert f"boiler-core[testing]=={__version__}" in workflow
    config = json.loads((root / "firebase.json").read_text())
    assert config["functions"][0]["source"] == "functions"
    assert config["firestore"] == {"rules": "firestore.rules", "indexes": "firestore.indexes.json"}
    assert config["emulators"]["firestore"] == {"host": "127.0.0.1", "port": 8080}


def test_the_starter_app_passes_its_own_tests(tmp_path: Path) -> None:
    assert run_init(str(tmp_path / "starter"))[0] == 0
    app = App(tmp_path / "starter" / "views.yaml")
    app.check()
    app.check_generated()
    app.converge_in_memory(examples=15)


def test_init_again_changes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "app"
    assert run_init(str(root))[0] == 0
    before = files_in(root)
    code, output = run_init(str(root))
    assert code == 0, output
    assert files_in(root) == before
    assert "created" not in output


def test_init_refuses_every_file_it_would_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "views.yaml").write_text("# mine\n")
    (root / "seed.yaml").write_text("# mine too\n")
    code, output = run_init(str(root))
    assert code == 1
    assert "refused: seed.yaml exists with other content" in output
    assert "refused: views.yaml exists with other content" in output
    assert "--force" in output
    assert "nothing was written" in output
    assert files_in(root) == {"views.yaml": "# mine\n", "seed.yaml": "# mine too\n"}
    code, output = run_init(str(root), "--force")
    assert code == 0, output
    assert "replaced         views.yaml" in output
    assert (root / "views.yaml").read_text().startswith(MODELINE)


def test_init_in_a_firebase_project_merges_and_overwrites_nothing(tmp_path: Path) -> None:
    root = firebase_project(tmp_path / "acme")
    code, output = run_init(str(root))
    assert code == 0, output
    assert "add boiler to the Firebase project in" in output
    files = files_in(root)
    for relative in ("functions/main.py", "functions/requirements.txt", ".firebaserc"):
        assert files[relative] == FIREBASE_INIT[relative], relative  # the project's, untouched
    assert "boiler/main.py" in files
    assert files["boiler/main.py"].startswith(HEADER)
    assert "functions_dir: boiler" in files["views.yaml"]
    config = json.loads(files["firebase.json"])
    assert config["functions"][0] == json.loads(FIREBASE_INIT["firebase.json"])["functions"][0]
    assert config["functions"][1]["source"] == "boiler"
    assert config["functions"][1]["codebase"] == "boiler"
    assert config["firestore"]["location"] == "nam5"
    assert "emulators" in config
    assert "merged           firebase.json: added functions codebase 'boiler'" in output
    rules = files["firestore.rules"]
    assert "timestamp.date(2027, 1, 7)" in rules  # the project's own rule stays
    assert f"    {BEGIN}\n" in rules
    assert f"    {END}\n" in rules
    assert "match /project_boards/{project} {" in rules
    assert "merged boiler's part into firestore.rules   (boiler generate)" in output
    assert files[".gitignore"].startswith(FIREBASE_INIT[".gitignore"])
    assert "boiler/venv/" in files[".gitignore"]
    lines = files[".gitignore"].splitlines()
    assert lines.count("venv/") == 1  # the project's own line, not added twice
    indexes = json.loads(files["firestore.indexes.json"])
    groups = [override["collectionGroup"] for override in indexes["fieldOverrides"]]
    assert groups == ["_boiler_pending"]  # boiler's override merged into the project's file
    App(root / "views.yaml").check_generated()


def test_a_rules_file_boiler_cannot_place_its_block_in_is_refused(tmp_path: Path) -> None:
    root = firebase_project(tmp_path / "acme")
    (root / "firestore.rules").write_text("// rules live elsewhere\n")
    code, output = run_init(str(root))
    assert code == 1
    assert "refused: firestore.rules: boiler cannot find" in output
    assert not (root / "views.yaml").exists()


def test_dry_run_says_what_it_would_do_and_writes_nothing(tmp_path: Path) -> None:
    root = firebase_project(tmp_path / "acme")
    before = files_in(root)
    code, output = run_init(str(root), "--dry-run")
    assert code == 0, output
    assert "would add boiler to the Firebase project in" in output
    assert "would merge" in output
    assert "firebase.json: added functions codebase 'boiler'" in output
    assert "nothing was written" in output
    assert files_in(root) == before


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Task Board", "demo-task-board"), ("x" * 40, "demo-" + "x" * 25), ("__", "demo-app")],
)
def test_the_emulator_project_id_comes_from_the_folder_name(name: str, expected: str) -> None:
    assert project_id_for(name) == expected


def test_a_project_id_that_could_reach_a_real_project_is_refused(tmp_path: Path) -> None:
    code, output = run_init(str(tmp_path / "app"), "--project-id", "acme-prod")
    assert code == 2
    assert "does not start with demo-" in output


def test_the_repository_app_is_tested_by_the_tests_init_writes() -> None:
    starter = Path(boiler_core.__file__).parent / "templates" / "starter" / "tests" / "test_app.py"
    repository = Path(__file__).resolve().parents[1] / "app" / "test_app.py"
    assert repository.read_text() == starter.read_text()


def test_the_repository_deploys_with_the_deploy_sh_init_writes() -> None:
    starter = Path(boiler_core.__file__).parent / "templates" / "starter" / "deploy.sh"
    repository = Path(__file__).resolve().parents[2] / "deploy.sh"
    assert repository.read_text() == starter.read_text()


def test_the_apps_workflow_checks_generates_and_tests_then_deploys_main(tmp_path: Path) -> None:
    assert run_init(str(tmp_path / "app"))[0] == 0
    workflow = yaml.safe_load(
        (tmp_path / "app" / ".github" / "workflows" / "boiler.yml").read_text()
    )
    runs = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert "boiler check" in runs
    assert "boiler generate --check" in runs
    assert "python -m pytest tests" in runs
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "test"
    assert deploy["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert './deploy.sh --project "$PROJECT"' in [s.get("run") for s in deploy["steps"]]
