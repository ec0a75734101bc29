"""The emulator's administrative REST endpoints: readiness, reset, trigger registration, rules,
export.

Plain HTTP to a loopback address, with proxies disabled (an ``http_proxy`` in the environment must
not capture traffic meant for 127.0.0.1).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from http import HTTPStatus
from pathlib import Path
from typing import Any

from boiler_core.emulator.errors import EmulatorRequestFailed

WRITTEN = "google.cloud.firestore.document.v1.written"
"""Event type of ``on_document_written`` triggers."""

RETIRED_PATTERN = "__boiler_retired__/{document}"
"""Where a retired trigger points: Firestore reserves ``__...__`` ids, so no write matches it."""

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class EmulatorAdmin:
    """Administrative calls to one running emulator (``host`` is ``127.0.0.1:PORT``).

    ``timeout`` bounds each call; it is generous because a JVM that has just started answers its
    first requests slowly on a busy machine.
    """

    def __init__(self, host: str, project: str, *, timeout: float = 30.0) -> None:
        self.host = host
        self.project = project
        self.timeout = timeout

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}"

    def answers(self) -> bool:
        """True when the emulator answers ``GET /`` with 200 (it prints ``Ok``)."""
        try:
            with _NO_PROXY.open(f"{self.base_url}/", timeout=2) as response:
                return int(response.status) == 200
        except (OSError, urllib.error.URLError):
            return False

    def reset(self, timeout: float = 30.0) -> None:
        """Delete every document of the project (the emulator still emits their delete events).

        A transaction left open by a client holds locks the wipe waits on; the emulator then
        answers ``409 Transaction lock timeout`` after about 2 s. The wipe is retried until
        ``timeout`` seconds have passed (each attempt waits those 2 s itself).
        """
        path = f"/emulator/v1/projects/{self.project}/databases/(default)/documents"
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._call("DELETE", path)
                return
            except EmulatorRequestFailed as exc:
                if exc.status != HTTPStatus.CONFLICT or time.monotonic() > deadline:
                    raise

    def register_trigger(self, trigger_id: str, document: str, event_type: str = WRITTEN) -> None:
        """Ask the emulator to deliver writes matching ``document`` to trigger ``trigger_id``.

        Deliveries go to ``/functions/projects/{project}/triggers/{trigger_id}`` on the host given
        by the emulator's ``--functions_emulator`` flag. Registering an id again replaces it.
        """
        query = urllib.parse.urlencode({"eventarcTriggerId": trigger_id})
        self._call(
            "POST",
            f"/emulator/v1/projects/{self.project}/eventarcTrigger?{query}",
            {
                "eventType": event_type,
                "database": "(default)",
                "namespace": "(default)",
                "document": {"value": document, "matchType": "PATH_PATTERN"},
            },
        )

    def retire_trigger(self, trigger_id: str) -> None:
        """Stop deliveries to ``trigger_id``. The emulator has no endpoint that removes a trigger,
        so it is registered again for :data:`RETIRED_PATTERN`, a collection no write can reach."""
        self.register_trigger(trigger_id, RETIRED_PATTERN)

    def export(self, directory: Path, name: str) -> None:
        """Write every document of the project to ``directory/name`` (the emulator's own export
        format; ``directory`` must exist, and is made absolute: the emulator has its own working
        directory)."""
        self._call(
            "POST",
            f"/emulator/v1/projects/{self.project}:export",
            {
                "database": f"projects/{self.project}/databases/(default)",
                "export_directory": str(directory.resolve()),
                "export_name": name,
            },
        )

    def set_rules(self, text: str, name: str = "firestore.rules") -> None:
        """Replace the security rules enforced for end-user traffic."""
        self._call(
            "PUT",
            f"/emulator/v1/projects/{self.project}:securityRules",
            {"rules": {"files": [{"name": name, "content": text}]}},
        )

    def put_document(self, path: str, fields: Mapping[str, str]) -> None:
        """Create or replace the document at ``path`` with string ``fields``, as an admin
        (``Bearer owner`` bypasses the rules), through the REST API."""
        self._call(
            "PATCH",
            f"/v1/{self._documents}/{path}",
            {"fields": {name: {"stringValue": value} for name, value in fields.items()}},
            admin=True,
        )

    def delete_document(self, path: str) -> None:
        """Delete the document at ``path`` as an admin (no error when it does not exist)."""
        self._call("DELETE", f"/v1/{self._documents}/{path}", admin=True)

    @property
    def _documents(self) -> str:
        return f"projects/{self.project}/databases/(default)/documents"

    def _call(self, method: str, path: str, body: Any = None, *, admin: bool = False) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if admin:
            request.add_header("Authorization", "Bearer owner")
        try:
            with _NO_PROXY.open(request, timeout=self.timeout) as response:
                text = response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip()[:500]
            raise EmulatorRequestFailed(
                f"emulator at {self.host} answered {exc.code} to {method} {path}: {detail}",
                exc.code,
            ) from None
        except (OSError, urllib.error.URLError) as exc:
            raise EmulatorRequestFailed(
                f"emulator at {self.host} did not answer {method} {path}: {exc}; "
                "is it still running?"
            ) from None
        return json.loads(text) if text.strip().startswith(("{", "[")) else text
