"""``functions/requirements.txt``: what Cloud Build installs for the deployed functions.

boiler-core is not on PyPI, so the file installs it from the functions folder's ``wheels/``
folder, where ``boiler deploy`` puts a wheel of the boiler that runs it (pip resolves a relative
``--find-links`` in a requirements file against the file's own folder). It pins the version of the
boiler that generated it, so the functions run exactly the boiler that checked them, and the
versions boiler's tests ran with (:mod:`.pins`: its runtime dependencies and the Google and
Firebase client and trigger stack below them); boiler-core brings the rest of what the generated
``main.py`` imports. The app's own dependencies (``project.requirements`` in views.yaml, for its
hooks) come last.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import boiler_core
from boiler_core.codegen.header import HEADER

if TYPE_CHECKING:  # imported when rendering: `python -m boiler_core.codegen.pins` runs it alone
    from boiler_core.codegen.pins import Pin

DISTRIBUTION = "boiler-core"
"""boiler's distribution name, as requirements.txt names it."""

WHEELS_DIR = "wheels"
"""Folder of the functions folder that holds the wheel (requirements.txt's ``--find-links``)."""


def render_requirements(
    version: str = boiler_core.__version__,
    *,
    pins: Sequence[Pin] | None = None,
    app: Sequence[str] = (),
) -> str:
    """The text of ``functions/requirements.txt`` for boiler ``version``, with ``pins`` (by
    default boiler's, :func:`~.pins.load_pins`) and the app's own requirement lines."""
    from boiler_core.codegen.pins import load_pins

    lines = [
        HEADER,
        f"# {DISTRIBUTION} comes from {WHEELS_DIR}/, where `boiler deploy` puts its wheel.",
        f"--find-links {WHEELS_DIR}",
        f"{DISTRIBUTION}=={version}",
        "# The versions boiler's tests ran with.",
        *(pin.line() for pin in (load_pins() if pins is None else pins)),
    ]
    if app:
        lines += ["# The app's own (views.yaml, project.requirements).", *app]
    return "\n".join(lines) + "\n"
