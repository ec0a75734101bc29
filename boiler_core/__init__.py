"""boiler: keep Firestore view collections exactly current from normalized domain collections.

The public API is what ``__all__`` names; apps import it from here::

    from boiler_core import MutationContext, NotFound, Reference, Sources, ref_id

and their tests from :mod:`boiler_core.testing` (``App``, ``Harness``). Every other module is
internal: it may change in any release.

Importing ``boiler_core`` loads none of its dependencies: each name is imported on first use, so
``boiler_core.__version__`` costs nothing and ``Sources`` loads no Firestore client or Flask.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

if TYPE_CHECKING:
    from boiler_core import testing
    from boiler_core.documents import Doc, Ref, ref_id
    from boiler_core.engine.sources import Sources
    from boiler_core.errors import (
        BoilerError,
        CheckpointError,
        ComputeError,
        Conflict,
        ContentionError,
        EmulatorInDeployment,
        GenerateError,
        HookError,
        ManifestError,
        NotFound,
        NotQueued,
        Problem,
        Refused,
        Rejected,
        SeedError,
        StoreError,
        StoryError,
        Unfinished,
    )
    from boiler_core.functions_runtime import DeployedApi, Triggers, WrittenEvent
    from boiler_core.mutation_api import MutationContext
    from boiler_core.schema_fields import Reference

_ERRORS = (
    "BoilerError",
    "CheckpointError",
    "ComputeError",
    "Conflict",
    "ContentionError",
    "EmulatorInDeployment",
    "GenerateError",
    "HookError",
    "ManifestError",
    "NotFound",
    "NotQueued",
    "Problem",
    "Refused",
    "Rejected",
    "SeedError",
    "StoreError",
    "StoryError",
    "Unfinished",
)
_MODULE_OF: dict[str, str] = {
    # hooks (views.yaml `hook:` fields)
    "Doc": "boiler_core.documents",
    "Ref": "boiler_core.documents",
    "Sources": "boiler_core.engine.sources",
    "ref_id": "boiler_core.documents",
    # schemas and mutation handlers
    "MutationContext": "boiler_core.mutation_api",
    "Reference": "boiler_core.schema_fields",
    # the generated functions/main.py
    "DeployedApi": "boiler_core.functions_runtime",
    "Triggers": "boiler_core.functions_runtime",
    "WrittenEvent": "boiler_core.functions_runtime",
    **dict.fromkeys(_ERRORS, "boiler_core.errors"),
}


def __getattr__(name: str) -> Any:
    if name == "testing":
        return importlib.import_module("boiler_core.testing")
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'boiler_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE_OF[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "BoilerError",
    "CheckpointError",
    "ComputeError",
    "Conflict",
    "ContentionError",
    "DeployedApi",
    "Doc",
    "EmulatorInDeployment",
    "GenerateError",
    "HookError",
    "ManifestError",
    "MutationContext",
    "NotFound",
    "NotQueued",
    "Problem",
    "Ref",
    "Reference",
    "Refused",
    "Rejected",
    "SeedError",
    "Sources",
    "StoreError",
    "StoryError",
    "Triggers",
    "Unfinished",
    "WrittenEvent",
    "__version__",
    "ref_id",
    "testing",
]
