"""Slot proposals: the rules of propose_slots, read as a specification, and Slot formatting.

Times are checked by converting to the zone in question and reading the wall clock, never by
comparing strings built the same way as the code under test.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.config import ScheduleConfig
from outreach.errors import ScheduleError
from outreach.schedule.intervals import Interval
from outreach.schedule.slots import Slot, busy_query_window, propose_slots

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
BERLIN = ZoneInfo("Europe/Berlin")
LISBON = ZoneInfo("Europe/Lisbon")
KOLKATA = ZoneInfo("Asia/Kolkata")
KATHMANDU = ZoneInfo("Asia/Kathmandu")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
AUCKLAND = ZoneInfo("Pacific/Auckland")

# Friday 28 Nov 2025, 15:00 in New York: with 24 h lead the first slot is Monday 1 Dec.
FRIDAY = datetime(2025, 11, 28, 15, 0, tzinfo=NEW_YORK)


def config(**changes: Any) -> ScheduleConfig:
    return dataclasses.replace(ScheduleConfig(), **changes)


def wall(moment: datetime, tz: ZoneInfo) -> tuple[date, time]:
    local = moment.astimezone(tz)
    return local.date(), local.time()


def minute_of_day(moment: datetime, tz: ZoneInfo) -> int:
    local = moment.astimezone(tz)
    return local.hour * 60 + local.minute


def at(tz: ZoneInfo, y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=tz)


def busy(tz: ZoneInfo, y: int, mo: int, d: int, start: str, end: str) -> Interval:
    h1, m1 = map(int, start.split(":"))
    h2, m2 = map(int, end.split(":"))
    return Interval(at(tz, y, mo, d, h1, m1), at(tz, y, mo, d, h2, m2))


def assert_valid(
    slots: list[Slot],
    *,
    now: datetime,
    cfg: ScheduleConfig,
    user_tz: ZoneInfo,
    contact_tz: ZoneInfo | None = None,
    busy: Sequence[Interval] = (),
    held: Sequence[Interval] = (),
) -> None:
    """Every rule a proposed slot must obey, checked independently of the implementation."""
    buffer = timedelta(minutes=cfg.buffer_minutes)
    assert slots == sorted(slots, key=lambda s: s.start)
    for slot in slots:
        assert slot.end - slot.start == timedelta(minutes=cfg.meeting_minutes)
        assert slot.start >= now + timedelta(hours=cfg.lead_hours)
        assert slot.end <= now + timedelta(days=cfg.horizon_days)
        start, end = slot.in_zone(user_tz)
        assert start.weekday() in cfg.working_weekdays
        assert start.hour * 60 + start.minute >= cfg.work_start_minutes
        end_minute = end.hour * 60 + end.minute
        if end.date() != start.date():
            end_minute += 24 * 60
        assert end_minute <= cfg.work_end_minutes
        for other in [*busy, *held]:
            assert not (slot.start < other.end + buffer and other.start - buffer < slot.end), (
                f"{slot} is within {buffer} of {other}"
            )
        if contact_tz is not None:
            their_start, their_end = slot.in_zone(contact_tz)
            assert their_start.date() == their_end.date() or their_end.time() == time(0)
            assert their_start.time() >= time(7, 0), f"{slot} is in the contact's night"
            assert their_end.time() <= time(22, 0) or their_end.time() == time(0)
            assert their_end.time() != time(0), f"{slot} ends at the contact's midnight"
    for a, b in itertools.pairwise(slots):
        assert b.start >= a.end + buffer, "proposals keep the buffer between each other"


def in_working_hours(slot: Slot, tz: ZoneInfo, cfg: ScheduleConfig) -> bool:
    start, end = slot.in_zone(tz)
    return (
        start.weekday() in cfg.working_weekdays
        and start.date() == end.date()
        and cfg.work_start_minutes <= start.hour * 60 + start.minute
        and end.hour * 60 + end.minute <= cfg.work_end_minutes
    )


class TestBasicRules:
    def test_three_slots_on_three_days_alternating_morning_and_afternoon(self) -> None:
        slots = propose_slots(FRIDAY, config(), NEW_YORK, None, [], [])
        assert_valid(slots, now=FRIDAY, cfg=config(), user_tz=NEW_YORK)
        assert [wall(s.start, NEW_YORK) for s in slots] == [
            (date(2025, 12, 1), time(9, 0)),  # earliest: Monday first thing
            (date(2025, 12, 2), time(13, 0)),  # then an afternoon (after the lunch hour)
            (date(2025, 12, 3), time(9, 30)),  # then a morning, at a time not yet offered
        ]

    def test_count_overrides_the_configured_slot_count(self) -> None:
        assert len(propose_slots(FRIDAY, config(slot_count=2), NEW_YORK, None, [], [])) == 2
        assert len(propose_slots(FRIDAY, config(), NEW_YORK, None, [], [], count=5)) == 5

    def test_lead_time_is_respected_to_the_minute(self) -> None:
        now = at(NEW_YORK, 2025, 12, 1, 10, 10)  # Monday 10:10
        slots = propose_slots(now, config(lead_hours=24), NEW_YORK, None, [], [])
        assert slots[0].start == at(NEW_YORK, 2025, 12, 2, 10, 30)  # Tue, first grid time after
        assert_valid(slots, now=now, cfg=config(lead_hours=24), user_tz=NEW_YORK)

    def test_zero_lead_still_never_proposes_the_past(self) -> None:
        now = at(NEW_YORK, 2025, 12, 1, 10, 10)
        slots = propose_slots(now, config(lead_hours=0), NEW_YORK, None, [], [])
        assert slots[0].start == at(NEW_YORK, 2025, 12, 1, 10, 30)

    def test_horizon_is_respected(self) -> None:
        cfg = config(horizon_days=4)  # Fri 15:00 + 4 days = Tue 15:00
        slots = propose_slots(FRIDAY, cfg, NEW_YORK, None, [], [], count=10)
        assert_valid(slots, now=FRIDAY, cfg=cfg, user_tz=NEW_YORK)
        assert {wall(s.start, NEW_YORK)[0] for s in slots} == {date(2025, 12, 1), date(2025, 12, 2)}

    def test_only_working_days_and_hours(self) -> None:
        cfg = config(working_days=("tue", "thu"), working_hours="10:00-12:00")
        slots = propose_slots(FRIDAY, cfg, NEW_YORK, None, [], [], count=6)
        assert_valid(slots, now=FRIDAY, cfg=cfg, user_tz=NEW_YORK)
        assert {s.in_zone(NEW_YORK).start.strftime("%a") for s in slots} == {"Tue", "Thu"}

    def test_starts_are_on_the_half_hour_grid_when_it_suffices(self) -> None:
        slots = propose_slots(FRIDAY, config(), NEW_YORK, None, [], [], count=10)
        assert all(s.in_zone(NEW_YORK).start.minute in (0, 30) for s in slots)

    def test_quarter_hours_fill_in_when_the_half_hour_grid_is_blocked(self) -> None:
        # Monday only, 09:00-10:00. Busy until 09:05 and from 09:45: with a 10-minute buffer
        # the only 20-minute slot is 09:15-09:35.
        cfg = config(working_days=("mon",), working_hours="09:00-10:00", horizon_days=4)
        blocks = [
            busy(NEW_YORK, 2025, 12, 1, "08:00", "09:05"),
            busy(NEW_YORK, 2025, 12, 1, "09:45", "12:00"),
        ]
        slots = propose_slots(FRIDAY, cfg, NEW_YORK, None, blocks, [])
        assert [wall(s.start, NEW_YORK)[1] for s in slots] == [time(9, 15)]
        assert_valid(slots, now=FRIDAY, cfg=cfg, user_tz=NEW_YORK, busy=blocks)

    def test_half_hour_slots_are_kept_when_quarter_hours_fill_the_rest(self) -> None:
        # Free (after 10-minute buffers): 09:15-09:35 and 10:15-11:00. The half-hour grid finds
        # 10:30 only; the quarter-hour grid adds 09:15 and does not trade 10:30 for 10:15.
        cfg = config(working_days=("mon",), working_hours="09:00-11:00", horizon_days=4)
        blocks = [
            busy(NEW_YORK, 2025, 12, 1, "08:00", "09:05"),
            busy(NEW_YORK, 2025, 12, 1, "09:45", "10:05"),
        ]
        slots = propose_slots(FRIDAY, cfg, NEW_YORK, None, blocks, [], count=2)
        assert [wall(s.start, NEW_YORK)[1] for s in slots] == [time(9, 15), time(10, 30)]
        assert_valid(slots, now=FRIDAY, cfg=cfg, user_tz=NEW_YORK, busy=blocks)

    def test_deterministic(self) -> None:
        blocks = [busy(NEW_YORK, 2025, 12, 1, "09:00", "12:00")]
        first = propose_slots(FRIDAY, config(), NEW_YORK, LONDON, blocks, [])
        second = propose_slots(FRIDAY, config(), NEW_YORK, LONDON, list(blocks), [])
        assert first == second
        assert [str(s) for s in first] == [str(s) for s in second]


class TestBusyAndHeld:
    def test_busy_time_and_its_buffer_are_avoided(self) -> None:
        blocks = [busy(NEW_YORK, 2025, 12, 1, "08:30", "09:50")]
        slots = propose_slots(FRIDAY, config(buffer_minutes=10), NEW_YORK, None, blocks, [])
        assert slots[0].start == at(NEW_YORK, 2025, 12, 1, 10, 0)  # 09:50 + 10 min buffer
        assert_valid(slots, now=FRIDAY, cfg=config(), user_tz=NEW_YORK, busy=blocks)

    def test_buffer_before_busy_time(self) -> None:
        cfg = config(working_hours="09:00-10:00", buffer_minutes=15)
        blocks = [busy(NEW_YORK, 2025, 12, 1, "09:30", "10:00")]
        slots = propose_slots(FRIDAY, cfg, NEW_YORK, None, blocks, [], count=5)
        # 09:00-09:20 ends 10 minutes before 09:30: too close with a 15-minute buffer.
        assert all(s.start.astimezone(NEW_YORK).date() != date(2025, 12, 1) for s in slots)

    def test_held_slots_block_like_busy_time(self) -> None:
        held = [busy(NEW_YORK, 2025, 12, 1, "09:00", "09:20")]
        slots = propose_slots(FRIDAY, config(), NEW_YORK, None, [], held)
        assert slots[0].start == at(NEW_YORK, 2025, 12, 1, 9, 30)
        assert_valid(slots, now=FRIDAY, cfg=config(), user_tz=NEW_YORK, held=held)

    def test_all_day_busy_moves_the_spread_to_later_days(self) -> None:
        blocks = [Interval(at(NEW_YORK, 2025, 12, 1, 0), at(NEW_YORK, 2025, 12, 3, 0))]
        slots = propose_slots(FRIDAY, config(), NEW_YORK, None, blocks, [])
        assert [wall(s.start, NEW_YORK)[0] for s in slots] == [
            date(2025, 12, 3),
            date(2025, 12, 4),
            date(2025, 12, 5),
        ]

    def test_no_slot_is_an_error_with_a_hint(self) -> None:
        blocks = [Interval(FRIDAY - timedelta(days=1), FRIDAY + timedelta(days=30))]
        with pytest.raises(ScheduleError) as caught:
            propose_slots(FRIDAY, config(), NEW_YORK, None, blocks, [])
        assert "horizon_days" in (caught.value.hint or "")
        assert "working_hours" in (caught.value.hint or "")

    def test_no_slot_mentions_held_proposals_when_there_are_some(self) -> None:
        held = [Interval(FRIDAY, FRIDAY + timedelta(days=30))]
        with pytest.raises(ScheduleError) as caught:
            propose_slots(FRIDAY, config(), NEW_YORK, None, [], held)
        assert "release" in (caught.value.hint or "")

    def test_lead_beyond_horizon_is_an_error(self) -> None:
        with pytest.raises(ScheduleError, match="lead"):
            propose_slots(FRIDAY, config(lead_hours=24 * 20), NEW_YORK, None, [], [])

    def test_working_hours_shorter_than_the_meeting_is_an_error(self) -> None:
        cfg = config(working_hours="09:00-09:15", meeting_minutes=20)
        with pytest.raises(ScheduleError, match="shorter"):
            propose_slots(FRIDAY, cfg, NEW_YORK, None, [], [])

    def test_bad_count_and_naive_now(self) -> None:
        with pytest.raises(ScheduleError):
            propose_slots(FRIDAY, config(), NEW_YORK, None, [], [], count=0)
        with pytest.raises(ValueError, match="aware"):
            propose_slots(datetime(2025, 11, 28, 15), config(), NEW_YORK, None, [], [])

    def test_busy_query_window_covers_horizon_and_buffer(self) -> None:
        window = busy_query_window(FRIDAY, config(horizon_days=14, buffer_minutes=10))
        assert window.start == FRIDAY - timedelta(minutes=10)
        assert window.end == FRIDAY + timedelta(days=14, minutes=10)


class TestSpread:
    def test_different_days_where_possible(self) -> None:
        slots = propose_slots(FRIDAY, config(), NEW_YORK, None, [], [], count=5)
        assert len({s.in_zone(NEW_YORK).start.date() for s in slots}) == 5

    def test_alternating_parts_of_the_day(self) -> None:
        slots = propose_slots(FRIDAY, config(), NEW_YORK, None, [], [], count=4)
        hours = [s.in_zone(NEW_YORK).start.hour for s in slots]
        mornings = [h < 12 for h in hours]
        assert mornings == [True, False, True, False]
        assert all(not 12 <= h < 13 for h in hours), "the lunch hour is a last resort"

    def test_one_usable_day_gets_several_slots_in_both_halves(self) -> None:
        cfg = config(horizon_days=4)  # Monday and Tuesday morning only
        blocks = [busy(NEW_YORK, 2025, 12, 2, "00:00", "23:59")]
        slots = propose_slots(FRIDAY, cfg, NEW_YORK, None, blocks, [], count=4)
        assert {s.in_zone(NEW_YORK).start.date() for s in slots} == {date(2025, 12, 1)}
        hours = sorted(s.in_zone(NEW_YORK).start.hour for s in slots)
        assert sum(h < 12 for h in hours) == 2 and sum(h >= 13 for h in hours) == 2
        assert_valid(slots, now=FRIDAY, cfg=cfg, user_tz=NEW_YORK, busy=blocks)

    def test_fewer_slots_than_asked_when_fewer_exist(self) -> None:
        cfg = config(working_days=("mon",), working_hours="09:00-10:00", horizon_days=4)
        slots = propose_slots(FRIDAY, cfg, NEW_YORK, None, [], [], count=3)
        # 09:00-09:20 and 09:30-09:50 keep 10 minutes apart; nothing else fits.
        assert [wall(s.start, NEW_YORK)[1] for s in slots] == [time(9, 0), time(9, 30)]


class TestDaylightSaving:
    def test_berlin_spring_forward_keeps_wall_clock_times(self) -> None:
        # DST starts Sunday 29 Mar 2026 in Berlin: 09:00 is 08:00 UTC before, 07:00 UTC after.
        now = at(BERLIN, 2026, 3, 25, 12)
        cfg = config(horizon_days=14)
        slots = propose_slots(now, cfg, BERLIN, None, [], [], count=8)
        assert_valid(slots, now=now, cfg=cfg, user_tz=BERLIN)
        days = {s.in_zone(BERLIN).start.date() for s in slots}
        assert any(d < date(2026, 3, 29) for d in days) and any(d > date(2026, 3, 29) for d in days)
        for slot in slots:
            local = slot.in_zone(BERLIN).start
            expected = timedelta(hours=1 if local.date() < date(2026, 3, 29) else 2)
            assert local.utcoffset() == expected
            assert local.minute in (0, 30) and 9 <= local.hour < 17
            abbreviation = "CET" if local.date() < date(2026, 3, 29) else "CEST"
            assert str(slot).endswith(
                f"{local:%H:%M}-{slot.in_zone(BERLIN).end:%H:%M} {abbreviation}"
            )
        assert [str(s) for s in slots[:3]] == [
            "Thu 26 Mar, 13:00-13:20 CET",  # 12:00 + 24 h lead: Thursday afternoon first
            "Fri 27 Mar, 09:00-09:20 CET",  # 08:00 UTC
            "Mon 30 Mar, 13:30-13:50 CEST",  # 11:30 UTC: same wall clock, new offset
        ]
        assert slots[1].start.hour == 8 and slots[2].start.hour == 11

    def test_new_york_fall_back_keeps_wall_clock_times(self) -> None:
        # DST ends Sunday 1 Nov 2026 in New York: 09:00 is 13:00 UTC before, 14:00 UTC after.
        now = at(NEW_YORK, 2026, 10, 29, 9)  # Thursday
        slots = propose_slots(now, config(), NEW_YORK, None, [], [], count=4)
        assert [s.start.astimezone(UTC).hour for s in slots][:2] == [13, 18]  # Fri 09:00, Mon 13:00
        assert [wall(s.start, NEW_YORK) for s in slots] == [
            (date(2026, 10, 30), time(9, 0)),
            (date(2026, 11, 2), time(13, 0)),
            (date(2026, 11, 3), time(9, 30)),
            (date(2026, 11, 4), time(13, 30)),
        ]
        assert "EDT" in str(slots[0]) and "EST" in str(slots[1])

    def test_a_skipped_wall_time_is_never_offered(self) -> None:
        # Working round the clock on Sundays: 02:00-02:59 does not exist on 29 Mar in Berlin.
        cfg = config(working_days=("sun",), working_hours="00:00-24:00", buffer_minutes=0)
        now = at(BERLIN, 2026, 3, 28, 0)
        slots = propose_slots(now, cfg, BERLIN, None, [], [], count=10)
        for slot in slots:
            local = slot.in_zone(BERLIN).start
            assert local.astimezone(UTC).astimezone(BERLIN).replace(tzinfo=None) == local.replace(
                tzinfo=None
            )
        starts = [s.start for s in propose_slots(now, cfg, BERLIN, None, [], [], count=48)]
        # 00:00, 00:30, 01:00, 01:30, then 03:00 (CEST): nothing at 02:xx.
        local_hours = [s.astimezone(BERLIN).hour for s in starts if s.astimezone(BERLIN).day == 29]
        assert 2 not in local_hours

    def test_a_repeated_wall_time_is_offered_once(self) -> None:
        cfg = config(working_days=("sun",), working_hours="02:00-03:00", buffer_minutes=0)
        now = at(BERLIN, 2026, 10, 24, 0)  # 25 Oct 2026: 02:00-03:00 happens twice
        slots = propose_slots(
            now,
            cfg,
            BERLIN,
            None,
            [],
            [],
            count=10,
        )
        first_day = [s for s in slots if s.in_zone(BERLIN).start.date() == date(2026, 10, 25)]
        assert [s.in_zone(BERLIN).start.time() for s in first_day] == [time(2, 0), time(2, 30)]
        assert all(s.in_zone(BERLIN).start.fold == 0 for s in first_day)

    def test_contact_across_the_weeks_when_only_one_side_has_changed(self) -> None:
        # 9-28 Mar 2026: New York is on EDT, London still on GMT; the gap is 4 hours, not 5.
        now = at(NEW_YORK, 2026, 3, 13, 10)
        slots = propose_slots(now, config(), NEW_YORK, LONDON, [], [])
        for slot in slots:
            mine, theirs = slot.in_zone(NEW_YORK), slot.in_zone(LONDON)
            assert theirs.start.hour - mine.start.hour == 4
            assert f"{theirs.start:%H:%M}-{theirs.end:%H:%M} GMT" in str(slot)
            assert f"{mine.start:%H:%M}-{mine.end:%H:%M} EDT" in str(slot)


class TestWithCalendarFiles:
    def test_slots_avoid_every_busy_time_in_the_sample_calendars(self) -> None:
        from pathlib import Path

        from outreach.schedule.busy import busy_union, load_ics_busy

        now = at(BERLIN, 2026, 1, 9, 16)  # Friday
        cfg = config(horizon_days=21)
        window = busy_query_window(now, cfg)
        folder = Path(__file__).parent / "data" / "calendars"
        blocks = busy_union(
            *(load_ics_busy(p, window.start, window.end, BERLIN) for p in folder.glob("*.ics"))
        )
        slots = propose_slots(now, cfg, BERLIN, None, blocks, [], count=10)
        assert len(slots) == 10
        assert_valid(slots, now=now, cfg=cfg, user_tz=BERLIN, busy=blocks)
        days = {s.in_zone(BERLIN).start.date() for s in slots}
        assert date(2026, 1, 14) not in days  # the all-day offsite
        assert not days & {date(2026, 1, 22), date(2026, 1, 23)}  # two days off


class TestContactZone:
    def test_kolkata_contact_with_london_user_gets_both_working_hours(self) -> None:
        now = at(LONDON, 2026, 1, 9, 9)
        cfg = config()
        slots = propose_slots(now, cfg, LONDON, KOLKATA, [], [])
        assert len(slots) == 3
        assert_valid(slots, now=now, cfg=cfg, user_tz=LONDON, contact_tz=KOLKATA)
        assert all(in_working_hours(s, KOLKATA, cfg) for s in slots)
        assert all(s.in_zone(KOLKATA).start.minute in (0, 30) for s in slots)  # +05:30 offset

    def test_los_angeles_contact_with_new_york_user_gets_both_working_hours(self) -> None:
        slots = propose_slots(FRIDAY, config(), NEW_YORK, LOS_ANGELES, [], [])
        assert all(in_working_hours(s, LOS_ANGELES, config()) for s in slots)
        assert all(in_working_hours(s, NEW_YORK, config()) for s in slots)
        assert len({s.in_zone(NEW_YORK).start.date() for s in slots}) == 3

    def test_los_angeles_contact_with_london_user_falls_back_to_their_daytime(self) -> None:
        # In January London 09:00-17:00 is 01:00-09:00 in Los Angeles: no shared working hour,
        # so slots go to their early morning (from 07:00), never their night.
        now = at(LONDON, 2026, 1, 9, 9)
        slots = propose_slots(now, config(), LONDON, LOS_ANGELES, [], [])
        assert len(slots) == 3
        assert_valid(slots, now=now, cfg=config(), user_tz=LONDON, contact_tz=LOS_ANGELES)
        for slot in slots:
            assert time(7, 0) <= slot.in_zone(LOS_ANGELES).start.time() < time(9, 0)

    def test_kolkata_contact_with_new_york_user_never_at_their_night(self) -> None:
        # New York 09:00-17:00 is 19:30-03:30 in Kolkata: only the first hour is their evening.
        slots = propose_slots(FRIDAY, config(), NEW_YORK, KOLKATA, [], [])
        assert slots
        assert_valid(slots, now=FRIDAY, cfg=config(), user_tz=NEW_YORK, contact_tz=KOLKATA)
        for slot in slots:
            assert slot.in_zone(KOLKATA).end.time() <= time(21, 0)

    def test_contact_working_hours_preferred_over_earlier_fallback_slots(self) -> None:
        # London user, New York contact in January: their 09:00 is our 14:00. Even though
        # 09:00 London (04:00 NY) is earlier, the slots go to the shared afternoon.
        now = at(LONDON, 2026, 1, 9, 9)
        slots = propose_slots(now, config(), LONDON, NEW_YORK, [], [])
        assert all(in_working_hours(s, NEW_YORK, config()) for s in slots)
        assert all(s.in_zone(LONDON).start.hour >= 14 for s in slots)

    def test_fallback_fills_only_the_places_the_better_tier_cannot(self) -> None:
        # London user, New York contact. Shared working time is 14:00-17:00 London, but every
        # afternoon is busy except Monday 14:00-14:20: one slot in both working days; the other
        # two go to the contact's early morning (07:00-09:00 New York, 12:00-14:00 London).
        now = at(LONDON, 2026, 1, 9, 9)
        blocks = [busy(LONDON, 2026, 1, 12, "14:30", "23:00")]
        blocks += [busy(LONDON, 2026, 1, d, "14:00", "23:00") for d in range(13, 24)]
        cfg = config()
        slots = propose_slots(now, cfg, LONDON, NEW_YORK, blocks, [])
        assert_valid(slots, now=now, cfg=cfg, user_tz=LONDON, contact_tz=NEW_YORK, busy=blocks)
        shared = [s for s in slots if in_working_hours(s, NEW_YORK, cfg)]
        assert [s.in_zone(LONDON).start for s in shared] == [at(LONDON, 2026, 1, 12, 14)]
        others = [s for s in slots if s not in shared]
        assert len(others) == 2
        for slot in others:
            assert time(7) <= slot.in_zone(NEW_YORK).start.time() < time(9)
        assert len({s.in_zone(LONDON).start.date() for s in slots}) == 3

    def test_no_daytime_overlap_at_all_is_an_error(self) -> None:
        # 09:00-12:00 London is 01:00-04:00 in Los Angeles in winter.
        now = at(LONDON, 2026, 1, 9, 9)
        with pytest.raises(ScheduleError, match="contact"):
            propose_slots(now, config(working_hours="09:00-12:00"), LONDON, LOS_ANGELES, [], [])

    def test_kathmandu_quarter_hour_offset(self) -> None:
        now = at(LONDON, 2026, 1, 9, 9)
        slots = propose_slots(now, config(), LONDON, KATHMANDU, [], [])
        for slot in slots:
            theirs = slot.in_zone(KATHMANDU)
            assert theirs.start.utcoffset() == timedelta(hours=5, minutes=45)
            assert theirs.start.minute in (15, 45)
            assert "UTC+05:45" in str(slot)
        assert all(in_working_hours(s, KATHMANDU, config()) for s in slots)


ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Adelaide",
    "Pacific/Auckland",
    "America/St_Johns",
    "America/Sao_Paulo",
]


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    user_tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    contact = draw(st.one_of(st.none(), st.sampled_from(ZONES)))
    # Any minute of 2026, so DST changes in every zone get exercised.
    now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 525_000)))
    start_h = draw(st.integers(6, 12))
    end_h = draw(st.integers(start_h + 2, 20))
    days = draw(
        st.lists(
            st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]),
            min_size=1,
            max_size=7,
            unique=True,
        )
    )
    cfg = config(
        meeting_minutes=draw(st.sampled_from([15, 20, 30, 45, 60])),
        working_hours=f"{start_h:02d}:{draw(st.sampled_from([0, 15, 30])):02d}-{end_h:02d}:00",
        working_days=tuple(days),
        lead_hours=draw(st.integers(0, 72)),
        horizon_days=draw(st.integers(4, 21)),
        buffer_minutes=draw(st.sampled_from([0, 5, 10, 15, 30])),
    )
    base = now + timedelta(hours=cfg.lead_hours)

    def random_spans(max_size: int) -> list[Interval]:
        items = draw(
            st.lists(
                st.tuples(st.integers(-600, 60 * 24 * 21), st.integers(5, 600)), max_size=max_size
            )
        )
        return [
            Interval(base + timedelta(minutes=a), base + timedelta(minutes=a + b)) for a, b in items
        ]

    return {
        "now": now,
        "cfg": cfg,
        "user_tz": user_tz,
        "contact_tz": ZoneInfo(contact) if contact else None,
        "busy": random_spans(40),
        "held": random_spans(6),
        "count": draw(st.integers(1, 5)),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios())
def test_property_every_proposal_obeys_every_rule(scenario: dict[str, Any]) -> None:
    s = scenario
    try:
        slots = propose_slots(
            s["now"], s["cfg"], s["user_tz"], s["contact_tz"], s["busy"], s["held"], s["count"]
        )
    except ScheduleError:
        # Only when there truly is nothing: a brute force over the finest grid agrees.
        assert not any_slot_on_grid(s), "ScheduleError although a slot exists"
        return
    assert 1 <= len(slots) <= s["count"]
    assert_valid(
        slots,
        now=s["now"],
        cfg=s["cfg"],
        user_tz=s["user_tz"],
        contact_tz=s["contact_tz"],
        busy=s["busy"],
        held=s["held"],
    )
    for slot in slots:
        assert slot.in_zone(s["user_tz"]).start.minute % 15 == 0
    # Deterministic.
    again = propose_slots(
        s["now"], s["cfg"], s["user_tz"], s["contact_tz"], s["busy"], s["held"], s["count"]
    )
    assert again == slots


def any_slot_on_grid(s: dict[str, Any]) -> bool:
    """Brute force on the quarter-hour grid of the user's wall clock (the finest grid used)."""
    cfg: ScheduleConfig = s["cfg"]
    tz: ZoneInfo = s["user_tz"]
    buffer = timedelta(minutes=cfg.buffer_minutes)
    meeting = timedelta(minutes=cfg.meeting_minutes)
    earliest = s["now"] + timedelta(hours=cfg.lead_hours)
    latest = s["now"] + timedelta(days=cfg.horizon_days)
    blocks = [*s["busy"], *s["held"]]
    day = earliest.astimezone(tz).date() - timedelta(days=1)
    while day <= latest.astimezone(tz).date():
        for quarter in range(96):
            local = datetime.combine(day, time(quarter // 4, quarter % 4 * 15), tzinfo=tz)
            start = local.astimezone(UTC)
            if start.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
                continue
            slot = Slot(start, start + meeting)
            if not (earliest <= slot.start and slot.end <= latest):
                continue
            if not in_working_hours(slot, tz, cfg):
                continue
            if any(slot.start < b.end + buffer and b.start - buffer < slot.end for b in blocks):
                continue
            if s["contact_tz"] is not None:
                theirs = slot.in_zone(s["contact_tz"])
                first = theirs.start.hour * 60 + theirs.start.minute
                last = theirs.end.hour * 60 + theirs.end.minute
                same_day = theirs.start.date() == theirs.end.date()
                in_hours = (
                    same_day
                    and theirs.start.weekday() in cfg.working_weekdays
                    and cfg.work_start_minutes <= first
                    and last <= cfg.work_end_minutes
                    and first >= 7 * 60
                    and last <= 22 * 60
                )
                daytime = same_day and first >= 7 * 60 and last <= 21 * 60
                if not (in_hours or daytime):
                    continue
            return True
        day += timedelta(days=1)
    return False


@settings(max_examples=40, deadline=None)
@given(
    user=st.sampled_from(ZONES),
    contact=st.sampled_from(ZONES),
    minute=st.integers(0, 525_000),
)
def test_property_never_in_the_contacts_night(user: str, contact: str, minute: int) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minute)
    cfg = config(working_hours="08:00-18:00", working_days=WEEK)
    try:
        slots = propose_slots(now, cfg, ZoneInfo(user), ZoneInfo(contact), [], [], count=4)
    except ScheduleError:
        return
    for slot in slots:
        theirs = slot.in_zone(ZoneInfo(contact))
        assert time(7) <= theirs.start.time() and theirs.end.time() <= time(22)
        assert theirs.start.date() == theirs.end.date()


WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TestSlot:
    def slot(self, start: datetime, minutes: int = 20, **zones: ZoneInfo) -> Slot:
        return Slot(start, start + timedelta(minutes=minutes), **zones)

    def test_format_both_zones(self) -> None:
        slot = self.slot(datetime(2025, 12, 2, 15, 0, tzinfo=UTC))
        assert slot.format(NEW_YORK, BERLIN) == "Tue 2 Dec, 10:00-10:20 EST / 16:00-16:20 CET"

    def test_format_shows_the_contacts_day_when_it_differs(self) -> None:
        slot = self.slot(datetime(2025, 12, 1, 21, 0, tzinfo=LOS_ANGELES))
        assert (
            slot.format(LOS_ANGELES, KOLKATA)
            == "Mon 1 Dec, 21:00-21:20 PST / Tue 2 Dec, 10:30-10:50 IST"
        )

    def test_format_same_wall_time_is_shown_once(self) -> None:
        slot = self.slot(datetime(2026, 1, 13, 10, 0, tzinfo=LONDON))
        assert slot.format(LONDON, LONDON) == "Tue 13 Jan, 10:00-10:20 GMT"
        assert slot.format(LONDON, LISBON) == "Tue 13 Jan, 10:00-10:20 GMT/WET"
        assert slot.format(BERLIN, ZoneInfo("Europe/Paris")) == "Tue 13 Jan, 11:00-11:20 CET"

    def test_format_user_zone_only(self) -> None:
        slot = self.slot(datetime(2026, 1, 13, 10, 0, tzinfo=LONDON))
        assert slot.format(BERLIN) == "Tue 13 Jan, 11:00-11:20 CET"

    def test_numeric_zone_names_become_utc_offsets(self) -> None:
        slot = self.slot(datetime(2026, 1, 13, 10, 0, tzinfo=UTC))
        assert slot.format(UTC, KATHMANDU) == "Tue 13 Jan, 10:00-10:20 UTC / 15:45-16:05 UTC+05:45"
        sao_paulo = ZoneInfo("America/Sao_Paulo")
        assert slot.format(sao_paulo) == "Tue 13 Jan, 07:00-07:20 UTC-03:00"

    def test_str_uses_the_zones_it_was_proposed_for(self) -> None:
        slot = self.slot(
            datetime(2025, 12, 2, 15, 0, tzinfo=UTC), user_tz=NEW_YORK, contact_tz=BERLIN
        )
        assert str(slot) == slot.format(NEW_YORK, BERLIN)
        assert str(self.slot(datetime(2025, 12, 2, 15, 0, tzinfo=UTC))).endswith("15:00-15:20 UTC")

    def test_templates_can_print_a_slot(self) -> None:
        slots = propose_slots(FRIDAY, config(), NEW_YORK, BERLIN, [], [])
        env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)  # noqa: S701
        text = env.from_string("{% for slot in slots %}- {{ slot }}\n{% endfor %}").render(
            slots=slots
        )
        assert text.splitlines() == [f"- {s.format(NEW_YORK, BERLIN)}" for s in slots]
        assert "EST / " in text and "CET" in text

    def test_equality_ignores_zones_and_compares_instants(self) -> None:
        a = self.slot(datetime(2025, 12, 2, 15, 0, tzinfo=UTC), user_tz=NEW_YORK)
        b = self.slot(datetime(2025, 12, 2, 10, 0, tzinfo=NEW_YORK), contact_tz=BERLIN)
        assert a == b and hash(a) == hash(b)
        assert a.start.tzinfo is UTC

    def test_in_zone(self) -> None:
        slot = self.slot(datetime(2025, 12, 2, 15, 0, tzinfo=UTC))
        start, end = slot.in_zone(KOLKATA)
        assert (start.hour, start.minute, end.hour, end.minute) == (20, 30, 20, 50)
        assert slot.in_zone(KOLKATA).start.tzinfo is KOLKATA

    def test_to_json_has_offsets_and_round_trips(self) -> None:
        slot = self.slot(datetime(2025, 12, 2, 15, 0, tzinfo=UTC), user_tz=NEW_YORK)
        data = slot.to_json()
        assert data == {"start": "2025-12-02T10:00:00-05:00", "end": "2025-12-02T10:20:00-05:00"}
        assert datetime.fromisoformat(data["start"]) == slot.start
        assert Slot.from_json(data, user_tz=NEW_YORK) == slot
        assert (
            self.slot(datetime(2025, 12, 2, 15, 0, tzinfo=UTC))
            .to_json()["start"]
            .endswith("+00:00")
        )

    def test_invalid_slots_are_refused(self) -> None:
        with pytest.raises(ValueError):
            Slot(datetime(2025, 12, 2, 15), datetime(2025, 12, 2, 16, tzinfo=UTC))
        with pytest.raises(ValueError):
            self.slot(datetime(2025, 12, 2, 15, tzinfo=UTC), minutes=0)

    def test_interval_and_minutes(self) -> None:
        slot = self.slot(datetime(2025, 12, 2, 15, 0, tzinfo=UTC), minutes=25)
        assert slot.minutes == 25
        assert slot.interval == Interval(slot.start, slot.end)
