"""What boiler's functions folder ships: the allow-list (boiler_core/deploy/shipping.py),
views.yaml's ``project.data_files`` (read, checked by ``boiler check``), and ``boiler deploy
--dry-run`` run for real on a copy of the meeting-room app whose hooks read a CSV file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from deploy_fakes import DeployApp, deploy_app, errors
from meeting_room_app import APP_DIR, VIEWS_YAML, generated_project

from boiler_core.cli import main
from boiler_core.codegen.embed import manifest_text
from boiler_core.deploy.bundle import upload_files, upload_problems
from boiler_core.deploy.shipping import Allowed, data_file_pattern, refused
from boiler_core.errors import ManifestError
from boiler_core.manifest import load_manifest_text

WHEEL = "wheels/boiler_core-1.0-py3-none-any.whl"
TEXT = VIEWS_YAML.read_text(encoding="utf-8")


def with_data_files(*lines: str) -> str:
    """The app's views.yaml with ``project.data_files`` holding ``lines``."""
    listed = "".join(f"\n    - '{line}'" for line in lines)
    return TEXT.replace(
        "functions_dir: functions", f"functions_dir: functions\n  data_files:{listed}"
    )


# ---- the allow-list ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("main.py", "generated"),
        ("requirements.txt", "generated"),
        ("openapi.json", "generated"),
        (WHEEL, "boiler's wheel"),
        ("meeting_room/hooks.py", "Python source"),
        ("helpers.py", "Python source"),
        ("lib/deep/module.py", "Python source"),
        (".gitignore", "firebase init"),
        ("app/data/rooms.csv", "data file"),
        ("app/templates/mail/welcome.html", "data file"),
        ("app/prices.json", "data file"),
        ("wheels/boiler_core-0.9-py3-none-any.whl", None),
        ("app/notes.txt", None),
        ("README.md", None),
        ("app/__pycache__/hooks.cpython-311.pyc", None),
        ("certs/client.p12", None),
        ("app/data/signing.jks", None),
    ],
)
def test_what_ships_and_why(path: str, reason: str | None) -> None:
    allowed = Allowed(WHEEL, ("app/data", "app/templates/**/*.html", "**/prices.json", "certs"))
    assert allowed.reason(path) == reason


@pytest.mark.parametrize(
    ("glob", "matches", "misses"),
    [
        ("app/rooms.csv", ["app/rooms.csv"], ["rooms.csv", "app/rooms.csv.bak", "x/app/rooms.csv"]),
        ("app/*.csv", ["app/a.csv"], ["app/data/a.csv", "a.csv"]),
        ("**/*.csv", ["a.csv", "app/a.csv", "app/data/a.csv"], ["a.csvx"]),
        ("app/**", ["app/a", "app/b/c"], ["apps/a"]),
        ("app/?.csv", ["app/a.csv"], ["app/ab.csv"]),
        ("app/[ab].csv", ["app/a.csv", "app/b.csv"], ["app/c.csv"]),
        ("app/[!ab].csv", ["app/c.csv"], ["app/a.csv"]),
    ],
)
def test_data_file_globs(glob: str, matches: list[str], misses: list[str]) -> None:
    pattern = data_file_pattern(glob)
    assert [m for m in matches if not pattern.fullmatch(m)] == []
    assert [m for m in misses if pattern.fullmatch(m)] == []


def test_a_file_off_the_list_is_refused_with_the_glob_that_leaves_it_out() -> None:
    problems = refused("functions", ["main.py", "NOTES.md", "app/notes.txt"], Allowed(WHEEL))
    assert problems == [
        "functions/NOTES.md would be uploaded, but the functions do not need it: add "
        '"NOTES.md" to firebase.json\'s ignore, or, if the functions read it, list it in '
        "views.yaml's project.data_files",
        "functions/app/notes.txt would be uploaded, but the functions do not need it: add "
        '"**/app/notes.txt" to firebase.json\'s ignore, or, if the functions read it, list it in '
        "views.yaml's project.data_files",
    ]


def test_the_globs_the_refusals_suggest_leave_the_files_out(tmp_path: Path) -> None:
    for name in ["main.py", "NOTES.md", "app/notes.txt", "app/hooks.py"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    upload = upload_files(tmp_path, ["NOTES.md", "**/app/notes.txt"])
    assert [f.path for f in upload.files] == ["app/hooks.py", "main.py"]


def test_caches_and_folders_of_many_files_are_one_line_each() -> None:
    paths = [
        "main.py",
        "app/hooks.py",
        "app/__pycache__/hooks.cpython-311.pyc",
        "__pycache__/main.cpython-311.pyc",
        *(f".git/objects/{i:02x}" for i in range(40)),
        "docs/a.md",
    ]
    assert refused("functions", paths, Allowed(WHEEL)) == [
        "functions/: 2 bytecode files in __pycache__ folders would be uploaded "
        "(app/__pycache__/hooks.cpython-311.pyc, __pycache__/main.cpython-311.pyc): add "
        '"__pycache__" to firebase.json\'s ignore',
        "functions/.git/ would upload 40 files the functions do not need (objects/00, "
        'objects/01, objects/02 and 37 more): add ".git" to firebase.json\'s ignore, or list '
        "the ones the functions read in views.yaml's project.data_files",
        "functions/docs/a.md would be uploaded, but the functions do not need it: add "
        '"**/docs/a.md" to firebase.json\'s ignore, or, if the functions read it, list it in '
        "views.yaml's project.data_files",
    ]


def test_a_key_store_is_refused_even_when_declared() -> None:
    [problem] = refused("functions", ["certs/client.p12"], Allowed(WHEEL, ("certs",)))
    assert problem == (
        "functions/certs/client.p12 would be uploaded: it is a key store, encrypted, so what it "
        "holds cannot be checked; keys never ship: keep it out of functions/"
    )


def test_a_virtualenv_in_the_upload_is_one_line_and_not_read(tmp_path: Path) -> None:
    files = {
        "main.py": "",
        "requirements.txt": "",
        WHEEL: "",
        "venv/pyvenv.cfg": "home = /usr/bin\n",
        "venv/lib/site-packages/mod.py": '"""Connect as postgres://app:hunter2@db/app."""\n',
        "venv/bin/python": "",
        "app/.venv/pyvenv.cfg": "home = /usr/bin\n",
        "app/.venv/lib/x.txt": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    upload = upload_files(tmp_path, [])
    assert upload_problems(tmp_path, "functions", upload, WHEEL) == [
        "functions/app/.venv/ would be uploaded: a virtualenv, which Cloud Build makes from "
        'requirements.txt; add ".venv" to firebase.json\'s ignore',
        "functions/venv/ would be uploaded: a virtualenv, which Cloud Build makes from "
        'requirements.txt; add "venv" to firebase.json\'s ignore',
    ]


# ---- project.data_files in views.yaml ----------------------------------------------------------


def test_data_files_are_read_and_left_out_of_main_pys_copy_of_views_yaml() -> None:
    manifest = load_manifest_text(
        with_data_files("meeting_room/rooms.csv", "meeting_room/templates/"), base_dir=APP_DIR
    )
    assert manifest.project.data_files == ("meeting_room/rooms.csv", "meeting_room/templates")
    assert "data_files" not in manifest_text(manifest)


def test_bad_data_files_are_located_with_a_fix() -> None:
    text = with_data_files("/etc/passwd", "../secrets/key.json", "app/{a,b}.csv", "**", "x", "x")
    with pytest.raises(ManifestError) as caught:
        load_manifest_text(text, base_dir=APP_DIR)
    assert [str(p) for p in caught.value.problems] == [
        "views.yaml:11:7: error: data file '/etc/passwd' in project.data_files is not relative "
        "to the functions folder (write it relative to project.functions_dir with / between "
        "folders, e.g. app/data/rates.csv)",
        "views.yaml:12:7: error: data file '../secrets/key.json' in project.data_files has an "
        "empty, '.' or '..' folder (name a file or folder inside the functions folder, e.g. "
        "app/data/rates.csv)",
        "views.yaml:13:7: error: data file 'app/{a,b}.csv' in project.data_files uses braces "
        "(write one entry per alternative)",
        "views.yaml:14:7: error: data file '**' in project.data_files matches every file (list "
        "the files or folders the functions read, e.g. app/data)",
        "views.yaml:16:7: error: data file 'x' in project.data_files is listed twice",
    ]


@pytest.fixture
def checked_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the meeting-room app with a CSV file beside its hooks, as the current folder."""
    shutil.copy(VIEWS_YAML, tmp_path / "views.yaml")
    shutil.copy(APP_DIR / "firebase.json", tmp_path / "firebase.json")
    shutil.copytree(
        APP_DIR / "functions" / "meeting_room",
        tmp_path / "functions" / "meeting_room",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (tmp_path / "functions" / "meeting_room" / "rooms.csv").write_text("room,seats\nA,12\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_accepts_data_files_that_would_be_uploaded(checked_app: Path) -> None:
    (checked_app / "views.yaml").write_text(with_data_files("meeting_room/*.csv"))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output


def test_check_locates_a_data_file_that_is_missing_or_left_out_by_the_ignore(
    checked_app: Path,
) -> None:
    (checked_app / "views.yaml").write_text(
        with_data_files("meeting_room/rooms.csv", "meeting_room/prices.csv")
    )
    config = json.loads((checked_app / "firebase.json").read_text())
    config["functions"][0]["ignore"].append("*.csv")
    (checked_app / "firebase.json").write_text(json.dumps(config))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "views.yaml:11:7: error: data file 'meeting_room/rooms.csv' would not be uploaded: "
        "firebase.json's ignore leaves out functions/meeting_room/rooms.csv (remove the ignore "
        "glob that matches it, or the functions will miss it)",
        "views.yaml:12:7: error: data file 'meeting_room/prices.csv' matches no file: there is "
        "no functions/meeting_room/prices.csv (globs are relative to project.functions_dir; fix "
        "the entry or remove it)",
        "views.yaml: 2 problems found",
    ]


# ---- boiler deploy --dry-run with a hook that reads a CSV file -----------------------------------

ROOMS_PY = '''"""The rooms' sizes, from the CSV file beside this module."""

import csv
from pathlib import Path

with (Path(__file__).parent / "rooms.csv").open(newline="") as rows:
    SEATS = {row["room"]: int(row["seats"]) for row in csv.DictReader(rows)}
'''


@pytest.fixture
def csv_app(tmp_path: Path) -> DeployApp:
    """The meeting-room app whose hooks import a module that reads ``rooms.csv`` when loaded."""
    root = generated_project(tmp_path / "app")
    package = root / "functions" / "meeting_room"
    (package / "rooms.csv").write_text("room,seats\nA,12\nB,8\n")
    (package / "rooms.py").write_text(ROOMS_PY)
    hooks = package / "hooks.py"
    hooks.write_text(hooks.read_text() + "\nfrom meeting_room.rooms import SEATS  # noqa: E402\n")
    app = deploy_app(root, tmp_path)
    app.fake_python("3.11")
    return app


def test_a_csv_file_a_hook_reads_ships_with_one_declared_line(csv_app: DeployApp) -> None:
    refused_run = csv_app.run("--dry-run", FAKE_PYTHON_VERSION="3.11")
    assert refused_run.returncode == 1
    assert errors(refused_run)[0] == (
        "boiler deploy: error: functions/meeting_room/rooms.csv would be uploaded, but the "
        'functions do not need it: add "**/meeting_room/rooms.csv" to firebase.json\'s ignore, '
        "or, if the functions read it, list it in views.yaml's project.data_files"
    )
    views = csv_app.root / "views.yaml"
    views.write_text(
        views.read_text().replace(
            "functions_dir: functions",
            "functions_dir: functions\n  data_files: [meeting_room/rooms.csv]",
        )
    )
    shipped = csv_app.run("--dry-run", FAKE_PYTHON_VERSION="3.11")
    assert shipped.returncode == 0, shipped.stderr
    assert (
        "  ships 3 generated files, 6 Python sources, 1 data file and boiler's wheel; none holds "
        "a key or credential" in shipped.stdout
    )
