"""Schemathesis against the generated OpenAPI document and the served API, on the emulator.

Every operation of the document the generated ``api`` function serves gets generated requests,
valid ones (positive) and invalid ones (negative), with random path variables and with the
fixture's own documents, signed in as a participant. Every response must be documented, carry
the documented content type and headers, match its schema, and never be a 500. The run is
bounded (``EXAMPLES`` per operation, mode and variable set; derandomized, so CI is repeatable)
and takes well under a minute.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from emulator_reads import MASTER, get
from google.cloud.firestore import Client
from hypothesis import HealthCheck, Phase, given, settings
from meeting_room.fixture import EXPECTED_MEETING_SESSION, fixture_documents
from meeting_room_app import VIEWS_YAML
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from boiler_core.dispatch import LocalRuntime
from boiler_core.http import emulator_id_token
from boiler_core.http.openapi import openapi_spec
from boiler_core.manifest import load_manifest
from boiler_core.store.codec import to_firestore

pytestmark = pytest.mark.integration

SPEC = openapi_spec(load_manifest(VIEWS_YAML))
"""The document the generated functions/openapi.json of the tests' meeting-room app holds."""
OPERATIONS = [
    (method.upper(), path)
    for path, item in SPEC["paths"].items()
    for method in item
    if method in ("get", "put", "post", "patch", "delete")
]
EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
CALLER = "thomasina"
KNOWN = ({}, {"user": CALLER}, {"meeting": "meeting_1", "user": CALLER})
"""Path variables fixed in turn (the others generated): none; the caller's own id, as in the
copies' paths; every variable naming the fixture's documents, so requests also reach data."""


@pytest.fixture
def seeded(app_db: Client, runtime: LocalRuntime, wait_for: Callable[..., Any]) -> Client:
    batch = app_db.batch()
    for path, data in fixture_documents().items():
        batch.set(app_db.document(path), to_firestore(data, app_db))
    batch.commit()
    wait_for(lambda: get(app_db, MASTER) == EXPECTED_MEETING_SESSION, what="the seeded view")
    return app_db


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_generated_requests_get_documented_answers_and_never_a_500(
    seeded: Client, runtime: LocalRuntime, method: str, path: str
) -> None:
    assert runtime.ready is not None
    base = dict(runtime.ready.http)["api"]
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    operation = schema[path][method]
    token = {"Authorization": f"Bearer {emulator_id_token(CALLER, runtime.project)}"}
    names = {parameter.name for parameter in operation.path_parameters}
    variants = {tuple(sorted((k, v) for k, v in known.items() if k in names)) for known in KNOWN}
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for fixed in sorted(variants):
            strategy = operation.as_strategy(
                generation_mode=mode, path_parameters=dict(fixed) or None
            )

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Any) -> None:
                response = case.call(base_url=base, headers=token, timeout=30)
                case.validate_response(response, checks=CHECKS)

            run()
