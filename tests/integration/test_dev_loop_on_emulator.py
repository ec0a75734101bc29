"""``boiler dev`` as a developer runs it, on the real emulator, for a small app of its own (a
library: authors, books, a view of each book with its author's name and a hook): seed files,
reloads after saving views.yaml or a hook with the data kept, a broken save keeping the last
good version, one-line invocation failures, and export/import of the emulator's data.

Every run uses ``--free-ports`` (test runs may overlap on one machine). Waits are for lines of
its output and for documents, with deadlines; never sleeps.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore import Client

from boiler_core.emulator import wait_for
from boiler_core.emulator.process import group_members

pytestmark = pytest.mark.integration

BOILER = str(Path(sys.executable).parent / "boiler")
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
PROJECT = "demo-library"
START_SECONDS = 180.0
WAIT_SECONDS = 60.0

VIEWS = """\
version: 1
project: {emulator_project_id: demo-library, functions_dir: functions}
collections:
  authors: {path: "authors/{author}", schema: "library.schemas:AuthorSchema"}
  books: {path: "books/{book}", schema: "library.schemas:BookSchema"}
views:
  book_cards:
    path: book_cards/{book}
    root: books
    joins:
      author: {collection: authors, ref: author}
    fields:
      title: title
      author: author.name
      shout:
        hook: library.hooks:shout
        reads: [title]
"""

SPINES = """\
  spines:
    path: spines/{book}
    root: books
    fields:
      title: title
"""

SCHEMAS = """\
from marshmallow import Schema, fields

from boiler_core.schema_fields import Reference


class AuthorSchema(Schema):
    name = fields.String(required=True)


class BookSchema(Schema):
    title = fields.String(required=True)
    author = Reference("authors", required=True)
"""

HOOKS = """\
from boiler_core.engine.sources import Sources


def shout(sources: Sources) -> str:
    return str(sources.root.get("title", "")).upper()
"""

SEED = """\
authors/ada: {name: Ada Lovelace}
books/notes:
  title: Notes on the engine
  author: !ref authors/ada
"""


def write_app(root: Path) -> Path:
    """The library app in ``root``; returns its views.yaml."""
    package = root / "functions" / "library"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "schemas.py").write_text(SCHEMAS)
    (package / "hooks.py").write_text(HOOKS)
    (root / "seed.yaml").write_text(SEED)
    (root / "views.yaml").write_text(VIEWS)
    return root / "views.yaml"


class Dev:
    """A running ``boiler dev``: its output lines as they come, a client on its emulator."""

    def __init__(self, root: Path, *args: str) -> None:
        self.root = root
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self.process = subprocess.Popen(
            [BOILER, "dev", "--free-ports", *args],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.client: Client | None = None
        self._previous_host: str | None = None

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self.lines.append("<exited>")
            self._changed.notify_all()

    def expect(self, pattern: str, after: int = 0, timeout: float = WAIT_SECONDS) -> re.Match[str]:
        """The first output line from index ``after`` on matching ``pattern``; fails with the
        output at the deadline or when dev exits first."""
        regex = re.compile(pattern)

        def found() -> re.Match[str] | None:
            for line in self.lines[after:]:
                if (match := regex.search(line)) is not None:
                    return match
            return None

        with self._changed:
            self._changed.wait_for(
                lambda: found() is not None or "<exited>" in self.lines[after:], timeout
            )
            match = found()
        if match is None:
            pytest.fail(f"no line matching {pattern!r}; boiler dev printed:\n{self.output()}")
        return match

    def mark(self) -> int:
        """The index of the next output line."""
        with self._changed:
            return len(self.lines)

    def output(self, after: int = 0) -> str:
        with self._changed:
            return "\n".join(self.lines[after:])

    def start(self) -> Dev:
        self.expect("Press Ctrl-C", timeout=START_SECONDS)
        host = self.expect(r"FIRESTORE_EMULATOR_HOST=(127\.0\.0\.1:\d+)").group(1)
        self._previous_host = os.environ.get("FIRESTORE_EMULATOR_HOST")
        os.environ["FIRESTORE_EMULATOR_HOST"] = host  # the client reads it; stop() restores it
        self.client = Client(project=PROJECT, credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
        return self

    def document(self, path: str) -> dict[str, Any] | None:
        assert self.client is not None
        return self.client.document(path).get().to_dict()

    def wait_document(self, path: str, **fields: Any) -> dict[str, Any]:
        def matches() -> dict[str, Any] | None:
            data = self.document(path)
            if data is not None and all(data.get(k) == v for k, v in fields.items()):
                return data
            return None

        return wait_for(matches, WAIT_SECONDS, what=f"{path} with {fields}")

    def pids(self) -> list[int]:
        match = self.expect(r"emulator pid (\d+), dispatcher pid (\d+)")
        return [int(match.group(1)), int(match.group(2))]

    def stop(self) -> str:
        """Ctrl-C; returns the whole output once dev has exited (code asserted 0)."""
        if self.client is not None:
            self.client.close()  # type: ignore[no-untyped-call]
        if self._previous_host is None:
            os.environ.pop("FIRESTORE_EMULATOR_HOST", None)
        else:
            os.environ["FIRESTORE_EMULATOR_HOST"] = self._previous_host
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._reader.join(10)
            assert self.process.stdout is not None
            self.process.stdout.close()
        assert self.process.returncode == 0, self.output()
        return self.output()


def dispatchers_of(functions_dir: Path) -> list[str]:
    """Live dispatcher processes (the serving one and the standby) for ``functions_dir``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().decode().split("\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError, ValueError):
            continue
        if state != "Z" and "boiler_core.dispatch" in cmdline and str(functions_dir) in cmdline:
            found.append(f"{entry.name} {' '.join(cmdline)}")
    return found


def save(path: Path, text: str) -> None:
    """Write ``text`` and move the modification time on by a second, so that the save is seen
    whatever the file system's timestamp resolution."""
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dev]:
    """One ``boiler dev --seed seed.yaml`` for the module's tests; each test leaves the app's
    files as it found them."""
    root = tmp_path_factory.mktemp("library")
    write_app(root)
    running = Dev(root, "--seed", "seed.yaml")
    try:
        yield running.start()
    finally:
        running.stop()
    assert wait_for(lambda: not dispatchers_of(root / "functions"), 10, what="no dispatcher left")


def test_the_seed_file_is_written_and_its_views_built(dev: Dev) -> None:
    assert "seeded 2 documents from seed.yaml" in dev.output()
    card = dev.wait_document("book_cards/notes", author="Ada Lovelace")
    assert card["title"] == "Notes on the engine"
    assert card["shout"] == "NOTES ON THE ENGINE"


def openapi_paths(url: str) -> list[str]:
    with NO_PROXY.open(f"{url}/openapi.json", timeout=30) as response:
        return sorted(json.loads(response.read())["paths"])


def test_a_view_added_to_views_yaml_is_served_and_the_data_kept(dev: Dev) -> None:
    views = dev.root / "views.yaml"
    original = views.read_text()
    host = os.environ["FIRESTORE_EMULATOR_HOST"]
    api = dev.expect(r"HTTP function +api at (http://\S+)").group(1)
    assert not any("spines" in path for path in openapi_paths(api))
    mark = dev.mark()
    try:
        save(views, original + SPINES)
        line = dev.expect(r"reloaded in [\d.]+ s: views\.yaml changed", after=mark).string
        assert "views +spines" in line
        assert dev.document("book_cards/notes") is not None  # the emulator kept its data
        assert dev.client is not None
        dev.client.document("books/ai").set(
            {"title": "Sketch of the engine", "author": dev.client.document("authors/ada")}
        )
        assert dev.wait_document("spines/ai", title="Sketch of the engine")
        assert dev.wait_document("book_cards/ai", author="Ada Lovelace")
        assert f"FIRESTORE_EMULATOR_HOST={host}" in dev.output()  # the same address throughout
        assert "/spines/{book}" in openapi_paths(api)  # the same URL serves the new functions
    finally:
        mark = dev.mark()
        save(views, original)
        dev.expect(r"reloaded in .*views -spines", after=mark)


def test_a_broken_views_yaml_is_reported_and_the_last_good_version_serves(dev: Dev) -> None:
    views = dev.root / "views.yaml"
    original = views.read_text()
    mark = dev.mark()
    try:
        save(views, original.replace("root: books", "root: bookz"))
        dev.expect(r"views\.yaml saved with \d+ problems?: nothing reloaded", after=mark)
        located = dev.expect(r"views\.yaml:(\d+):(\d+): error: .*bookz", after=mark)
        assert located.group(1, 2) == ("9", "11")
        assert dev.client is not None
        dev.client.document("books/broken").set(
            {"title": "Still served", "author": dev.client.document("authors/ada")}
        )
        assert dev.wait_document("book_cards/broken", shout="STILL SERVED")
    finally:
        mark = dev.mark()
        save(views, original)
        dev.expect(r"views\.yaml saved: the generated files are unchanged", after=mark)


def test_a_raising_hook_fails_its_root_on_the_invocations_line_and_in_the_log(dev: Dev) -> None:
    hooks = dev.root / "functions" / "library" / "hooks.py"
    mark = dev.mark()
    try:
        raising = 'str({"title": sources.root.get("title")}["isbn"])'
        save(hooks, HOOKS.replace('str(sources.root.get("title", ""))', raising))
        dev.expect(r"reloaded in [\d.]+ s: functions/library/hooks\.py changed", after=mark)
        assert dev.client is not None
        dev.client.document("books/isbn").set(
            {"title": "No ISBN", "author": dev.client.document("authors/ada")}
        )
        failed = dev.expect(r"on_books_written +books/isbn .* ms  FAILED: (.*)", after=mark)
        assert failed.group(1).startswith("root books/isbn of view book_cards: views.yaml:")
        assert "raised KeyError: 'isbn' on books/isbn, at library/hooks.py:" in failed.group(1)
        log = Path(dev.expect(r"dispatcher log +(\S+)").group(1))
        assert '"failed_root": {"view": "book_cards", "document": "books/isbn"' in log.read_text()
        assert "failed_root" not in dev.output(mark)  # said once, on the invocation's line
        assert "Traceback" not in dev.output(mark)
    finally:
        mark = dev.mark()
        save(hooks, HOOKS)
        dev.expect(r"reloaded in .*hooks\.py changed", after=mark)


def test_a_hook_module_that_does_not_import_keeps_the_last_good_version(dev: Dev) -> None:
    hooks = dev.root / "functions" / "library" / "hooks.py"
    mark = dev.mark()
    try:
        save(hooks, HOOKS + "\ndef broken(:\n")
        dev.expect(r"hooks\.py saved with \d+ problems?: nothing reloaded", after=mark)
        assert "SyntaxError" in dev.expect(r"views\.yaml:\d+:\d+: error: .*", after=mark).group(0)
        assert dev.client is not None
        dev.client.document("books/kept").set(
            {"title": "Kept", "author": dev.client.document("authors/ada")}
        )
        assert dev.wait_document("book_cards/kept", shout="KEPT")
    finally:
        mark = dev.mark()
        save(hooks, HOOKS)
        dev.expect(r"reloaded in .*hooks\.py changed", after=mark)


def test_exported_data_is_imported_by_the_next_run_without_waking_a_trigger(
    tmp_path: Path,
) -> None:
    write_app(tmp_path)
    data = tmp_path / "data"
    first = Dev(tmp_path, "--seed", "seed.yaml", "--import", "data", "--export", "data")
    try:
        first.start()
        first.wait_document("book_cards/notes", author="Ada Lovelace")
    finally:
        output = first.stop()
    assert f"exported the emulator's data to {Path('data')}" in output
    assert (data / "firebase-export-metadata.json").is_file()
    second = Dev(tmp_path, "--import", "data")
    try:
        second.start()
        assert second.document("authors/ada") == {"name": "Ada Lovelace"}
        card = second.document("book_cards/notes")
        assert card is not None
        assert card["author"] == "Ada Lovelace"
        invocation = re.compile(r"^\d\d:\d\d:\d\d on_\w+_written ", re.MULTILINE)
        assert invocation.search(second.output()) is None  # nothing ran: imported as exported
        pids = second.pids()
        assert len(dispatchers_of(tmp_path / "functions")) == 2  # the serving one, the standby
    finally:
        second.stop()
    assert [group_members(pid) for pid in pids] == [[], []]
    assert dispatchers_of(tmp_path / "functions") == []  # the standby was stopped too
