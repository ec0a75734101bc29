"""The environment the trigger functions run in under the local runtime."""

from __future__ import annotations

import json

from boiler_core.dispatch import function_environment


def test_functions_reach_the_emulator_anonymously_in_the_demo_project() -> None:
    env = function_environment(
        {"PATH": "/bin", "GOOGLE_APPLICATION_CREDENTIALS": "/keys/prod.json"},
        emulator_host="127.0.0.1:9000",
        project="demo-boiler",
    )
    assert env["PATH"] == "/bin"
    assert env["FIRESTORE_EMULATOR_HOST"] == "127.0.0.1:9000"
    assert env["GCLOUD_PROJECT"] == env["GOOGLE_CLOUD_PROJECT"] == "demo-boiler"
    assert json.loads(env["FIREBASE_CONFIG"]) == {"projectId": "demo-boiler"}
    assert env["NO_GCE_CHECK"] == "true"
    assert "GOOGLE_APPLICATION_CREDENTIALS" not in env


def test_loopback_bypasses_any_proxy() -> None:
    env = function_environment(
        {"no_proxy": "corp.example"}, emulator_host="127.0.0.1:1", project="demo-x"
    )
    assert env["no_proxy"] == "corp.example,127.0.0.1,localhost"
    assert env["NO_PROXY"] == "127.0.0.1,localhost"


def test_the_base_environment_is_not_modified() -> None:
    base = {"PATH": "/bin"}
    function_environment(base, emulator_host="127.0.0.1:1", project="demo-x")
    assert base == {"PATH": "/bin"}
