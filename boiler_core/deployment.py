"""Where boiler runs: a deployed function, or a machine where emulators belong.

Emulator variables (``FIRESTORE_EMULATOR_HOST``, ``FIREBASE_AUTH_EMULATOR_HOST``, any other
``*_EMULATOR_HOST``, ``FIREBASE_EMULATOR_HUB``) switch Google's clients to emulators:
firebase-admin then accepts unsigned ID tokens, and the Firestore client talks to whatever
listens at that address, without credentials. Set in a deployed function, by a stray
``functions/.env`` line or a service variable, either would be a hole. So every part of boiler
that obeys one of them asks :func:`check_environment` first, which raises
:class:`~boiler_core.errors.EmulatorInDeployment` when the environment is a deployed one
(:func:`is_deployed`) and names an emulator. :class:`EnvironmentGuard` is what the generated
functions use: it checks once per instance, logs one ERROR line, and refuses every later event or
request.

A deployed function is recognised the way Cloud Run and Cloud Functions (2nd gen) mark it:
``K_SERVICE`` is set. Two environments set it too and are not deployed: Firebase's Functions
emulator, which also sets ``FUNCTIONS_EMULATOR=true`` (as firebase-functions' own check reads
it), and any environment whose project is a ``demo-*`` one, a project id Firebase reserves for
emulators (no deployed function can have one).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping

from boiler_core.errors import EmulatorInDeployment
from boiler_core.logs import LogSink

SERVICE_VARIABLE = "K_SERVICE"
"""Set by Cloud Run (and so Cloud Functions 2nd gen) to the service's name."""

FUNCTIONS_EMULATOR_VARIABLE = "FUNCTIONS_EMULATOR"
"""Set to ``true`` by Firebase's Functions emulator."""

PROJECT_VARIABLES = ("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT")
"""Where the project id of a function's environment is found (besides ``FIREBASE_CONFIG``)."""

DEMO_PREFIX = "demo-"
"""Project ids Firebase reserves for emulators."""

EMULATOR_SUFFIX = "_EMULATOR_HOST"
EMULATOR_HUB = "FIREBASE_EMULATOR_HUB"

_CONSEQUENCES = {
    "FIREBASE_AUTH_EMULATOR_HOST": "firebase-admin would accept unsigned ID tokens from anyone",
    "FIRESTORE_EMULATOR_HOST": "the Firestore clients would use an emulator, without credentials",
}


def is_deployed(environ: Mapping[str, str]) -> bool:
    """Whether ``environ`` is a deployed function's (see the module docstring)."""
    if not environ.get(SERVICE_VARIABLE):
        return False
    if environ.get(FUNCTIONS_EMULATOR_VARIABLE, "").lower() == "true":
        return False
    projects = _projects(environ)
    return not projects or not all(p.startswith(DEMO_PREFIX) for p in projects)


def emulator_variables(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The emulator variables set (non-empty) in ``environ``, sorted."""
    return tuple(
        sorted(
            name
            for name, value in environ.items()
            if value and (name.endswith(EMULATOR_SUFFIX) or name == EMULATOR_HUB)
        )
    )


def refusal(environ: Mapping[str, str]) -> str | None:
    """Why ``environ`` must not serve (one line naming each variable and the fix), or None."""
    found = emulator_variables(environ)
    if not found or not is_deployed(environ):
        return None
    named = ", ".join(f"{name}={environ[name]}" for name in found)
    why = "; ".join(
        f"with {name} {_CONSEQUENCES.get(name, 'a client would use an emulator')}" for name in found
    )
    projects = ", ".join(_projects(environ)) or "unknown"
    return (
        f"refusing to serve: emulator variable(s) {named} set in a deployed function "
        f"({SERVICE_VARIABLE}={environ[SERVICE_VARIABLE]}, project {projects}); {why}. "
        "Remove them from the function's environment (functions/.env files, the service's "
        "variables, or code that sets them) and deploy again"
    )


def check_environment(environ: Mapping[str, str]) -> None:
    """Raise :class:`~boiler_core.errors.EmulatorInDeployment` when ``environ`` is a deployed
    function's and names an emulator."""
    reason = refusal(environ)
    if reason is not None:
        raise EmulatorInDeployment(reason)


class EnvironmentGuard:
    """:func:`check_environment` for one function instance: the environment is read on the
    first :meth:`check` (not at import, so ``firebase deploy``'s discovery is unaffected); when
    it must not serve, one ERROR line goes to ``log`` and every :meth:`check` raises."""

    def __init__(self, environ: Mapping[str, str], log: LogSink) -> None:
        self._environ = environ
        self._log = log
        self._lock = threading.Lock()
        self._checked = False
        self._reason: str | None = None

    def check(self) -> None:
        """Raise :class:`~boiler_core.errors.EmulatorInDeployment` when this instance must not
        serve (logged once, on the first check)."""
        with self._lock:
            if not self._checked:
                self._checked = True
                self._reason = refusal(self._environ)
                if self._reason is not None:
                    found = list(emulator_variables(self._environ))
                    self._log({"severity": "ERROR", "message": self._reason, "variables": found})
        if self._reason is not None:
            raise EmulatorInDeployment(self._reason)


def _projects(environ: Mapping[str, str]) -> tuple[str, ...]:
    """Every project id ``environ`` names (``FIREBASE_CONFIG``'s ``projectId`` included)."""
    found = [environ[name] for name in PROJECT_VARIABLES if environ.get(name)]
    config = environ.get("FIREBASE_CONFIG", "")
    if config.startswith("{"):
        try:
            project = json.loads(config).get("projectId")
        except (ValueError, AttributeError, RecursionError):
            project = None
        if isinstance(project, str) and project:
            found.append(project)
    return tuple(dict.fromkeys(found))
