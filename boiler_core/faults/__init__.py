"""Fault tests for apps built on boiler: injected store failures and hostile event delivery.

:class:`FaultyStore` wraps any store and fails chosen I/O steps of invocations;
:class:`DeliveryRun` delivers changes duplicated, shuffled and concurrently; :mod:`.oracle`
recomputes every view from scratch to compare with what the engine left behind.
"""

from boiler_core.faults.delivery import Delivery, DeliveryRun, LogTally, RunReport, write_change
from boiler_core.faults.injection import (
    FAULT_POINTS,
    FaultPlan,
    FaultPoint,
    FaultyStore,
    InjectedFault,
)
from boiler_core.faults.oracle import expected_views, stored_views

__all__ = [
    "FAULT_POINTS",
    "Delivery",
    "DeliveryRun",
    "FaultPlan",
    "FaultPoint",
    "FaultyStore",
    "InjectedFault",
    "LogTally",
    "RunReport",
    "expected_views",
    "stored_views",
    "write_change",
]
