"""Who is calling: Firebase ID tokens from ``Authorization: Bearer``, verified with firebase-admin.

:class:`FirebaseTokenVerifier` calls ``firebase_admin.auth.verify_id_token`` on an app of its own
(named after the project, so it never touches the app's default Firebase app). In production it
checks Google's signature, the audience and issuer of the project, and the expiry. Where
``FIREBASE_AUTH_EMULATOR_HOST`` is set, firebase-admin's emulator mode accepts unsigned tokens
(``alg: none``) and checks only the audience, issuer and subject: that is how the Firebase Auth
emulator's tokens are checked, and how tests and ``boiler dev`` sign in (see
:func:`emulator_id_token`). boiler itself never sets that variable, and refuses to verify
anything in a deployed function where it is set (:mod:`boiler_core.deployment`).

Before firebase-admin sees a token, :func:`check_token_shape` refuses what no Firebase ID token
looks like (not three base64url parts, a header or payload that is not a JSON object, JSON nested
deeper than Python parses, ``iat``/``exp`` that are not numbers, over 16 KiB), so a crafted token
is a 401, never an error inside the library.

With ``check_revoked`` (views.yaml's ``project.check_revoked``), firebase-admin also asks the
Auth backend for the user on every verification: a revoked token, a disabled or deleted user is
401; an Auth backend that cannot be reached is 503.

:func:`caller_uid` turns the request's header into a uid (None when there is no header) or a 401.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import threading
import time
from typing import Any, Protocol

import firebase_admin
from firebase_admin import auth, credentials, exceptions
from google.auth.credentials import AnonymousCredentials

from boiler_core.deployment import check_environment
from boiler_core.http.api_error import ApiError, unauthenticated

BEARER = "bearer"
ISSUER_PREFIX = "https://securetoken.google.com/"
MAX_TOKEN_CHARS = 16 * 1024
"""Longest ID token accepted; Firebase's are about 1 KiB (custom claims add at most 1,000 bytes)."""
TIME_CLAIMS = ("iat", "exp")
"""Claims every Firebase ID token holds as numbers (seconds since the epoch)."""


class TokenVerifier(Protocol):
    """Turns an ID token into the caller's uid."""

    def verify(self, token: str) -> str:
        """The uid the token was issued to; raises :class:`InvalidToken` when it is not valid."""
        ...


class InvalidToken(Exception):
    """Raised by a :class:`TokenVerifier` when a token is malformed, forged, expired or revoked.

    Its message is safe to show to the caller (it names the problem, not server internals).
    """


class FirebaseTokenVerifier:
    """Verifies Firebase ID tokens of ``project`` (None: the project of the environment)."""

    def __init__(self, project: str | None, *, check_revoked: bool = False) -> None:
        self.project = project
        self.check_revoked = check_revoked
        self._app: firebase_admin.App | None = None
        self._lock = threading.Lock()

    def verify(self, token: str) -> str:
        """The uid of a valid token; :class:`InvalidToken` otherwise; 503 (:class:`ApiError`)
        when the certificates or, with ``check_revoked``, the Auth backend cannot be reached."""
        if not token:
            raise InvalidToken("the ID token is empty")
        check_token_shape(token)
        app = self._firebase_app()
        try:
            claims: dict[str, Any] = auth.verify_id_token(
                token, app=app, check_revoked=self.check_revoked
            )
        except auth.ExpiredIdTokenError as exc:
            raise InvalidToken("the ID token has expired") from exc
        except auth.RevokedIdTokenError as exc:
            raise InvalidToken("the ID token has been revoked") from exc
        except auth.UserDisabledError as exc:
            raise InvalidToken("the user of the ID token is disabled") from exc
        except auth.UserNotFoundError as exc:
            raise InvalidToken("the user of the ID token no longer exists") from exc
        except exceptions.InvalidArgumentError as exc:  # InvalidIdTokenError among others
            raise InvalidToken("the ID token is not a valid Firebase ID token") from exc
        except exceptions.FirebaseError as exc:  # certificates or the Auth backend unreachable
            raise _cannot_check() from exc
        return str(claims["uid"])

    @property
    def app_name(self) -> str:
        """The name of the Firebase app it verifies with, shared by the verifiers of the same
        project and ``check_revoked`` (the app keeps firebase-admin's key and user caches)."""
        revocable = "-check-revoked" if self.check_revoked else ""
        return f"boiler-http-{self.project or 'default-project'}{revocable}"

    def _firebase_app(self) -> firebase_admin.App:
        with self._lock:
            if self._app is None:
                check_environment(os.environ)  # unsigned tokens must not pass in a deployment
                name = self.app_name
                try:
                    self._app = firebase_admin.get_app(name)
                except ValueError:
                    self._app = self._initialize(name)
            return self._app

    def _initialize(self, name: str) -> firebase_admin.App:
        """A Firebase app for verifying only: checking a signature needs Google's public
        certificates, not credentials, so with a known project none are loaded (revocation
        checks call the Auth API and do need them)."""
        if self.project is None or self.check_revoked:
            options = {"projectId": self.project} if self.project else None
            return firebase_admin.initialize_app(options=options, name=name)
        options = {"projectId": self.project}
        return firebase_admin.initialize_app(_VerifyOnly(), options=options, name=name)


class _VerifyOnly(credentials.Base):  # type: ignore[misc]
    """Anonymous credentials: enough to verify ID tokens, refused by every other Firebase API."""

    def get_credential(self) -> AnonymousCredentials:
        return AnonymousCredentials()  # type: ignore[no-untyped-call]


def check_token_shape(token: str) -> None:
    """:class:`InvalidToken` unless ``token`` looks like a Firebase ID token: at most
    :data:`MAX_TOKEN_CHARS`, three base64url parts, a header and a payload that are JSON objects
    (any nesting Python cannot parse is refused here), :data:`TIME_CLAIMS` numbers. What it lets
    through, firebase-admin then verifies (signature, audience, issuer, expiry)."""
    if len(token) > MAX_TOKEN_CHARS:
        raise InvalidToken(f"the ID token is longer than {MAX_TOKEN_CHARS} characters")
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("the ID token is not a JWT (three parts separated by '.')")
    header, payload = (_json_object(part) for part in parts[:2])
    if header is None or payload is None:
        raise InvalidToken("the ID token is not a JWT (header and payload must be JSON objects)")
    for claim in TIME_CLAIMS:
        value = payload.get(claim)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidToken(f"the ID token's '{claim}' claim is not a time in seconds")


def caller_uid(authorization: str | None, verifier: TokenVerifier) -> str | None:
    """The uid named by an ``Authorization`` header value; None without one; 401 when invalid."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != BEARER or not token:
        raise unauthenticated("send the Firebase ID token as 'Authorization: Bearer <token>'")
    try:
        return verifier.verify(token)
    except InvalidToken as exc:
        raise unauthenticated(f"{exc}; sign in again and send a fresh ID token") from exc


def emulator_id_token(uid: str, project: str, *, lifetime: int = 3600) -> str:
    """An unsigned ID token for ``uid``, as the Firebase Auth emulator issues them.

    Accepted only where ``FIREBASE_AUTH_EMULATOR_HOST`` is set (firebase-admin's emulator mode);
    useful for tests and for calling ``boiler dev`` with curl.
    """
    now = int(time.time())
    claims = {
        "iss": ISSUER_PREFIX + project,
        "aud": project,
        "auth_time": now,
        "user_id": uid,
        "sub": uid,
        "iat": now,
        "exp": now + lifetime,
        "firebase": {"identities": {}, "sign_in_provider": "custom"},
    }
    header = {"alg": "none", "typ": "JWT"}
    return f"{_segment(header)}.{_segment(claims)}."


def _segment(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _json_object(part: str) -> dict[str, Any] | None:
    """The JSON object a base64url JWT part encodes; None when it is anything else."""
    try:
        raw = base64.b64decode(part + "=" * (-len(part) % 4), altchars=b"-_", validate=True)
        value = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _cannot_check() -> ApiError:
    return ApiError(
        503, "the ID token cannot be checked right now; retry shortly", headers={"Retry-After": "5"}
    )
