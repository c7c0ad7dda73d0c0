"""Busy times from .ics files and from Google freebusy responses.

The calendars in tests/data/calendars/ each show one rule; the files in tests/data/bad/ics/ are
each broken in one way and must give a ScheduleError that names the file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outreach.errors import ScheduleError
from outreach.schedule.busy import (
    busy_from_freebusy,
    busy_from_ics,
    busy_union,
    freebusy_request_body,
    load_ics_busy,
)
from outreach.schedule.intervals import Interval

DATA = Path(__file__).parent / "data"
CALENDARS = DATA / "calendars"
BAD = DATA / "bad" / "ics"
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
JAN_1 = datetime(2026, 1, 1, tzinfo=BERLIN)
MAR_1 = datetime(2026, 3, 1, tzinfo=BERLIN)


def local(intervals: list[Interval], tz: ZoneInfo) -> list[tuple[str, str]]:
    """Intervals as 'YYYY-MM-DD HH:MM' wall-clock pairs in ``tz``."""
    return [
        (f"{i.start.astimezone(tz):%Y-%m-%d %H:%M}", f"{i.end.astimezone(tz):%Y-%m-%d %H:%M}")
        for i in intervals
    ]


def load(name: str, tz: ZoneInfo = BERLIN) -> list[Interval]:
    return load_ics_busy(CALENDARS / name, JAN_1, MAR_1, tz)


class TestCalendars:
    def test_weekly_series_with_exdate_moved_and_cancelled_instances(self) -> None:
        # Mondays 10:00-11:00 from 5 Jan, 8 times; 19 Jan excluded by EXDATE; 26 Jan moved to
        # Tue 27 Jan 14:30; 2 Feb cancelled by its override.
        assert local(load("weekly_recurring.ics"), BERLIN) == [
            ("2026-01-05 10:00", "2026-01-05 11:00"),
            ("2026-01-12 10:00", "2026-01-12 11:00"),
            ("2026-01-27 14:30", "2026-01-27 15:30"),
            ("2026-02-09 10:00", "2026-02-09 11:00"),
            ("2026-02-16 10:00", "2026-02-16 11:00"),
            ("2026-02-23 10:00", "2026-02-23 11:00"),
        ]

    def test_all_day_events_block_whole_days_in_the_users_zone(self) -> None:
        assert local(load("all_day.ics", BERLIN), BERLIN) == [
            ("2026-01-14 00:00", "2026-01-15 00:00"),
            ("2026-01-22 00:00", "2026-01-24 00:00"),  # DTEND is exclusive: two days
        ]
        assert local(load("all_day.ics", NEW_YORK), NEW_YORK) == [
            ("2026-01-14 00:00", "2026-01-15 00:00"),
            ("2026-01-22 00:00", "2026-01-24 00:00"),
        ]

    def test_cancelled_events_do_not_block(self) -> None:
        assert load("cancelled.ics") == [
            Interval(datetime(2026, 1, 14, 13, tzinfo=UTC), datetime(2026, 1, 14, 14, tzinfo=UTC))
        ]

    def test_transparent_events_do_not_block(self) -> None:
        assert load("transparent.ics") == [
            Interval(
                datetime(2026, 1, 14, 15, tzinfo=UTC), datetime(2026, 1, 14, 15, 30, tzinfo=UTC)
            )
        ]

    def test_tzid_times_are_honoured(self) -> None:
        # 09:00 New York (EST) and 16:30 Kolkata (IST, +05:30, DURATION 45 min).
        assert load("other_zone.ics") == [
            Interval(datetime(2026, 1, 14, 14, tzinfo=UTC), datetime(2026, 1, 14, 15, tzinfo=UTC)),
            Interval(
                datetime(2026, 1, 15, 11, tzinfo=UTC), datetime(2026, 1, 15, 11, 45, tzinfo=UTC)
            ),
        ]

    def test_floating_times_are_the_users_wall_clock(self) -> None:
        assert local(load("floating.ics", BERLIN), BERLIN) == [
            ("2026-01-14 12:00", "2026-01-14 13:00")
        ]
        assert local(load("floating.ics", NEW_YORK), NEW_YORK) == [
            ("2026-01-14 12:00", "2026-01-14 13:00")
        ]
        assert load("floating.ics", BERLIN) != load("floating.ics", NEW_YORK)

    def test_floating_recurring_times_keep_their_wall_clock_across_dst(self) -> None:
        busy = load_ics_busy(
            CALENDARS / "floating.ics",
            datetime(2026, 3, 1, tzinfo=NEW_YORK),
            datetime(2026, 4, 1, tzinfo=NEW_YORK),
            NEW_YORK,
        )
        assert local(busy, NEW_YORK) == [
            (f"2026-03-0{d} 08:00", f"2026-03-0{d} 08:30") for d in (6, 7, 8, 9)
        ]
        assert [i.start.hour for i in busy] == [13, 13, 12, 12]  # UTC: EST, then EDT

    def test_window_selects_overlapping_events_without_clipping(self) -> None:
        data = (CALENDARS / "weekly_recurring.ics").read_bytes()
        start = datetime(2026, 1, 12, 10, 30, tzinfo=BERLIN)  # inside the 12 Jan meeting
        end = datetime(2026, 1, 28, tzinfo=BERLIN)
        assert local(busy_from_ics(data, start, end, BERLIN), BERLIN) == [
            ("2026-01-12 10:00", "2026-01-12 11:00"),
            ("2026-01-27 14:30", "2026-01-27 15:30"),
        ]

    def test_several_calendars_in_one_file_are_all_read(self) -> None:
        data = (CALENDARS / "cancelled.ics").read_bytes() + (
            CALENDARS / "transparent.ics"
        ).read_bytes()
        assert len(busy_from_ics(data, JAN_1, MAR_1, BERLIN)) == 2

    def test_overlapping_events_are_merged(self) -> None:
        data = b"\r\n".join(
            [
                b"BEGIN:VCALENDAR",
                b"VERSION:2.0",
                b"PRODID:-//tests//EN",
                b"BEGIN:VEVENT",
                b"UID:a",
                b"DTSTART:20260114T090000Z",
                b"DTEND:20260114T100000Z",
                b"END:VEVENT",
                b"BEGIN:VEVENT",
                b"UID:b",
                b"DTSTART:20260114T093000Z",
                b"DTEND:20260114T110000Z",
                b"END:VEVENT",
                b"BEGIN:VEVENT",
                b"UID:c",
                b"SUMMARY:a point in time takes no time",
                b"DTSTART:20260114T150000Z",
                b"END:VEVENT",
                b"END:VCALENDAR",
                b"",
            ]
        )
        assert busy_from_ics(data, JAN_1, MAR_1, BERLIN) == [
            Interval(datetime(2026, 1, 14, 9, tzinfo=UTC), datetime(2026, 1, 14, 11, tzinfo=UTC))
        ]

    def test_naive_window_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError, match="aware"):
            busy_from_ics(b"", datetime(2026, 1, 1), MAR_1, BERLIN)


BAD_FILES = sorted(p for p in BAD.iterdir() if p.is_file())


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.name for p in BAD_FILES])
def test_broken_ics_gives_schedule_error_naming_the_file(path: Path) -> None:
    with pytest.raises(ScheduleError) as caught:
        load_ics_busy(path, JAN_1, MAR_1, BERLIN)
    assert path.name in caught.value.message
    assert caught.value.hint
    assert len(caught.value.message) < 400  # a sentence, not a dump of the file


def test_there_are_broken_files_to_test() -> None:
    assert len(BAD_FILES) >= 8


def test_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.ics"
    with pytest.raises(ScheduleError, match=r"nowhere\.ics"):
        load_ics_busy(missing, JAN_1, MAR_1, BERLIN)


def test_busy_from_ics_names_its_source() -> None:
    with pytest.raises(ScheduleError, match="work calendar"):
        busy_from_ics(b"not ical", JAN_1, MAR_1, BERLIN, source="work calendar")


class TestFreebusy:
    def test_request_body(self) -> None:
        body = freebusy_request_body(
            datetime(2026, 1, 12, 9, tzinfo=BERLIN),
            datetime(2026, 1, 26, 9, tzinfo=BERLIN),
            ["primary", "team@example.org"],
        )
        assert body == {
            "timeMin": "2026-01-12T08:00:00Z",
            "timeMax": "2026-01-26T08:00:00Z",
            "timeZone": "UTC",
            "items": [{"id": "primary"}, {"id": "team@example.org"}],
        }

    def test_request_body_defaults_to_primary_and_checks_its_window(self) -> None:
        start = datetime(2026, 1, 12, tzinfo=UTC)
        assert freebusy_request_body(start, start + timedelta(days=1))["items"] == [
            {"id": "primary"}
        ]
        with pytest.raises(ValueError):
            freebusy_request_body(start, start)
        with pytest.raises(ValueError):
            freebusy_request_body(start, start + timedelta(days=1), [])

    def test_response_to_merged_intervals(self) -> None:
        response = {
            "kind": "calendar#freeBusy",
            "calendars": {
                "primary": {
                    "busy": [
                        {"start": "2026-01-14T09:00:00Z", "end": "2026-01-14T10:00:00Z"},
                        {"start": "2026-01-14T10:00:00+00:00", "end": "2026-01-14T10:30:00Z"},
                        {"start": "2026-01-15T08:00:00-05:00", "end": "2026-01-15T09:00:00-05:00"},
                    ]
                },
                "team@example.org": {"busy": [], "errors": []},
            },
        }
        assert busy_from_freebusy(response) == [
            Interval(
                datetime(2026, 1, 14, 9, tzinfo=UTC), datetime(2026, 1, 14, 10, 30, tzinfo=UTC)
            ),
            Interval(datetime(2026, 1, 15, 13, tzinfo=UTC), datetime(2026, 1, 15, 14, tzinfo=UTC)),
        ]

    def test_a_calendar_error_is_not_treated_as_free(self) -> None:
        response = {
            "calendars": {
                "primary": {"busy": []},
                "boss@example.org": {
                    "busy": [],
                    "errors": [{"domain": "global", "reason": "notFound"}],
                },
            }
        }
        with pytest.raises(ScheduleError, match=r"boss@example\.org.*notFound"):
            busy_from_freebusy(response)

    @pytest.mark.parametrize(
        "response",
        [
            {},
            {"calendars": []},
            {"calendars": {"primary": "busy"}},
            {"calendars": {"primary": {"busy": {"start": "x"}}}},
            {"calendars": {"primary": {"busy": [{"start": "2026-01-14T09:00:00Z"}]}}},
            {"calendars": {"primary": {"busy": [{"start": "soon", "end": "later"}]}}},
            {"calendars": {"primary": {"busy": [{"start": "2026-01-14T09:00:00", "end": "x"}]}}},
            {
                "calendars": {
                    "primary": {
                        "busy": [{"start": "2026-01-14T10:00:00Z", "end": "2026-01-14T09:00:00Z"}]
                    }
                }
            },
        ],
    )
    def test_unexpected_shapes_are_schedule_errors(self, response: dict[str, object]) -> None:
        with pytest.raises(ScheduleError, match="freebusy"):
            busy_from_freebusy(response)


def test_busy_union_merges_sources() -> None:
    google = [Interval(datetime(2026, 1, 14, 9, tzinfo=UTC), datetime(2026, 1, 14, 10, tzinfo=UTC))]
    ics = [
        Interval(datetime(2026, 1, 14, 9, 30, tzinfo=UTC), datetime(2026, 1, 14, 11, tzinfo=UTC))
    ]
    assert busy_union(google, ics) == [
        Interval(datetime(2026, 1, 14, 9, tzinfo=UTC), datetime(2026, 1, 14, 11, tzinfo=UTC))
    ]
