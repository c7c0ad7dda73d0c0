"""The slot engine serves a whole batch: each contact's slots block the next contact's, free
time running out is told apart from a zone that never fits, and shared times are spread."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.config import ScheduleConfig
from outreach.errors import ScheduleError
from outreach.schedule.engine import SlotEngine
from outreach.schedule.intervals import Interval
from outreach.schedule.slots import propose_slots, to_slots
from tests.test_schedule_slots import ZONES, assert_valid

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=NEW_YORK)
# One working morning in the window (Tuesday 09:00-12:00): six 20-minute slots 10 minutes apart.
SMALL = dataclasses.replace(ScheduleConfig(), horizon_days=2, working_hours="09:00-12:00")


def spans(engine: SlotEngine, zone: ZoneInfo | None, owner: int, **kw: Any) -> list[datetime]:
    """Propose for ``owner`` and hold what was proposed; the starts, in New York time."""
    proposal = engine.propose(zone, engine.config.slot_count, owner, **kw)
    engine.release(owner)
    for c in proposal.chosen:
        engine.hold(owner, c.start, c.end)
    return [c.start.astimezone(NEW_YORK) for c in proposal.chosen]


@st.composite
def batches(draw: st.DrawFn) -> dict[str, Any]:
    now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 525_000)))
    cfg = dataclasses.replace(
        ScheduleConfig(),
        horizon_days=draw(st.integers(3, 10)),
        buffer_minutes=draw(st.sampled_from([0, 10, 15])),
        extended_hours=draw(st.sampled_from(["", "07:00-20:00"])),
    )
    busy = [
        Interval(now + timedelta(minutes=a), now + timedelta(minutes=a + b))
        for a, b in draw(
            st.lists(st.tuples(st.integers(0, 60 * 24 * 10), st.integers(5, 300)), max_size=20)
        )
    ]
    contacts = draw(
        st.lists(st.one_of(st.none(), st.sampled_from(ZONES)), min_size=1, max_size=25)
    )
    return {
        "now": now,
        "cfg": cfg,
        "user_tz": ZoneInfo(draw(st.sampled_from(ZONES))),
        "busy": busy,
        "contacts": [ZoneInfo(z) if z else None for z in contacts],
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches())
def test_property_a_batch_equals_one_request_per_contact_with_the_slots_so_far_held(
    batch: dict[str, Any],
) -> None:
    """The engine's running loads give exactly what a fresh request with every earlier
    contact's slots as ``held`` gives, and every proposal obeys every rule."""
    b = batch
    engine = SlotEngine(b["now"], b["cfg"], b["user_tz"], b["busy"])
    held: list[Interval] = []
    for owner, zone in enumerate(b["contacts"], start=1):
        proposal = engine.propose(zone, b["cfg"].slot_count, owner)
        got = to_slots(proposal.chosen, b["user_tz"], zone)
        try:
            expected = propose_slots(
                b["now"], b["cfg"], b["user_tz"], zone, b["busy"], held, b["cfg"].slot_count
            )
        except ScheduleError:  # nothing left
            expected = []
        assert got == expected
        if got and not b["cfg"].extended_hours:
            assert_valid(
                got,
                now=b["now"],
                cfg=b["cfg"],
                user_tz=b["user_tz"],
                contact_tz=zone,
                busy=b["busy"],
                held=held,
            )
        assert proposal.shared == 0
        for c in proposal.chosen:
            engine.hold(owner, c.start, c.end)
        held.extend(s.interval for s in got)


class TestFreeTimeRunningOut:
    def test_each_contact_gets_times_nobody_else_has_until_none_are_left(self) -> None:
        engine = SlotEngine(MONDAY, SMALL, NEW_YORK, [])
        first, second = spans(engine, None, 1), spans(engine, None, 2)
        assert len(first) == len(second) == 3
        assert not set(first) & set(second)
        proposal = engine.propose(None, 3, 3)
        assert proposal.chosen == [] and proposal.possible  # held by others, not impossible

    def test_a_zone_that_never_fits_is_not_running_out(self) -> None:
        engine = SlotEngine(MONDAY, SMALL, NEW_YORK, [])
        proposal = engine.propose(TOKYO, 3, 1)  # 09:00-12:00 New York is night in Tokyo
        assert proposal.chosen == [] and not proposal.possible

    def test_shared_times_are_spread_the_least_offered_first(self) -> None:
        engine = SlotEngine(MONDAY, SMALL, NEW_YORK, [])
        offers: Counter[datetime] = Counter()
        for owner in range(1, 11):
            offers.update(spans(engine, None, owner, share=True))
        # 30 offers over the six free times: five people per time, not one time for everyone.
        assert len(offers) == 6
        assert set(offers.values()) == {5}

    def test_shared_proposals_say_how_many_others_hold_their_times(self) -> None:
        engine = SlotEngine(MONDAY, SMALL, NEW_YORK, [])
        spans(engine, None, 1)
        spans(engine, None, 2)
        proposal = engine.propose(None, 3, 3, share=True)
        assert len(proposal.chosen) == 3 and proposal.shared == 1
        assert engine.propose(None, 3, 1).shared == 0  # its own holds do not count

    def test_released_times_are_free_again(self) -> None:
        engine = SlotEngine(MONDAY, SMALL, NEW_YORK, [])
        first = spans(engine, None, 1)
        spans(engine, None, 2)
        engine.release(1)
        assert spans(engine, None, 3) == first


class TestReRuns:
    def test_a_contact_keeps_its_own_held_times(self) -> None:
        engine = SlotEngine(MONDAY, ScheduleConfig(), NEW_YORK, [])
        before = {owner: spans(engine, LONDON, owner) for owner in range(1, 6)}
        again = SlotEngine(MONDAY, ScheduleConfig(), NEW_YORK, [])
        for owner, starts in before.items():
            for start in starts:
                again.hold(owner, start, start + timedelta(minutes=20))
        for owner in reversed(range(1, 6)):  # another order: still its own times
            assert spans(again, LONDON, owner, keep_own=True) == before[owner]

    def test_a_held_time_that_became_busy_is_replaced_and_the_rest_kept(self) -> None:
        engine = SlotEngine(MONDAY, ScheduleConfig(), NEW_YORK, [])
        starts = spans(engine, None, 1)
        busy = [Interval(starts[1], starts[1] + timedelta(minutes=20))]
        again = SlotEngine(MONDAY, ScheduleConfig(), NEW_YORK, busy)
        for start in starts:
            again.hold(1, start, start + timedelta(minutes=20))
        now_offered = spans(again, None, 1, keep_own=True)
        assert len(now_offered) == 3
        assert starts[0] in now_offered and starts[2] in now_offered
        assert starts[1] not in now_offered
