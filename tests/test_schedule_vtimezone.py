"""VTIMEZONE generation: yearly rules where the zone has them, checked by two parsers reading the
component's own rules (never a lookup of its TZID) against zoneinfo, day by day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject

from outreach.schedule.vtimezone import vtimezone

MOMENT = datetime(2026, 6, 1, 12, tzinfo=UTC)
RULE_ZONES = [
    "America/New_York",
    "America/St_Johns",  # -03:30 / -02:30
    "Europe/Berlin",
    "Europe/Dublin",  # "negative DST" in the tz database
    "Australia/Adelaide",  # southern hemisphere, +09:30 / +10:30
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Pacific/Auckland",
]
FIXED_ZONES = ["Asia/Kolkata", "Asia/Kathmandu", "America/Sao_Paulo", "Asia/Tokyo"]


def days(start: datetime, end: datetime) -> list[datetime]:
    return [start + timedelta(days=i) for i in range((end - start).days)]


def check_against_zoneinfo(text: str, key: str, *, with_vobject: bool = True) -> None:
    import icalendar

    component = icalendar.Timezone.from_ical(text)
    assert isinstance(component, icalendar.Timezone)
    from_icalendar = component.to_tz(lookup_tzid=False)
    readers = [from_icalendar]
    if with_vobject:
        wrapped = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n{text}END:VCALENDAR\r\n"
        readers.append(vobject.readOne(wrapped).vtimezone.gettzinfo())
    zone = ZoneInfo(key)
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
    # Twice a week, and hourly around every change zoneinfo knows of.
    probes = [day + timedelta(hours=15) for day in days(start, end)[::3]]
    for day in days(start, end):
        if (
            day.astimezone(zone).utcoffset()
            != (day + timedelta(days=1)).astimezone(zone).utcoffset()
        ):
            probes += [day + timedelta(hours=h) for h in range(-1, 26)]
    for moment in probes:
        expected = moment.astimezone(zone).utcoffset()
        for reader in readers:
            assert moment.astimezone(reader).utcoffset() == expected, (key, moment, reader)


@pytest.mark.parametrize("key", RULE_ZONES)
def test_dst_zones_get_yearly_rules_that_match_zoneinfo(key: str) -> None:
    text = vtimezone(ZoneInfo(key), MOMENT).to_ical().decode()
    assert f"TZID:{key}" in text
    assert text.count("RRULE:FREQ=YEARLY") == 2
    assert "RDATE" not in text
    check_against_zoneinfo(text, key)


@pytest.mark.parametrize("key", FIXED_ZONES)
def test_fixed_zones_get_one_observance(key: str) -> None:
    text = vtimezone(ZoneInfo(key), MOMENT).to_ical().decode()
    assert text.count("BEGIN:STANDARD") == 1 and "BEGIN:DAYLIGHT" not in text
    check_against_zoneinfo(text, key)


@pytest.mark.parametrize("key", ["Africa/Casablanca", "Africa/Cairo", "America/Santiago"])
def test_zones_without_yearly_rules_get_one_observance_per_change(key: str) -> None:
    # Casablanca's changes follow Ramadan; Cairo's and Santiago's fall at midnight at a month's
    # end: no BYDAY rule says them. Each change is then written out on its own.
    text = vtimezone(ZoneInfo(key), MOMENT).to_ical().decode()
    assert "RRULE" not in text and "RDATE" not in text
    assert text.count("BEGIN:STANDARD") + text.count("BEGIN:DAYLIGHT") > 2
    check_against_zoneinfo(text, key)


def test_deterministic() -> None:
    zone = ZoneInfo("Europe/Berlin")
    assert vtimezone(zone, MOMENT).to_ical() == vtimezone(zone, MOMENT).to_ical()
