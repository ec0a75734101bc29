"""ID tokens through firebase-admin's emulator mode, and the Authorization header."""

from __future__ import annotations

import base64
import json

import pytest
from http_support import HTTP_PROJECT

from boiler_core.http import ApiError, FirebaseTokenVerifier, emulator_id_token
from boiler_core.http.auth import InvalidToken, caller_uid


def token_with(**claims: object) -> str:
    header, payload, _ = emulator_id_token("alice", HTTP_PROJECT).split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=="))
    data.update(claims)
    encoded = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}."


def test_an_emulator_token_names_its_user() -> None:
    verifier = FirebaseTokenVerifier(HTTP_PROJECT)
    assert verifier.verify(emulator_id_token("alice", HTTP_PROJECT)) == "alice"


@pytest.mark.parametrize(
    "token",
    [
        token_with(aud="demo-other"),
        token_with(iss="https://securetoken.google.com/demo-other"),
        token_with(sub=""),
        token_with(sub="x" * 129),
        "not.a.jwt",
        "garbage",
    ],
)
def test_tokens_of_another_project_or_malformed_are_invalid(token: str) -> None:
    with pytest.raises(InvalidToken):
        FirebaseTokenVerifier(HTTP_PROJECT).verify(token)


def test_unsigned_tokens_are_refused_outside_emulator_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", "/no/such/credentials.json")
    verifier = FirebaseTokenVerifier("demo-unsigned")  # needs no credentials to verify
    with pytest.raises(InvalidToken, match="not a valid Firebase ID token"):
        verifier.verify(emulator_id_token("alice", "demo-unsigned"))


@pytest.mark.parametrize(
    "header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "token abc", "bearer"]
)
def test_authorization_other_than_a_bearer_token_is_401(header: str) -> None:
    with pytest.raises(ApiError) as caught:
        caller_uid(header, FirebaseTokenVerifier(HTTP_PROJECT))
    assert caught.value.status == 401


def test_no_authorization_header_is_an_anonymous_caller() -> None:
    assert caller_uid(None, FirebaseTokenVerifier(HTTP_PROJECT)) is None


def test_the_scheme_is_case_insensitive() -> None:
    token = emulator_id_token("bob", HTTP_PROJECT)
    assert caller_uid(f"bearer {token}", FirebaseTokenVerifier(HTTP_PROJECT)) == "bob"
