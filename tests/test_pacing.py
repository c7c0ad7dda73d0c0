"""The client-side pace: never more quota units in any one-second window than allowed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.mail.pacing import UNIT_COSTS, QuotaPacer


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
