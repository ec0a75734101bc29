"""Errors of assembling and checking a deploy bundle.

They derive from :class:`~boiler_core.errors.BoilerError`::

    BoilerError
    +-- DeployError           the bundle cannot be assembled, or is not what views.yaml asks for
        +-- DiscoveryFailed   firebase_functions' serving.py gave no functions manifest
"""

from __future__ import annotations

from boiler_core.errors import BoilerError


class DeployError(BoilerError):
    """Raised when firebase.json, the functions folder or the discovered functions are unfit to
    deploy; :attr:`problems` lists every problem found, each saying how to fix it."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class DiscoveryFailed(DeployError):
    """Raised when the functions manifest cannot be read the way ``firebase deploy`` reads it
    (the venv lacks the SDK, main.py fails to import, serving.py does not answer); the message
    quotes the end of its output."""
