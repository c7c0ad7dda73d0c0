"""The client-side pace: never more quota units in any one-second window than allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.errors import ConfigError
from outreach.mail.pacing import UNIT_COSTS, QuotaPacer
from tests.fakegoogle import FakeGoogle


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([10, 15, 100, 5, 2, 240, 250]), min_size=1, max_size=60))
def test_no_one_second_window_ever_holds_more_than_the_quota(costs: list[int]) -> None:
    clock = FakeClock()
    pacer = QuotaPacer(250, clock=clock, sleep=clock.sleep)
    spent: list[tuple[float, int]] = []
    for units in costs:
        pacer.acquire(units)
        spent.append((clock.now, units))
    for start, _ in spent:
        window = sum(units for moment, units in spent if start <= moment < start + 1.0)
        assert window <= 250


def test_a_long_run_spends_close_to_the_full_quota() -> None:
    clock = FakeClock()
    pacer = QuotaPacer(250, clock=clock, sleep=clock.sleep)
    batch = pacer.batch_size("drafts.create")
    for _ in range(40):
        pacer.acquire(batch * UNIT_COSTS["drafts.create"])
    rate = 40 * batch * UNIT_COSTS["drafts.create"] / clock.now
    assert 0.9 * 250 <= rate <= 250 * 1.04  # the first window starts full


def test_batches_are_sized_to_one_window_of_quota() -> None:
    pacer = QuotaPacer(250)
    assert pacer.batch_size("drafts.create") == 25
    assert pacer.batch_size("drafts.update") == 16
    assert pacer.batch_size("messages.get") == 50
    assert pacer.batch_size("drafts.send") == 2


def test_retry_after_pauses_the_whole_run() -> None:
    clock = FakeClock()
    pacer = QuotaPacer(250, clock=clock, sleep=clock.sleep)
    pacer.pause(1.5)
    assert clock.now == 1.5


def test_the_default_pace_is_gmails_limit_for_new_projects() -> None:
    """6,000 units a user a minute for Cloud projects created on or after 1 May 2026."""
    pacer = QuotaPacer()
    assert pacer.capacity * 60 == 6000
    assert QuotaPacer.per_minute(15_000).capacity == 250
    assert pacer.batch_size("drafts.create") == 10
    assert pacer.batch_size("drafts.send") == 1


def test_quota_per_minute_is_configurable_and_the_older_key_still_read(tmp_path: Path) -> None:
    from outreach.config import GoogleConfig, parse_config

    path = tmp_path / "config.toml"
    assert GoogleConfig().quota_per_minute == 6000
    assert parse_config("[google]\nquota_per_minute = 15000\n", path).google.quota_per_minute \
        == 15_000
    older = parse_config("[google]\nquota_units_per_second = 250\n", path)
    assert older.google.quota_per_minute == 15_000
    with pytest.raises(ConfigError, match=r"\[google\] quota_per_minute"):
        parse_config("[google]\nquota_per_minute = 0\n", path)


def test_after_user_rate_limit_exceeded_the_pace_slows_for_the_rest_of_the_run() -> None:
    clock = FakeClock()
    pacer = QuotaPacer(100, clock=clock, sleep=clock.sleep)
    for _ in range(30):
        pacer.acquire(100)
    before = 30 * 100 / clock.now
    pacer.slow_down()
    start = clock.now
    for _ in range(30):
        pacer.acquire(100)
    after = 30 * 100 / (clock.now - start)
    assert after < before / 1.2
    for _ in range(20):
        pacer.slow_down()
    assert pacer.units_per_minute >= 6000 / 4 / 1.06  # never slower than a quarter


def test_gmail_saying_user_rate_limit_exceeded_slows_the_backend(fake_google: FakeGoogle) -> None:
    from email.message import EmailMessage

    from outreach.mail.backend import DraftRequest
    from tests.helpers_sync import gmail_backend

    backend = gmail_backend(fake_google, num_retries=3, units_per_second=100)
    fake_google.inject(403, reason="userRateLimitExceeded", path_pattern="drafts", times=1)
    message = EmailMessage()
    message["To"] = "ada@example.org"
    message["Subject"] = "Hello"
    message["Message-ID"] = "<pace.1@example.edu>"
    message.set_content("Hi")
    results = backend.upsert_drafts([DraftRequest("k1", message)])
    assert backend.pacer.slowed == 1
    assert len(fake_google.drafts()) == 1, results
