"""Assembling and checking what ``firebase deploy`` ships, for ``deploy.sh``.

* :mod:`~boiler_core.deploy.config`: firebase.json as the Firebase CLI reads it (pure);
* :mod:`~boiler_core.deploy.bundle`: boiler_core vendored into the functions folder, the files an
  upload takes, key files that must not be among them;
* :mod:`~boiler_core.deploy.discovery`: the functions manifest, read as ``firebase deploy`` reads
  it (the venv's ``firebase_functions/private/serving.py``);
* :mod:`~boiler_core.deploy.plan`: that manifest checked against views.yaml, and the plan in words
  (pure).

``python -m boiler_core.deploy bundle`` runs them in that order (see ``__main__``); deploy.sh
calls it after building ``functions/venv``.
"""

from boiler_core.deploy.bundle import remove_vendored, upload_files, vendor_package
from boiler_core.deploy.config import FirebaseConfig, load_firebase_config, python_for_runtime
from boiler_core.deploy.discovery import discover_functions
from boiler_core.deploy.errors import DeployError, DiscoveryFailed
from boiler_core.deploy.plan import Plan, check_bundle, endpoints, render_plan

__all__ = [
    "DeployError",
    "DiscoveryFailed",
    "FirebaseConfig",
    "Plan",
    "check_bundle",
    "discover_functions",
    "endpoints",
    "load_firebase_config",
    "python_for_runtime",
    "remove_vendored",
    "render_plan",
    "upload_files",
    "vendor_package",
]
