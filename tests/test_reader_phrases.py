"""The reader's phrase rules on their own: days, times of day and zones as people write them,
and what must stay a doubt rather than a guess."""

from __future__ import annotations

from datetime import date, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from outreach.track.reader.days import day_phrase
from outreach.track.reader.hours import hour_phrase
from outreach.track.reader.zones import zone_said
from outreach.track.returndate import normalize_text

WEDNESDAY = date(2026, 11, 4)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Thursday works", [date(2026, 11, 5)]),
        ("next Tuesday at 10", [date(2026, 11, 10)]),  # this week's Tuesday has passed
        ("Tue 10 Nov 10am", [date(2026, 11, 10)]),
        ("3pm on the 12th", [date(2026, 11, 12)]),
        ("the 2nd", [date(2026, 12, 2)]),  # the 2nd has passed: December's
        ("am 12.11. um 15 Uhr", [date(2026, 11, 12)]),
        ("mardi prochain à 10h", [date(2026, 11, 10)]),
        ("el jueves 12 a las 11", [date(2026, 11, 12)]),
        ("na terça às 10h", [date(2026, 11, 10)]),
        ("på tisdag kl 10", [date(2026, 11, 10)]),
        ("Dienstagnachmittag", [date(2026, 11, 10)]),
        ("tomorrow at 4pm", [date(2026, 11, 5)]),
        ("mañana a las 10", [date(2026, 11, 5)]),
        ("any morning next week", [date(2026, 11, 9) + timedelta(days=i) for i in range(5)]),
        ("Monday or Tuesday next week", [date(2026, 11, 9), date(2026, 11, 10)]),
        ("the mornings of the 10th, 11th or 12th",
         [date(2026, 11, 10), date(2026, 11, 11), date(2026, 11, 12)]),
        ("in two weeks", [date(2026, 11, 18)]),
        ("next month", [date(2026, 12, 1)]),
        ("Thursday 11/12 at 2pm", [date(2026, 11, 12)]),  # the weekday settles it
    ],
)
def test_days(text: str, days: list[date]) -> None:
    found = day_phrase(normalize_text(text), WEDNESDAY)
    assert found is not None and not found.doubts
    assert list(found.days) == days


@pytest.mark.parametrize(
    "text",
    [
        "next Thursday",  # said on a Wednesday: tomorrow, or a week later?
        "Wednesday 10 November",  # 10 November is a Tuesday
        "11/12 at 2pm",  # 11 December or 12 November
    ],
)
def test_days_that_stay_doubts(text: str) -> None:
    found = day_phrase(normalize_text(text), WEDNESDAY)
    assert found is not None and found.doubts


def test_ten_eleven_is_the_tenth_of_november_in_a_day_first_reply() -> None:
    found = day_phrase("le 10/11 a 15h", WEDNESDAY, day_first=True)
    assert found is not None and found.days == (date(2026, 11, 10),)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("how about Tuesday 10:00?", time(10), None),
        ("3pm works", time(15), None),
        ("at 3", time(15), None),  # office hours: the afternoon
        ("at 10", time(10), None),
        ("3:30", time(15, 30), None),
        ("15h30", time(15, 30), None),
        ("um 15 Uhr", time(15), None),
        ("om 10 uur", time(10), None),
        ("kl. 14.30", time(14, 30), None),
        ("noon", time(12), None),
        ("between 2 and 4pm", time(14), time(16)),
        ("von 14 bis 16 Uhr", time(14), time(16)),
        ("10-11am", time(10), time(11)),
        ("Friday 2-2:20", time(14), time(14, 20)),
        ("after 2pm", time(14), time(18)),
        ("only until 10:15", time(9), time(10, 15)),
        ("any morning", time(9), time(12)),
        ("lundi après-midi", time(13), time(17)),  # not noon
    ],
)
def test_times_of_day(text: str, start: time, end: time | None) -> None:
    found = hour_phrase(normalize_text(text))
    assert found is not None and found.doubt is None
    assert (found.start, found.end) == (start, end)


@pytest.mark.parametrize("text", ["at 7", "7:30"])
def test_times_that_stay_doubts(text: str) -> None:
    found = hour_phrase(normalize_text(text))
    assert found is not None and found.doubt


@pytest.mark.parametrize("text", ["I have 2 kids", "a 10 minute call", "5-9 November"])
def test_numbers_that_are_not_times(text: str) -> None:
    assert hour_phrase(normalize_text(text)) is None


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("10am CET", ZoneInfo("Europe/Berlin")),
        ("10am EST in July still means New York", ZoneInfo("America/New_York")),
        ("1pm Pacific", ZoneInfo("America/Los_Angeles")),
        ("10:00 my time (Berlin)", ZoneInfo("Europe/Berlin")),
        ("2pm London time", ZoneInfo("Europe/London")),
        ("09:30 Europe/Lisbon", ZoneInfo("Europe/Lisbon")),
        ("15:00 UTC+1", timezone(timedelta(hours=1))),
        ("17:00 Uhr deutscher Zeit", ZoneInfo("Europe/Berlin")),
    ],
)
def test_zones(text: str, zone: object) -> None:
    said = zone_said(text, normalize_text(text))
    assert said is not None and said.zone == zone


def test_french_est_is_not_eastern_time() -> None:
    text = "15h est parfait"
    assert zone_said(text, normalize_text(text)) is None


def test_my_time_and_your_time_name_whose_zone() -> None:
    mine = zone_said("10am my time", "10am my time")
    yours = zone_said("9am your time", "9am your time")
    assert mine is not None and mine.mine and mine.zone is None
    assert yours is not None and yours.yours
