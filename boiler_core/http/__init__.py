"""The HTTP API: authenticated, validated, transactional mutations; view reads; OpenAPI docs.

See docs/http.md. The generated ``main.py`` builds :func:`~boiler_core.http.factory.deployed_api`
and hands each request of its HTTP function to :meth:`HttpApi.handle`; ``boiler dev`` serves
:func:`~boiler_core.http.factory.local_api` with :class:`LocalServer`; ``boiler generate`` and
``boiler openapi`` write :func:`boiler_core.http.openapi.render_openapi`.

This package imports apispec only in :mod:`.openapi`, which the deployed functions never load
(they serve the generated ``openapi.json``), so apispec is not a requirement of the functions.
"""

from boiler_core.http.api import HttpApi
from boiler_core.http.auth import FirebaseTokenVerifier, emulator_id_token
from boiler_core.http.backends import firestore_backend, memory_backend
from boiler_core.http.factory import OPENAPI_FILE, deployed_api, local_api
from boiler_core.http.problems import ApiError
from boiler_core.http.server import LocalServer, function_app

__all__ = [
    "OPENAPI_FILE",
    "ApiError",
    "FirebaseTokenVerifier",
    "HttpApi",
    "LocalServer",
    "deployed_api",
    "emulator_id_token",
    "firestore_backend",
    "function_app",
    "local_api",
    "memory_backend",
]
