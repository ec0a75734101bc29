"""Ready-made :class:`~boiler_core.http.api.HttpApi` instances: deployed and local.

:func:`deployed_api` is what the generated ``main.py`` builds: Firestore and Firebase Auth of the
environment's project, and the ``openapi.json`` generated beside ``main.py`` (so the function
serves the reviewed document and needs no apispec at run time). Both check revoked tokens when
views.yaml's ``project.check_revoked`` says so. :func:`local_api` is what
``boiler dev`` and the tests serve: an explicit project (the emulator's), and the document
generated from the manifest on first request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from boiler_core.http.api import HttpApi
from boiler_core.http.auth import FirebaseTokenVerifier, TokenVerifier
from boiler_core.http.backends import BackendFactory, firestore_backend
from boiler_core.http.routes import OPENAPI_FILE
from boiler_core.logs import LogSink, print_log
from boiler_core.manifest.model import Manifest


def deployed_api(manifest: Manifest, *, base_dir: Path) -> HttpApi:
    """The API of a deployed ``main.py`` whose folder is ``base_dir``."""
    spec_file = base_dir / OPENAPI_FILE

    def spec() -> Mapping[str, Any]:
        document: Mapping[str, Any] = json.loads(spec_file.read_text(encoding="utf-8"))
        return document

    return HttpApi(
        manifest,
        backend=firestore_backend(manifest, None),
        verifier=FirebaseTokenVerifier(None, check_revoked=manifest.project.check_revoked),
        spec=spec,
        functions_dir=base_dir,
    )


def local_api(
    manifest: Manifest,
    *,
    project: str,
    functions_dir: Path | None = None,
    backend: BackendFactory | None = None,
    verifier: TokenVerifier | None = None,
    log: LogSink = print_log,
) -> HttpApi:
    """The API on ``project`` (by default Firestore of ``FIRESTORE_EMULATOR_HOST``)."""
    from boiler_core.http.openapi import openapi_spec  # apispec: not needed by deployed code

    return HttpApi(
        manifest,
        backend=backend or firestore_backend(manifest, project),
        verifier=verifier
        or FirebaseTokenVerifier(project, check_revoked=manifest.project.check_revoked),
        spec=lambda: openapi_spec(manifest),
        functions_dir=functions_dir,
        log=log,
    )
