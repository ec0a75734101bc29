"""The HTTP API: authenticated, validated, transactional mutations; view reads; OpenAPI docs.

See docs/http.md. The generated ``main.py`` builds :func:`~boiler_core.http.factory.deployed_api`
and hands each request of its HTTP function to :meth:`HttpApi.handle`; ``boiler dev`` serves
:func:`~boiler_core.http.factory.local_api` with :class:`LocalServer`; ``boiler generate`` and
``boiler openapi`` write :func:`boiler_core.http.openapi.render_openapi`.

Two layers (checked by ``make lint``): the API described, with no Flask, Firebase Auth or
Firestore (:mod:`.routes`, :mod:`.access`, :mod:`.api_error`, :mod:`.view_schemas`,
:mod:`.openapi`), which ``boiler generate`` renders files from; and the runtime serving it (every
other module). Importing this package loads neither: the names below are imported on first use.

This package imports apispec only in :mod:`.openapi`, which the deployed functions never load
(they serve the generated ``openapi.json``), so apispec is not a requirement of the functions.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from boiler_core.http.api import HttpApi
    from boiler_core.http.api_error import ApiError
    from boiler_core.http.auth import FirebaseTokenVerifier, emulator_id_token
    from boiler_core.http.backends import firestore_backend, memory_backend
    from boiler_core.http.factory import deployed_api, local_api
    from boiler_core.http.routes import OPENAPI_FILE
    from boiler_core.http.server import LocalServer, function_app

_WHERE = {
    "OPENAPI_FILE": "routes",
    "ApiError": "api_error",
    "FirebaseTokenVerifier": "auth",
    "HttpApi": "api",
    "LocalServer": "server",
    "deployed_api": "factory",
    "emulator_id_token": "auth",
    "firestore_backend": "backends",
    "function_app": "server",
    "local_api": "factory",
    "memory_backend": "backends",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)


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
