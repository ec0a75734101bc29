"""Where the trigger enqueues its retries: never to a real project's queue beside the emulators,
and, deployed, to the retry function's Cloud Run URL, which Cloud Tasks must target."""

from __future__ import annotations

import pytest

from boiler_core.errors import NotQueued
from boiler_core.retry import RETRY_FUNCTION, CloudTasksQueue

DEPLOYED = {"K_SERVICE": "on-users-written", "GOOGLE_CLOUD_PROJECT": "acme-prod"}


def test_beside_a_firestore_emulator_without_a_tasks_emulator_nothing_real_is_asked() -> None:
    asked: list[tuple[str | None, str, str]] = []

    def uri_of(project: str | None, region: str, function: str) -> str:
        asked.append((project, region, function))
        return "https://boilerretry-123.europe-west1.run.app"

    queue = CloudTasksQueue(
        region="europe-west1",
        project="demo-x",
        environ={"FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080"},
        uri_of=uri_of,
    )
    with pytest.raises(NotQueued, match="no Cloud Tasks emulator is named"):
        queue.enqueue({"x": 1}, delay_seconds=1)
    assert asked == []


def test_deployed_the_retry_functions_url_is_asked_of_the_functions_api_and_its_failure_said() -> (
    None
):
    asked: list[tuple[str | None, str, str]] = []

    def uri_of(project: str | None, region: str, function: str) -> str:
        asked.append((project, region, function))
        raise PermissionError("403 cloudfunctions.functions.get denied")

    queue = CloudTasksQueue(
        region="europe-west1", project="acme-prod", environ=DEPLOYED, uri_of=uri_of
    )
    with pytest.raises(NotQueued, match=r"cannot find the Cloud Run URL of boilerRetry.*403"):
        queue.enqueue({"x": 1}, delay_seconds=1)
    assert asked == [("acme-prod", "europe-west1", RETRY_FUNCTION)]
