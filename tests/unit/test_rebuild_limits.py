"""The 500/50/5 write ramp, and view fingerprints."""

from __future__ import annotations

import pytest
from meeting_room_app import APP_DIR, VIEWS_YAML

from boiler_core.manifest import Manifest, load_manifest_text
from boiler_core.rebuild import RampingLimiter, fingerprint, fingerprints, ramp_seconds


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_the_limiter_holds_500_writes_per_second_after_a_one_second_burst() -> None:
    clock = FakeClock()
    limiter = RampingLimiter(500, clock=clock, sleep=clock.sleep)
    assert limiter.spend(500) == 0.0  # one second's worth fits in the burst
    assert limiter.spend(500) == pytest.approx(1.0)
    for _ in range(10):
        limiter.spend(250)
    assert clock.now - 1000.0 == pytest.approx((500 + 500 + 2500) / 500 - 1.0)


def test_the_rate_rises_by_half_every_five_minutes() -> None:
    clock = FakeClock()
    limiter = RampingLimiter(500, clock=clock, sleep=clock.sleep)
    limiter.spend(1)
    assert limiter.rate() == 500
    clock.now += 299
    assert limiter.rate() == 500
    clock.now += 1
    assert limiter.rate() == 750
    clock.now += 600
    assert limiter.rate() == pytest.approx(500 * 1.5**3)


def test_a_zero_rate_means_no_limit() -> None:
    clock = FakeClock()
    limiter = RampingLimiter(0, clock=clock, sleep=clock.sleep)
    assert limiter.spend(10**9) == 0.0
    assert clock.sleeps == []


def test_ramp_seconds_integrates_the_ramp() -> None:
    assert ramp_seconds(1000) == pytest.approx(2.0)
    assert ramp_seconds(500 * 300 + 750 * 150) == pytest.approx(450.0)
    assert ramp_seconds(10, 0) == 0.0


def test_fingerprints_are_stable_and_follow_the_definition(manifest: Manifest) -> None:
    text = VIEWS_YAML.read_text()
    base = APP_DIR
    again = load_manifest_text(text, base_dir=base)
    assert fingerprints(again) == fingerprints(manifest)

    reordered = text.replace(
        "      latitude: location.latitude\n      longitude: location.longitude\n",
        "      longitude: location.longitude\n      latitude: location.latitude\n",
    )
    assert reordered != text
    assert fingerprints(load_manifest_text(reordered, base_dir=base)) == fingerprints(manifest)

    edited = load_manifest_text(
        text.replace("address: location.address", "where: location.address"), base_dir=base
    )
    assert fingerprint(edited.views["meeting_sessions"]) != fingerprint(
        manifest.views["meeting_sessions"]
    )
    assert fingerprint(edited.views["user_profiles"]) == fingerprint(
        manifest.views["user_profiles"]
    )


def test_turning_the_deep_sources_index_on_or_off_changes_only_views_with_deep_joins(
    manifest: Manifest,
) -> None:
    # masters written without _deep_sources must be rebuilt before the engine relies on them:
    # `boiler backfill --changed` (run by deploy.sh) finds the view through its fingerprint
    base = APP_DIR
    text = VIEWS_YAML.read_text()
    climbing = load_manifest_text(
        text.replace("region: us-central1", "region: us-central1\n  index_deep_sources: false"),
        base_dir=base,
    )
    before, after = fingerprints(climbing), fingerprints(manifest)
    assert before["meeting_sessions"] == after["meeting_sessions"]  # no deep join
    assert before["user_profiles"] != after["user_profiles"]
