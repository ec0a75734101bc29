"""Who is calling: Firebase ID tokens from ``Authorization: Bearer``, verified with firebase-admin.

:class:`FirebaseTokenVerifier` calls ``firebase_admin.auth.verify_id_token`` on an app of its own
(named after the project, so it never touches the app's default Firebase app). In production it
checks Google's signature, the audience and issuer of the project, and the expiry. Where
``FIREBASE_AUTH_EMULATOR_HOST`` is set, firebase-admin's emulator mode accepts unsigned tokens
(``alg: none``) and checks only the audience, issuer and subject: that is how the Firebase Auth
emulator's tokens are checked, and how tests and ``boiler dev`` sign in (see
:func:`emulator_id_token`). boiler itself never sets that variable, and refuses to verify
anything in a deployed function where it is set (:mod:`boiler_core.deployment`).

:func:`caller_uid` turns the request's header into a uid (None when there is no header) or a 401.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from typing import Any, Protocol

import firebase_admin
from firebase_admin import auth, credentials
from google.auth.credentials import AnonymousCredentials

from boiler_core.deployment import check_environment
from boiler_core.http.problems import ApiError

BEARER = "bearer"
ISSUER_PREFIX = "https://securetoken.google.com/"


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
        """The uid of a valid token; :class:`InvalidToken` otherwise."""
        try:
            claims: dict[str, Any] = auth.verify_id_token(
                token, app=self._firebase_app(), check_revoked=self.check_revoked
            )
        except auth.ExpiredIdTokenError as exc:
            raise InvalidToken("the ID token has expired") from exc
        except auth.RevokedIdTokenError as exc:
            raise InvalidToken("the ID token has been revoked") from exc
        except auth.UserDisabledError as exc:
            raise InvalidToken("the user of the ID token is disabled") from exc
        except auth.InvalidIdTokenError as exc:
            raise InvalidToken("the ID token is not a valid Firebase ID token") from exc
        except auth.CertificateFetchError as exc:
            raise ApiError(
                503,
                "the ID token cannot be checked right now; retry shortly",
                headers={"Retry-After": "5"},
            ) from exc
        except ValueError as exc:
            if not token:
                raise InvalidToken("the ID token is empty") from exc
            raise  # a configuration problem (no project id): an internal error
        return str(claims["uid"])

    def _firebase_app(self) -> firebase_admin.App:
        with self._lock:
            if self._app is None:
                check_environment(os.environ)  # unsigned tokens must not pass in a deployment
                name = f"boiler-http-{self.project or 'default-project'}"
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


def caller_uid(authorization: str | None, verifier: TokenVerifier) -> str | None:
    """The uid named by an ``Authorization`` header value; None without one; 401 when invalid."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != BEARER or not token:
        raise _unauthenticated("send the Firebase ID token as 'Authorization: Bearer <token>'")
    try:
        return verifier.verify(token)
    except InvalidToken as exc:
        raise _unauthenticated(f"{exc}; sign in again and send a fresh ID token") from exc


def require_uid(uid: str | None) -> str:
    """``uid``, or 401 when the caller is anonymous."""
    if uid is None:
        raise _unauthenticated("this operation needs a Firebase ID token (Authorization: Bearer)")
    return uid


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


def _unauthenticated(message: str) -> ApiError:
    return ApiError(401, message, headers={"WWW-Authenticate": 'Bearer realm="boiler"'})
