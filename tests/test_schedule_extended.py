"""Contacts whose working day does not overlap the user's (Tokyo from New York): early or late
slots inside limits the user sets (`[schedule] extended_hours`, `contact_day`), never in the
contact's night (22:00-07:00 their time), never outside the user's limits."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.config import ScheduleConfig, parse_config
from outreach.errors import ConfigError, ScheduleError
from outreach.schedule.intervals import Interval
from outreach.schedule.slots import Slot, propose_slots
from tests.conftest import Invoke

NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
LONDON = ZoneInfo("Europe/London")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
SYDNEY = ZoneInfo("Australia/Sydney")
# Monday 2 March 2026, 09:00 in New York (the tests' usual clock): Tokyo is 14 hours ahead.
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=NEW_YORK)


def config(**changes: Any) -> ScheduleConfig:
    return dataclasses.replace(ScheduleConfig(), **changes)


def minutes(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def inside(slot: Slot, tz: ZoneInfo, hours: str) -> bool:
    """The slot lies within ``hours`` ("HH:MM-HH:MM") on one day in ``tz``."""
    start, end = slot.in_zone(tz)
    first, last = (int(h) * 60 + int(m) for h, m in (p.split(":") for p in hours.split("-")))
    return start.date() == end.date() and first <= minutes(start) and minutes(end) <= last


class TestTokyoFromNewYork:
    def test_without_extended_hours_there_is_no_slot_and_the_error_names_the_fix(self) -> None:
        # New York 09:00-17:00 is 23:00-07:00 in Tokyo: all of it is their night.
        with pytest.raises(ScheduleError) as caught:
            propose_slots(MONDAY, config(), NEW_YORK, TOKYO, [], [])
        assert "Asia/Tokyo" in caught.value.message
        assert "23:00-07:00" in caught.value.message  # your working hours, their clock
        assert caught.value.hint is not None and "extended_hours" in caught.value.hint
        assert "19:00-03:00" in caught.value.hint  # their working hours, your clock

    def test_with_extended_hours_they_get_slots_in_their_working_day(self) -> None:
        cfg = config(extended_hours="07:00-21:00")
        slots = propose_slots(MONDAY, cfg, NEW_YORK, TOKYO, [], [])
        assert len(slots) == 3
        for slot in slots:
            assert inside(slot, NEW_YORK, "07:00-21:00"), slot
            assert inside(slot, TOKYO, "09:00-17:00"), slot  # their working hours
            assert slot.in_zone(TOKYO).start.weekday() < 5
        # Three different days, each on the user's evening (19:00 New York is 09:00 Tokyo).
        assert len({s.in_zone(NEW_YORK).start.date() for s in slots}) == 3
        assert all(s.in_zone(NEW_YORK).start.hour >= 19 for s in slots)

    def test_the_users_early_limit_is_kept(self) -> None:
        # Only mornings are extended (from 06:00): New York's early morning is Tokyo's evening
        # (06:00 EST is 20:00 there), inside their daytime, so that is what they get.
        cfg = config(extended_hours="06:00-17:00")
        slots = propose_slots(MONDAY, cfg, NEW_YORK, TOKYO, [], [])
        assert slots
        for slot in slots:
            assert inside(slot, NEW_YORK, "06:00-17:00"), slot
            assert inside(slot, TOKYO, "07:00-21:00"), slot

    def test_a_narrower_contact_day_is_respected(self) -> None:
        # New York from 06:00 is Tokyo from 19:00 (EDT) or 20:00 (EST): past their 19:00.
        cfg = config(extended_hours="06:00-17:00", contact_day="08:00-19:00")
        with pytest.raises(ScheduleError, match="08:00-19:00"):
            propose_slots(MONDAY, cfg, NEW_YORK, TOKYO, [], [])

    def test_extended_hours_are_not_used_for_contacts_whose_day_overlaps(self) -> None:
        cfg = config(extended_hours="07:00-21:00")
        london = propose_slots(MONDAY, cfg, NEW_YORK, LONDON, [], [])
        assert all(inside(s, NEW_YORK, "09:00-17:00") for s in london)
        unknown_zone = propose_slots(MONDAY, cfg, NEW_YORK, None, [], [], count=10)
        assert all(inside(s, NEW_YORK, "09:00-17:00") for s in unknown_zone)

    def test_extended_hours_only_fill_places_working_hours_cannot(self) -> None:
        # London from New York overlaps 09:00-12:00; busy mornings leave Monday 09:00 only.
        cfg = config(extended_hours="07:00-21:00")
        day = MONDAY.date()
        blocks = [
            Interval(
                datetime.combine(day + timedelta(days=d), time(9, 30), tzinfo=NEW_YORK),
                datetime.combine(day + timedelta(days=d), time(17), tzinfo=NEW_YORK),
            )
            for d in range(1, 15)
        ]
        slots = propose_slots(MONDAY, cfg, NEW_YORK, LONDON, blocks, [])
        in_hours = [s for s in slots if inside(s, NEW_YORK, "09:00-17:00")]
        assert len(in_hours) >= 1
        others = [s for s in slots if s not in in_hours]
        for slot in others:
            assert inside(slot, NEW_YORK, "07:00-09:00"), slot  # before the busy day
            assert inside(slot, LONDON, "09:00-17:00"), slot  # ... their working hours

    def test_the_slots_command_offers_tokyo_times_once_configured(
        self, workspace: Path, run: Invoke
    ) -> None:
        run("contacts", "add", "kenji@example.jp", "--name", "Kenji Sato", "--tz", "Asia/Tokyo")
        env = {"OUTREACH_NOW": MONDAY.isoformat()}
        refused = run("slots", "--contact", "kenji@example.jp", env=env)
        assert refused.exit_code == 1
        assert "extended_hours" in refused.output
        config_file = workspace / "config.toml"
        text = config_file.read_text()
        config_file.write_text(
            text.replace('extended_hours = ""', 'extended_hours = "07:00-21:00"')
        )
        offered = run("slots", "--contact", "kenji@example.jp", "--json", env=env)
        assert offered.exit_code == 0, offered.output
        import json

        starts = [datetime.fromisoformat(item["start"]) for item in json.loads(offered.output)]
        assert len(starts) == 3
        for start in starts:
            assert 19 <= start.astimezone(NEW_YORK).hour < 21
            assert 9 <= start.astimezone(TOKYO).hour < 17


ZONES = [
    "America/New_York",
    "America/Los_Angeles",
    "Europe/London",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    user=st.sampled_from(ZONES),
    contact=st.sampled_from(ZONES),
    minute=st.integers(0, 525_000),
    early=st.integers(5, 9),
    late=st.integers(17, 23),
)
def test_property_never_the_contacts_night_nor_past_the_users_limits(
    user: str, contact: str, minute: int, early: int, late: int
) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minute)
    extended = f"{early:02d}:00-{late:02d}:00"
    cfg = config(extended_hours=extended)
    user_tz, contact_tz = ZoneInfo(user), ZoneInfo(contact)
    try:
        slots = propose_slots(now, cfg, user_tz, contact_tz, [], [], count=4)
    except ScheduleError:
        return
    for slot in slots:
        assert inside(slot, user_tz, extended), slot
        assert slot.in_zone(user_tz).start.weekday() < 5
        theirs = slot.in_zone(contact_tz)
        assert theirs.start.date() == theirs.end.date()
        assert time(7) <= theirs.start.time() and theirs.end.time() <= time(21)


class TestConfig:
    def parse(self, schedule: str) -> ScheduleConfig:
        return parse_config(f"[schedule]\n{schedule}\n", Path("/ws/config.toml")).schedule

    def test_defaults_stay_inside_working_hours(self) -> None:
        schedule = self.parse("")
        assert schedule.extended_hours == ""
        assert schedule.extended_window == schedule.working_window == (9 * 60, 17 * 60)
        assert schedule.contact_day_window == (7 * 60, 21 * 60)

    def test_extended_hours_are_read(self) -> None:
        schedule = self.parse('extended_hours = "07:30-21:00"')
        assert schedule.extended_window == (7 * 60 + 30, 21 * 60)

    @pytest.mark.parametrize(
        "value", ['"7-21"', '"10:00-21:00"', '"07:00-16:00"', '"21:00-07:00"', "7"]
    )
    def test_bad_extended_hours_name_the_key_and_what_is_accepted(self, value: str) -> None:
        with pytest.raises(ConfigError) as caught:
            self.parse(f"extended_hours = {value}")
        assert "/ws/config.toml" in caught.value.message
        assert "extended_hours" in caught.value.message
        assert "working_hours" in caught.value.message  # it must include them

    @pytest.mark.parametrize("value", ['"06:00-21:00"', '"07:00-23:00"', '"09:00-09:10"', '""'])
    def test_a_contact_day_reaching_into_their_night_is_refused(self, value: str) -> None:
        with pytest.raises(ConfigError) as caught:
            self.parse(f"contact_day = {value}")
        assert "contact_day" in caught.value.message
        assert "22:00-07:00" in caught.value.message

    def test_the_example_config_documents_the_new_keys(self) -> None:
        from outreach.config import example_config_text

        text = example_config_text()
        example = parse_config(text, Path("config.example.toml")).schedule
        assert example == ScheduleConfig()
        for key in ("extended_hours", "contact_day"):
            assert f"\n{key} = " in text


def test_sydney_contact_of_a_london_user_gets_their_evening_never_their_night() -> None:
    # London 09:00-17:00 in January is 20:00-04:00 in Sydney, and London's evening is their
    # night: only the first hour of the day and the extended morning (their 18:00-20:00) fit.
    now = datetime(2026, 1, 12, 9, tzinfo=LONDON)
    cfg = config(extended_hours="07:00-20:00")
    slots = propose_slots(now, cfg, LONDON, SYDNEY, [], [])
    assert len(slots) == 3
    for slot in slots:
        assert inside(slot, LONDON, "07:00-20:00")
        assert inside(slot, SYDNEY, "07:00-21:00")
