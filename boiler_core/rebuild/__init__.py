"""Rebuilding views from domain state: ``boiler backfill`` and ``boiler verify``.

Triggers keep views current event by event; events can be lost (Python Firestore triggers do not
retry), views can be added or redefined. This package walks whole collections by cursor and uses
the engine's own recompute to build (:mod:`.backfill`), check and repair (:mod:`.verify`) every
view document, with resumable checkpoints (:mod:`.checkpoint`), a ramping rate limit
(:mod:`.ratelimit`), cost estimates (:mod:`.estimate`) and build records keyed by a fingerprint
of each view's definition (:mod:`.fingerprint`).
"""

from boiler_core.rebuild.backfill import Backfill
from boiler_core.rebuild.checkpoint import Checkpoint, ViewProgress
from boiler_core.rebuild.estimate import PRICES, Estimate, Prices, estimate
from boiler_core.rebuild.fingerprint import (
    META_COLLECTION,
    BuildRecord,
    fingerprint,
    fingerprints,
    read_records,
    record_path,
    stale_views,
    write_record,
)
from boiler_core.rebuild.ratelimit import RampingLimiter, ramp_seconds
from boiler_core.rebuild.verify import Divergence, Verifier, ViewCheck

__all__ = [
    "META_COLLECTION",
    "PRICES",
    "Backfill",
    "BuildRecord",
    "Checkpoint",
    "Divergence",
    "Estimate",
    "Prices",
    "RampingLimiter",
    "Verifier",
    "ViewCheck",
    "ViewProgress",
    "estimate",
    "fingerprint",
    "fingerprints",
    "ramp_seconds",
    "read_records",
    "record_path",
    "stale_views",
    "write_record",
]
