"""Emulator variables in a deployed function: refused everywhere boiler would obey them.

A deployed function is what Cloud Run marks with ``K_SERVICE``, for a project that is not a
``demo-*`` one and outside Firebase's Functions emulator. There, ``FIREBASE_AUTH_EMULATOR_HOST``
would make firebase-admin accept unsigned tokens and ``FIRESTORE_EMULATOR_HOST`` would send the
data to an emulator: the generated functions log one ERROR line and refuse every event and
request; the token verifier and the Firestore client refuse on their own too.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import firebase_admin
import flask
import pytest
from cloudevents.http import CloudEvent
from google.events.cloud.firestore import Document, DocumentEventData, Value

from boiler_core.deployment import is_deployed, refusal
from boiler_core.dispatch.runtime import function_environment
from boiler_core.engine.change import Change
from boiler_core.errors import EmulatorInDeployment
from boiler_core.http import FirebaseTokenVerifier, emulator_id_token
from boiler_core.store.firestore import firestore_client

REAL_PROJECT = "shop-prod-4711"
DEPLOYED = {"K_SERVICE": "api", "GOOGLE_CLOUD_PROJECT": REAL_PROJECT}


@pytest.mark.parametrize(
    ("environ", "deployed"),
    [
        ({}, False),
        ({"GOOGLE_CLOUD_PROJECT": REAL_PROJECT}, False),
        (DEPLOYED, True),
        ({"K_SERVICE": "api"}, True),  # no project named: a deployment all the same
        ({"K_SERVICE": "api", "FIREBASE_CONFIG": json.dumps({"projectId": REAL_PROJECT})}, True),
        ({**DEPLOYED, "FUNCTIONS_EMULATOR": "true"}, False),  # Firebase's Functions emulator
        ({"K_SERVICE": "api", "GCLOUD_PROJECT": "demo-shop"}, False),
        ({"K_SERVICE": "api", "GCLOUD_PROJECT": "demo-shop", "GOOGLE_CLOUD_PROJECT": "x"}, True),
        ({"K_SERVICE": "api", "FIREBASE_CONFIG": "{not json"}, True),
    ],
)
def test_a_deployment_is_k_service_outside_emulators_and_demo_projects(
    environ: dict[str, str], deployed: bool
) -> None:
    assert is_deployed(environ) is deployed


def test_the_refusal_names_each_variable_its_danger_and_the_fix() -> None:
    reason = refusal(
        {
            **DEPLOYED,
            "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099",
            "FIRESTORE_EMULATOR_HOST": "10.0.0.5:8080",
            "PUBSUB_EMULATOR_HOST": "",  # empty: not set
        }
    )
    assert reason is not None
    assert "FIREBASE_AUTH_EMULATOR_HOST=127.0.0.1:9099" in reason
    assert "FIRESTORE_EMULATOR_HOST=10.0.0.5:8080" in reason
    assert "PUBSUB_EMULATOR_HOST" not in reason
    assert "unsigned ID tokens" in reason
    assert f"project {REAL_PROJECT}" in reason
    assert "Remove them" in reason
    assert "\n" not in reason


def test_emulators_outside_a_deployment_are_fine() -> None:
    assert refusal({"FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099"}) is None
    assert refusal(DEPLOYED) is None


def test_the_environment_boiler_dev_gives_its_functions_is_never_a_deployment() -> None:
    base = {"K_SERVICE": "leaked-from-the-shell", "GOOGLE_CLOUD_PROJECT": REAL_PROJECT}
    env = function_environment(base, emulator_host="127.0.0.1:8080", project="demo-boiler")
    assert env["FIREBASE_AUTH_EMULATOR_HOST"]
    assert refusal(env) is None


@pytest.fixture
def deployed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A deployed function's environment with both emulator variables set. The SDK creates the
    default Firebase app, for the project of the environment, on the first event it decodes:
    one created here is deleted again, so later tests get one for their own project."""
    for name, value in DEPLOYED.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GCLOUD_PROJECT", raising=False)
    monkeypatch.delenv("FUNCTIONS_EMULATOR", raising=False)
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")
    existed = default_app() is not None
    yield
    app = default_app()
    if app is not None and not existed:
        firebase_admin.delete_app(app)


def default_app() -> firebase_admin.App | None:
    try:
        return firebase_admin.get_app()
    except ValueError:
        return None


@pytest.mark.usefixtures("deployed")
def test_the_token_verifier_refuses_unsigned_tokens_in_a_deployment() -> None:
    token = emulator_id_token("mallory", REAL_PROJECT)
    with pytest.raises(EmulatorInDeployment, match="FIREBASE_AUTH_EMULATOR_HOST"):
        FirebaseTokenVerifier(REAL_PROJECT).verify(token)


@pytest.mark.usefixtures("deployed")
def test_the_firestore_client_refuses_an_emulator_in_a_deployment() -> None:
    with pytest.raises(EmulatorInDeployment, match="FIRESTORE_EMULATOR_HOST"):
        firestore_client(REAL_PROJECT)


@pytest.fixture
def main(meeting_room_project: Path) -> ModuleType:
    """A fresh import of the generated meeting-room main.py."""
    path = meeting_room_project / "functions" / "main.py"
    spec = importlib.util.spec_from_file_location("guarded_main", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Recorder:
    """An engine that remembers what it was asked to handle."""

    def __init__(self) -> None:
        self.changes: list[Change] = []

    def handle(self, change: Change) -> None:
        self.changes.append(change)


def user_written(project: str) -> CloudEvent:
    """A ``document.v1.written`` event creating ``users/ada``, as production delivers it."""
    name = f"projects/{project}/databases/(default)/documents/users/ada"
    after = Document(name=name, fields={"first_name": Value(string_value="Ada")})
    attributes = {
        "type": "google.cloud.firestore.document.v1.written",
        "source": f"//firestore.googleapis.com/projects/{project}/databases/(default)",
        "subject": "documents/users/ada",
        "id": "ev-1",
        "time": "2026-11-02T09:30:00Z",
        "datacontenttype": "application/protobuf",
        "location": "us-central1",
        "project": project,
        "database": "(default)",
        "namespace": "(default)",
        "document": "users/ada",
    }
    return CloudEvent(attributes, DocumentEventData.serialize(DocumentEventData(value=after)))


def error_lines(output: str) -> list[dict[str, Any]]:
    entries = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [entry for entry in entries if entry.get("severity") == "ERROR"]


@pytest.mark.usefixtures("deployed")
def test_deployed_triggers_refuse_every_event_and_log_one_error_line(
    main: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = Recorder()
    main.triggers.use_engine(engine)
    trigger = main.on_users_written
    for _ in range(2):
        with pytest.raises(EmulatorInDeployment):
            trigger(user_written(REAL_PROJECT))
    assert engine.changes == []
    errors = error_lines(capsys.readouterr().out)
    assert len(errors) == 1
    assert errors[0]["variables"] == ["FIREBASE_AUTH_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST"]
    assert errors[0]["message"].startswith("refusing to serve: emulator variable(s)")


@pytest.mark.usefixtures("deployed")
def test_the_deployed_api_answers_503_to_an_unsigned_token_and_logs_once(
    main: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    token = emulator_id_token("mallory", REAL_PROJECT)
    app = flask.Flask("probe")
    answers = []
    for _ in range(2):
        headers = {"Authorization": f"Bearer {token}"}
        with app.test_request_context("/user_profiles/mallory", headers=headers):
            answers.append(main.api(flask.request))
    assert [a.status_code for a in answers] == [503, 503]
    body = answers[0].get_json()
    assert body["error"]["code"] == "misconfigured"
    assert "EMULATOR" not in json.dumps(body)  # the reason is for the operators' log only
    errors = error_lines(capsys.readouterr().out)
    assert len(errors) == 1
    assert "FIREBASE_AUTH_EMULATOR_HOST" in errors[0]["message"]
