"""Assembling and checking what ``firebase deploy`` ships, for ``boiler deploy``.

* :mod:`~boiler_core.deploy.config`: firebase.json as the Firebase CLI reads it, boiler's codebase
  picked by views.yaml's ``functions_dir`` (pure);
* :mod:`~boiler_core.deploy.agreement`: firebase.json and views.yaml agree (``boiler check``);
* :mod:`~boiler_core.deploy.preflight`: the tools, credentials and project a deploy needs;
* :mod:`~boiler_core.deploy.wheel`: a wheel of the running boiler for the functions folder;
* :mod:`~boiler_core.deploy.venv`: the functions venv ``firebase deploy`` discovers with;
* :mod:`~boiler_core.deploy.bundle`: the files an upload takes, and what it must not take;
* :mod:`~boiler_core.deploy.shipping`: the allow-list of what the functions folder ships (pure);
* :mod:`~boiler_core.deploy.secrets`: keys and credentials in the content of a file;
* :mod:`~boiler_core.deploy.discovery`: the functions manifest, read as ``firebase deploy`` reads
  it (the venv's ``firebase_functions/private/serving.py``);
* :mod:`~boiler_core.deploy.plan`: that manifest checked against views.yaml, and the plan in words
  (pure).

The command that runs them in order is :mod:`boiler_core.cli.deploy`.
"""

from boiler_core.deploy.bundle import upload_files
from boiler_core.deploy.config import FirebaseConfig, load_firebase_config, python_for_runtime
from boiler_core.deploy.discovery import discover_functions
from boiler_core.deploy.errors import DeployError, DiscoveryFailed
from boiler_core.deploy.plan import Plan, check_bundle, endpoints, render_plan
from boiler_core.deploy.wheel import build_wheel

__all__ = [
    "DeployError",
    "DiscoveryFailed",
    "FirebaseConfig",
    "Plan",
    "build_wheel",
    "check_bundle",
    "discover_functions",
    "endpoints",
    "load_firebase_config",
    "python_for_runtime",
    "render_plan",
    "upload_files",
]
