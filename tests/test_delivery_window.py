"""Delivered in their morning: the pure rule for when a first message or nudge goes out."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from outreach.schedule.delivery import DeliveryWindow, delivery_time, in_window, parse_window

WINDOW = parse_window("08:00-10:00")
assert WINDOW is not None
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_an_empty_window_turns_delivery_windows_off() -> None:
    assert parse_window("") is None
    assert parse_window("   ") is None


@pytest.mark.parametrize("text", ["8-10", "10:00-08:00", "08:00-08:00", "25:00-26:00", "soon"])
def test_a_malformed_window_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_window(text)


def test_inside_their_window_it_goes_now() -> None:
    now = at("2026-12-08T08:30:00-05:00")  # Tuesday 08:30 in New York
    assert delivery_time(now, NEW_YORK, WINDOW) == now


def test_an_afternoon_send_waits_for_their_next_morning() -> None:
    now = at("2026-12-08T15:00:00-05:00")  # Tuesday afternoon in New York
    when = delivery_time(now, NEW_YORK, WINDOW)
    assert when.astimezone(NEW_YORK).isoformat() == "2026-12-09T08:00:00-05:00"


def test_the_same_moment_is_a_different_morning_in_each_zone() -> None:
    now = at("2026-12-08T15:00:00-05:00")  # Tuesday 15:00 in New York = 21:00 Berlin
    assert delivery_time(now, BERLIN, WINDOW).isoformat() == "2026-12-09T08:00:00+01:00"
    # 05:00 Wednesday in Tokyo: their window is three hours away, the same day.
    assert delivery_time(now, TOKYO, WINDOW).isoformat() == "2026-12-09T08:00:00+09:00"
    assert delivery_time(now, KOLKATA, WINDOW).isoformat() == "2026-12-09T08:00:00+05:30"
    assert delivery_time(now, LOS_ANGELES, WINDOW).isoformat() == "2026-12-09T08:00:00-08:00"


def test_a_friday_evening_send_goes_on_monday_morning() -> None:
    now = at("2026-12-11T18:00:00-05:00")  # Friday
    when = delivery_time(now, NEW_YORK, WINDOW)
    assert when.isoformat() == "2026-12-14T08:00:00-05:00"
    assert when.weekday() == 0


def test_their_weekend_counts_even_when_it_is_the_users_weekday() -> None:
    # Friday 20:00 in New York is already Saturday 10:00 in Tokyo: their next window is Monday.
    now = at("2026-12-11T20:00:00-05:00")
    assert delivery_time(now, TOKYO, WINDOW).isoformat() == "2026-12-14T08:00:00+09:00"


def test_a_missed_window_means_the_next_weekday_never_a_late_evening_send() -> None:
    # The machine was off through Wednesday's window and wakes at 22:00 their time.
    now = at("2026-12-09T22:00:00-05:00")
    assert not in_window(now, NEW_YORK, WINDOW)
    assert delivery_time(now, NEW_YORK, WINDOW).isoformat() == "2026-12-10T08:00:00-05:00"


def test_their_clock_is_followed_across_spring_forward() -> None:
    # New York springs forward on Sunday 8 March 2026; Monday 08:00 is then UTC-4.
    now = at("2026-03-06T17:00:00-05:00")  # Friday before the change
    when = delivery_time(now, NEW_YORK, WINDOW)
    assert when.isoformat() == "2026-03-09T08:00:00-04:00"
    assert when.utcoffset() == timedelta(hours=-4)


def test_their_clock_is_followed_across_fall_back_in_the_south() -> None:
    # Sydney falls back on Sunday 5 April 2026 (AEDT +11 to AEST +10).
    now = at("2026-04-03T12:00:00+11:00")  # Friday noon in Sydney
    assert delivery_time(now, SYDNEY, WINDOW).isoformat() == "2026-04-06T08:00:00+10:00"


def test_europe_and_america_change_clocks_on_different_weeks() -> None:
    # Between 8 and 29 March 2026 New York is on summer time and Berlin is not: five hours.
    now = at("2026-03-16T12:00:00-04:00")  # Monday noon in New York = 17:00 Berlin
    assert delivery_time(now, BERLIN, WINDOW).isoformat() == "2026-03-17T08:00:00+01:00"
    after = at("2026-03-30T12:00:00-04:00")
    assert delivery_time(after, BERLIN, WINDOW).isoformat() == "2026-03-31T08:00:00+02:00"


def test_a_window_starting_in_a_skipped_hour_lands_just_after_the_change() -> None:
    # 02:30 never happens in New York on Sunday 8 March 2026: the clocks jump from 02:00 to 03:00.
    night = DeliveryWindow(time(2, 30), time(4, 0), weekdays=frozenset(range(7)))
    now = at("2026-03-07T12:00:00-05:00")  # Saturday noon
    assert delivery_time(now, NEW_YORK, night).isoformat() == "2026-03-08T03:30:00-04:00"


def test_a_batch_is_spread_over_the_first_half_of_the_window() -> None:
    now = at("2026-12-08T15:00:00-05:00")
    times = {delivery_time(now, NEW_YORK, WINDOW, offset_minutes=n * 7) for n in range(20)}
    local = sorted(t.astimezone(NEW_YORK) for t in times)
    assert local[0].isoformat() == "2026-12-09T08:00:00-05:00"
    assert all(t.hour == 8 for t in local)  # within the first hour of 08:00-10:00
    assert len(times) > 5
    assert all(in_window(t, NEW_YORK, WINDOW) for t in times)
