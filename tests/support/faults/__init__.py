"""boiler's fault tests: injected store failures and hostile event delivery (test support).

:class:`FaultyStore` wraps any store and fails chosen I/O steps of invocations;
:class:`DeliveryRun` delivers changes duplicated, shuffled and concurrently;
:mod:`boiler_core.testing.oracle` recomputes every view from scratch to compare with what the
engine left behind.
"""

from boiler_core.testing.oracle import expected_views, stored_views
from boiler_core.testing.writes import write_change
from faults.delivery import Delivery, DeliveryRun, LogTally, RunReport
from faults.injection import (
    FAULT_POINTS,
    FaultPlan,
    FaultPoint,
    FaultyStore,
    InjectedFault,
)

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
