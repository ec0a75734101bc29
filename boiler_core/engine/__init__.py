"""The recompute engine: from one domain change to guarded writes of every affected view document.

Pure decisions (:mod:`.relevance`, :mod:`.links`, :mod:`.compute`, :mod:`.outputs`) are kept apart
from the one module doing I/O through the storage port (:mod:`.engine`).
"""

from boiler_core.engine.change import Change
from boiler_core.engine.cost import Cost
from boiler_core.engine.engine import Engine
from boiler_core.engine.sources import Sources

__all__ = ["Change", "Cost", "Engine", "Sources"]
