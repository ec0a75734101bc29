"""Trigger dispatch: the emulator's event deliveries run the functions of ``functions/main.py``.

:class:`LocalRuntime` is the whole local runtime (emulator + dispatcher process). The dispatcher
process itself is ``python -m boiler_core.dispatch`` (:mod:`.server` inside it, :mod:`.process`
outside it); :mod:`.delivery` decodes the emulator's binary CloudEvents.
"""

from boiler_core.dispatch.delivery import Delivery, to_cloud_event
from boiler_core.dispatch.records import Barrier, Invocation, Ready, Record, Text
from boiler_core.dispatch.runtime import LocalRuntime, function_environment

__all__ = [
    "Barrier",
    "Delivery",
    "Invocation",
    "LocalRuntime",
    "Ready",
    "Record",
    "Text",
    "function_environment",
    "to_cloud_event",
]
