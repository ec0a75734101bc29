"""``boiler deploy`` run for real in an app folder, with a PATH holding only fakes.

PATH holds only the fakes a test wants: a ``python3.X`` (the runtime's Python) that answers as a
chosen version and makes a "venv" whose python logs pip calls and runs everything else with the
test's interpreter, so the functions are discovered for real through firebase_functions'
serving.py; and a ``firebase`` CLI. Each fake appends what it was asked to a log, with the
environment it saw, so a test sees what ran, in which order, with which credentials. Firebase's
real toolchain on the real bundle is ``make e2e``.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BASH = shutil.which("bash") or "/bin/bash"

FAKE_PYTHON = r"""#!{bash}
echo "{name} $*" >>"$FAKE_LOG"
case "$*" in
*version_info*) echo "${{FAKE_PYTHON_VERSION:-{version}}}" ;;
"-m venv "*)
    {mkdir} -p "$3/bin"
    printf '#!{bash}\ncase "$1 $2" in\n"-m pip") echo "venv pip $*" >>"$FAKE_LOG"; exit 0 ;;\n' \
        >"$3/bin/python"
    printf 'esac\nexec {python} "$@"\n' >>"$3/bin/python"
    {chmod} +x "$3/bin/python" ;;
esac
exit 0
"""

FAKE_FIREBASE = r"""#!{bash}
if [ "$1" = --version ]; then echo "15.34.2"; exit 0; fi
seen="emulator=${{FIRESTORE_EMULATOR_HOST:-unset}}"
seen="$seen credentials=${{GOOGLE_APPLICATION_CREDENTIALS:-unset}}"
echo "firebase $* $seen in $PWD" >>"$FAKE_LOG"
exit "${{FAKE_DEPLOY_EXIT:-0}}"
"""


@dataclass
class DeployApp:
    """A generated app folder with firebase.json, a bin folder of fakes, a log and credentials."""

    root: Path
    bin: Path
    log: Path
    credentials: Path

    def fake(self, name: str, template: str, **values: str) -> None:
        path = self.bin / name
        tools = {tool: shutil.which(tool) for tool in ("mkdir", "chmod")}
        path.write_text(
            template.format(bash=BASH, python=sys.executable, name=name, **tools, **values)
        )
        path.chmod(path.stat().st_mode | stat.S_IXUSR)

    def fake_python(self, version: str) -> None:
        """``python{version}`` on PATH, answering as that version."""
        self.fake(f"python{version}", FAKE_PYTHON, version=version)

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        environment = {"PATH": str(self.bin), "FAKE_LOG": str(self.log), "HOME": str(self.root)}
        environment.update({k: v for k, v in env.items() if v != ""})
        return subprocess.run(
            [sys.executable, "-m", "boiler_core", "deploy", *args],
            cwd=self.root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def calls(self) -> list[str]:
        calls = self.log.read_text().splitlines() if self.log.exists() else []
        return [c for c in calls if "version_info" not in c]


def deploy_app(root: Path, tmp_path: Path) -> DeployApp:
    """A :class:`DeployApp` for the generated app folder ``root``: an empty bin folder and a
    credential file outside the app."""
    credentials = tmp_path / "secrets" / "deployer.json"
    credentials.parent.mkdir()
    credentials.write_text('{"type": "service_account"}\n')
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    return DeployApp(root, bin_dir, tmp_path / "calls.log", credentials)


def errors(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("boiler deploy: error:")]


def steps(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line[4:] for line in result.stdout.splitlines() if line.startswith("==> ")]
