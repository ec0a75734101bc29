""":class:`HttpApi`: one request in, one response out, for every route of the manifest.

The generated ``main.py`` hands each request of its HTTP function to :meth:`HttpApi.handle`;
:mod:`.server` serves the same object locally. Per request:

1. the path is routed first: 404 for an unknown path, 405 (with ``Allow``) for an unknown method,
   ``OPTIONS`` answered (CORS preflight included), all before any token check or data access, so
   probes such as the Functions emulator's ``GET /__/health`` cause no side effect;
2. the bearer token, if any, is verified (401 when invalid);
3. the operation runs (:mod:`.reads`, :mod:`.mutations`).

Refusals raise :class:`~boiler_core.http.problems.ApiError` and are answered as JSON errors. A
deployed function whose environment names an emulator answers 503 ``misconfigured`` and logs why
(:mod:`boiler_core.deployment`). Anything else is a bug or an outage: it is logged once with its
trace under a fresh id, and the client gets a generic 500 naming that id. Every response gets
the CORS headers of an allowed ``Origin`` (explicit allow-list, ``project.cors_origins``) and
``X-Content-Type-Options``.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import Response
from werkzeug.wrappers import Request

from boiler_core.errors import EmulatorInDeployment, GenerateError
from boiler_core.http.access import PolicyHook, enforceable
from boiler_core.http.auth import TokenVerifier, caller_uid
from boiler_core.http.backends import Backend, BackendFactory
from boiler_core.http.bodies import MAX_BODY_BYTES
from boiler_core.http.docs_page import docs_asset, docs_page
from boiler_core.http.mutations import MutationCode, Mutations, run_mutation
from boiler_core.http.problems import (
    ApiError,
    error_response,
    internal_error,
    json_response,
    misconfigured,
)
from boiler_core.http.reads import check_query, list_documents, read_document
from boiler_core.http.routes import RouteTable
from boiler_core.http.versions import conditions
from boiler_core.logs import LogSink, print_log
from boiler_core.manifest.imports import import_object, importable_from
from boiler_core.manifest.model import Manifest

SpecSource = Callable[[], Mapping[str, Any]]
"""Returns the OpenAPI document served at ``/openapi.json``."""

CORS_HEADERS = "Authorization, Content-Type, If-Match, If-None-Match"
CORS_MAX_AGE = "600"
ANY_ORIGIN = "*"


class HttpApi:
    """The HTTP API of ``manifest``; construction imports its code and opens no connection."""

    def __init__(
        self,
        manifest: Manifest,
        *,
        backend: BackendFactory,
        verifier: TokenVerifier,
        spec: SpecSource,
        functions_dir: Path | None = None,
        cors_origins: Sequence[str] | None = None,
        body_limit: int = MAX_BODY_BYTES,
        log: LogSink = print_log,
    ) -> None:
        problems = enforceable(manifest)
        if problems:
            raise GenerateError("\n".join(problems))
        self.manifest = manifest
        self.routes = RouteTable(manifest)
        self.verifier = verifier
        self.cors_origins = tuple(
            manifest.project.cors_origins if cors_origins is None else cors_origins
        )
        self.body_limit = body_limit
        self._backend_factory = backend
        self._spec_source = spec
        self._log = log
        self._lock = threading.Lock()
        self._backend: Backend | None = None
        self._spec: Mapping[str, Any] | None = None
        with importable_from(functions_dir):
            self._code = {
                m.name: MutationCode(
                    import_object(m.handler), import_object(m.body) if m.body else None
                )
                for m in manifest.mutations.values()
            }
            self._policy_hooks: dict[str, PolicyHook] = {
                str(m.policy.value): import_object(str(m.policy.value))
                for m in manifest.mutations.values()
                if m.policy.kind == "hook"
            }

    # -- entry points ----------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """Answer one request (never raises)."""
        started = time.perf_counter()
        cause: str | None = None
        try:
            response = self._dispatch(request)
        except ApiError as exc:
            response = error_response(exc)
            if exc.status >= 500 and exc.__cause__ is not None:  # an outage: say what failed
                cause = f"{type(exc.__cause__).__name__}: {exc.__cause__}"
        except EmulatorInDeployment as exc:
            self._log({"severity": "ERROR", "message": str(exc)})
            response = misconfigured()
        except Exception:
            error_id = uuid.uuid4().hex[:16]
            self._log_failure(request, error_id)
            response = internal_error(error_id)
        response.headers.update(self._cors(request))
        response.headers["X-Content-Type-Options"] = "nosniff"
        self._log_request(request, response, started, cause)
        return response

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        """The API as a plain WSGI application."""
        return self.handle(Request(environ))(environ, start_response)

    # -- dispatch --------------------------------------------------------------------------------

    def _dispatch(self, request: Request) -> Response:
        path = request.path[1:] if request.path.startswith("/") else request.path
        method = request.method
        page = self._own_page(path, method)
        if page is not None:
            return page
        match = self.routes.resolve(path)
        if method == "OPTIONS":
            return self._options(request, match.allowed)
        op = match.operation(method)
        params = match.params(op)
        uid = caller_uid(request.headers.get("Authorization"), self.verifier)
        backend = self._data()
        if op.kind == "get":
            check_query(request.args, ())
            if_none_match = conditions("If-None-Match", request.headers.get("If-None-Match"))
            return read_document(op, params, uid, if_none_match, backend.store)
        if op.kind == "list":
            return list_documents(op, params, request.args, uid, backend.store, backend.store)
        mutations = Mutations(
            self.manifest,
            backend.store,
            self._code,
            self._policy_hooks,
            backend.content,
            self.body_limit,
        )
        return run_mutation(op, params, uid, request, mutations)

    def _own_page(self, path: str, method: str) -> Response | None:
        """``openapi.json``, ``docs`` and ``docs/assets/NAME``; None for any other path."""
        parts = path.split("/")
        if path not in ("openapi.json", "docs") and not (
            len(parts) == 3 and path.startswith("docs/assets/")
        ):
            return None
        if method not in ("GET", "HEAD", "OPTIONS"):
            raise ApiError(
                405, f"{method} is not allowed on /{path}", headers={"Allow": "GET, HEAD, OPTIONS"}
            )
        if method == "OPTIONS":
            return Response(status=204, headers={"Allow": "GET, HEAD, OPTIONS"})
        if path == "openapi.json":
            response = json_response(self.spec())
            response.headers["Cache-Control"] = "no-cache"
            return response
        if path == "docs":
            return docs_page(str(self.spec().get("info", {}).get("title", "API")))
        return docs_asset(parts[2])

    def spec(self) -> Mapping[str, Any]:
        """The OpenAPI document (loaded once)."""
        with self._lock:
            if self._spec is None:
                self._spec = self._spec_source()
            return self._spec

    def _data(self) -> Backend:
        with self._lock:
            if self._backend is None:
                self._backend = self._backend_factory()
            return self._backend

    # -- CORS ------------------------------------------------------------------------------------

    def _options(self, request: Request, allowed: tuple[str, ...]) -> Response:
        response = Response(status=204, headers={"Allow": ", ".join(allowed)})
        wanted = request.headers.get("Access-Control-Request-Method")
        if wanted is not None and self._allowed_origin(request) is not None:
            response.headers["Access-Control-Allow-Methods"] = ", ".join(allowed)
            response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
            response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
        return response

    def _cors(self, request: Request) -> dict[str, str]:
        if not self.cors_origins:
            return {}
        origin = self._allowed_origin(request)
        headers = {} if ANY_ORIGIN in self.cors_origins else {"Vary": "Origin"}
        if origin is not None:
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Expose-Headers"] = "ETag"
        return headers

    def _allowed_origin(self, request: Request) -> str | None:
        origin = request.headers.get("Origin")
        if origin is None:
            return None
        if ANY_ORIGIN in self.cors_origins:
            return ANY_ORIGIN
        return origin if origin in self.cors_origins else None

    # -- logging ---------------------------------------------------------------------------------

    def _log_request(
        self, request: Request, response: Response, started: float, cause: str | None = None
    ) -> None:
        status = response.status_code
        severity = "ERROR" if status >= 500 else "WARNING" if status >= 400 else "INFO"
        message = f"{request.method} {request.path} {status}"
        self._log(
            {
                "severity": severity,
                "message": message if cause is None else f"{message} ({cause})",
                "httpRequest": {
                    "requestMethod": request.method,
                    "requestUrl": request.path,
                    "status": status,
                    "latency": f"{time.perf_counter() - started:.6f}s",
                },
            }
        )

    def _log_failure(self, request: Request, error_id: str) -> None:
        trace = traceback.format_exc()
        self._log(
            {
                "severity": "ERROR",
                "message": f"{request.method} {request.path} failed (error id {error_id})\n{trace}",
                "error_id": error_id,
            }
        )
