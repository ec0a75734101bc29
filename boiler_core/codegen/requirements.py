"""``functions/requirements.txt``: what the deployed functions install besides boiler_core.

boiler_core itself is copied into the functions folder before deploy (it is not on PyPI), so the
file lists boiler_core's runtime dependencies with the ranges of ``pyproject.toml`` (a unit test
keeps the two in step), except :data:`CLI_ONLY`: only the ``boiler`` command line uses those.
"""

from __future__ import annotations

from boiler_core.codegen.header import HEADER

RUNTIME_REQUIREMENTS = (
    "firebase-admin>=6.5,<8",
    "firebase-functions>=0.6,<0.7",
    "flask-swagger-ui>=5.17,<6",
    "flask>=3,<4",
    "google-cloud-firestore>=2.16,<3",
    "marshmallow>=4,<5",
    "pyyaml>=6,<7",
)
"""Sorted as text; the same specifiers as ``[project] dependencies`` in pyproject.toml."""

CLI_ONLY = ("click", "apispec")
"""Dependencies of boiler_core that the deployed functions never import (the functions serve the
generated ``openapi.json``; only ``boiler generate`` and ``boiler openapi`` run apispec)."""


def render_requirements() -> str:
    """The text of ``functions/requirements.txt``."""
    return "\n".join((HEADER, *RUNTIME_REQUIREMENTS)) + "\n"
