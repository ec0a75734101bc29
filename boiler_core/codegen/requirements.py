"""``functions/requirements.txt``: what Cloud Build installs for the deployed functions.

boiler-core is not on PyPI, so the file installs it from the functions folder's ``wheels/``
folder, where ``boiler deploy`` puts a wheel of the boiler that runs it (pip resolves a relative
``--find-links`` in a requirements file against the file's own folder). It pins the version of the
boiler that generated it, so the functions run exactly the boiler that checked them; boiler-core
brings everything else the generated ``main.py`` imports (firebase-functions, firebase-admin, the
Firestore client, marshmallow, Flask).
"""

from __future__ import annotations

import boiler_core
from boiler_core.codegen.header import HEADER
from boiler_core.deploy.wheel import DISTRIBUTION, WHEELS_DIR


def render_requirements(version: str = boiler_core.__version__) -> str:
    """The text of ``functions/requirements.txt`` for boiler ``version``."""
    lines = (
        HEADER,
        f"# {DISTRIBUTION} comes from {WHEELS_DIR}/, where `boiler deploy` puts its wheel.",
        f"--find-links {WHEELS_DIR}",
        f"{DISTRIBUTION}=={version}",
    )
    return "\n".join(lines) + "\n"
