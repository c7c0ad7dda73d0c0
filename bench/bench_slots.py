"""Benchmark: proposing 3 slots against a busy year of calendar.

Generates a deterministic year of events as .ics bytes (~2,000 occurrences: a daily stand-up,
weekly series with EXDATEs and moved instances, one-off meetings in several zones, all-day
events), then times, as the median of several runs:

1. parse + expand the .ics for the busy window of the horizon, then propose 3 slots
   (what `outreach slots` does with an .ics busy source);
2. propose 3 slots alone, from busy intervals already in hand (the Google freebusy path);
3. the same with a contact in another zone and with many held slots;
4. parse + expand the whole year (for scale).

Run from the repository root: ``.venv/bin/python bench/bench_slots.py``. Prints figures, exits 0.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from outreach.config import ScheduleConfig
from outreach.schedule.busy import busy_from_ics
from outreach.schedule.intervals import Interval
from outreach.schedule.slots import busy_query_window, propose_slots

USER_TZ = ZoneInfo("Europe/Berlin")
YEAR = 2026
NOW = datetime(YEAR, 3, 20, 10, 0, tzinfo=USER_TZ)  # the horizon spans the March DST change
RUNS = 7
T = TypeVar("T")


def generate_year(seed: int = 2026) -> tuple[bytes, int]:
    """A year of events as .ics bytes, and how many occurrences it expands to (roughly)."""
    rng = random.Random(seed)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//outreach bench//busy year//EN",
        "CALSCALE:GREGORIAN",
    ]
    stamp = "20251201T000000Z"
    occurrences = 0

    def event(uid: str, *props: str) -> None:
        lines.extend(["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}", *props, "END:VEVENT"])

    # A daily stand-up on working days, all year, with a few holidays excluded.
    exdates = ",".join(f"{YEAR}{m:02d}{d:02d}T093000" for m, d in [(1, 6), (4, 3), (12, 24)])
    event(
        "standup@bench",
        "SUMMARY:Stand-up",
        f"DTSTART;TZID=Europe/Berlin:{YEAR}0101T093000",
        f"DTEND;TZID=Europe/Berlin:{YEAR}0101T094500",
        f"RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL={YEAR}1231T235959Z",
        f"EXDATE;TZID=Europe/Berlin:{exdates}",
    )
    occurrences += 258
    # Ten weekly series, each with a moved instance and an exception.
    for n in range(10):
        weekday = ["MO", "TU", "WE", "TH", "FR"][n % 5]
        hour = 10 + (n % 6)
        first = datetime(YEAR, 1, 5 + n % 5, hour, 0)
        uid = f"weekly-{n}@bench"
        event(
            uid,
            f"SUMMARY:Weekly {n}",
            f"DTSTART;TZID=Europe/Berlin:{first:%Y%m%dT%H%M%S}",
            f"DTEND;TZID=Europe/Berlin:{first + timedelta(minutes=45):%Y%m%dT%H%M%S}",
            f"RRULE:FREQ=WEEKLY;BYDAY={weekday};COUNT=52",
            f"EXDATE;TZID=Europe/Berlin:{first + timedelta(weeks=7):%Y%m%dT%H%M%S}",
        )
        moved_from = first + timedelta(weeks=11)
        moved_to = moved_from + timedelta(days=1, hours=1)
        event(
            uid,
            f"RECURRENCE-ID;TZID=Europe/Berlin:{moved_from:%Y%m%dT%H%M%S}",
            f"SUMMARY:Weekly {n} (moved)",
            f"DTSTART;TZID=Europe/Berlin:{moved_to:%Y%m%dT%H%M%S}",
            f"DTEND;TZID=Europe/Berlin:{moved_to + timedelta(minutes=45):%Y%m%dT%H%M%S}",
            "SEQUENCE:1",
        )
        occurrences += 51
    # One-off meetings: UTC, other zones, floating; some cancelled or transparent.
    zones = ["America/New_York", "Asia/Kolkata", "Europe/London"]
    for n in range(1_200):
        day = datetime(YEAR, 1, 1) + timedelta(days=rng.randrange(365))
        start = day.replace(hour=rng.randrange(7, 19), minute=rng.choice([0, 15, 30, 45]))
        end = start + timedelta(minutes=rng.choice([15, 30, 45, 60, 90]))
        kind = n % 4
        if kind == 0:
            times = [f"DTSTART:{start:%Y%m%dT%H%M%S}Z", f"DTEND:{end:%Y%m%dT%H%M%S}Z"]
        elif kind == 1:
            zone = zones[n % len(zones)]
            times = [
                f"DTSTART;TZID={zone}:{start:%Y%m%dT%H%M%S}",
                f"DTEND;TZID={zone}:{end:%Y%m%dT%H%M%S}",
            ]
        else:
            times = [f"DTSTART:{start:%Y%m%dT%H%M%S}", f"DTEND:{end:%Y%m%dT%H%M%S}"]
        extra = []
        if n % 25 == 0:
            extra.append("STATUS:CANCELLED")
        elif n % 31 == 0:
            extra.append("TRANSP:TRANSPARENT")
        event(f"one-off-{n}@bench", f"SUMMARY:Meeting {n}", *times, *extra)
        occurrences += 1
    # All-day events: trips and holidays.
    for n in range(40):
        day = datetime(YEAR, 1, 1) + timedelta(days=rng.randrange(365))
        length = rng.choice([1, 1, 1, 2, 3])
        event(
            f"all-day-{n}@bench",
            f"SUMMARY:Away {n}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=length):%Y%m%d}",
        )
        occurrences += 1
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode(), occurrences


def median_ms(work: Callable[[], T], runs: int = RUNS) -> tuple[float, T]:
    timings: list[float] = []
    result: T | None = None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        timings.append((time.perf_counter() - started) * 1000)
    assert result is not None
    return statistics.median(timings), result


def main() -> int:
    data, occurrences = generate_year()
    config = ScheduleConfig()
    window = busy_query_window(NOW, config)

    def parse_window() -> list[Interval]:
        return busy_from_ics(data, window.start, window.end, USER_TZ, source="bench.ics")

    def end_to_end() -> int:
        busy = parse_window()
        return len(propose_slots(NOW, config, USER_TZ, None, busy, [], count=3))

    busy = parse_window()
    held = [
        Interval(
            NOW + timedelta(days=2 + d, hours=h), NOW + timedelta(days=2 + d, hours=h, minutes=20)
        )
        for d in range(12)
        for h in (1, 4)
    ]

    parse_ms, _ = median_ms(parse_window)
    e2e_ms, _ = median_ms(end_to_end)
    propose_ms, slots = median_ms(
        lambda: propose_slots(NOW, config, USER_TZ, None, busy, [], count=3), runs=25
    )
    contact_ms, contact_slots = median_ms(
        lambda: propose_slots(
            NOW, config, USER_TZ, ZoneInfo("America/Los_Angeles"), busy, held, count=3
        ),
        runs=25,
    )
    year_ms, year_busy = median_ms(
        lambda: busy_from_ics(
            data,
            datetime(YEAR, 1, 1, tzinfo=UTC),
            datetime(YEAR + 1, 1, 1, tzinfo=UTC),
            USER_TZ,
            source="bench.ics",
        ),
        runs=3,
    )

    print(f"calendar: {len(data) / 1024:.0f} KiB .ics, ~{occurrences} occurrences in {YEAR}")
    print(f"window: {window.start:%Y-%m-%d} to {window.end:%Y-%m-%d}, {len(busy)} busy intervals")
    print(f"parse + expand window .ics             {parse_ms:8.1f} ms (median of {RUNS})")
    print(f"parse + expand + propose 3 slots       {e2e_ms:8.1f} ms (median of {RUNS})")
    print(f"propose 3 slots (busy in hand)         {propose_ms:8.2f} ms (median of 25)")
    print(f"propose 3, LA contact, {len(held)} held slots  {contact_ms:8.2f} ms (median of 25)")
    print(f"parse + expand whole year              {year_ms:8.1f} ms, {len(year_busy)} intervals")
    print("slots:")
    for slot in slots:
        print(f"  {slot}")
    print("slots for a contact in Los Angeles:")
    for slot in contact_slots:
        print(f"  {slot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
