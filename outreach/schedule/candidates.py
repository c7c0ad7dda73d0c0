"""What a candidate slot is, and how a spread of them is chosen: the pieces of the slot engine
that hold no state (the engine keeps the run's candidates and holds; see
:mod:`outreach.schedule.engine`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

NIGHT_START = 22 * 60
"""Minutes after midnight: the contact's night starts 22:00 their time (nothing is offered)."""
NIGHT_END = 7 * 60
"""Minutes after midnight: the contact's night ends 07:00 their time."""
NOON = 12 * 60
LUNCH_END = 13 * 60
GRIDS = (30, 15)
"""Grid steps in minutes, tried in order (see :mod:`outreach.schedule.slots`)."""

MORNING, MIDDAY, AFTERNOON = 0, 1, 2
CONTACT_TIERS = 3  # 0: contact's working hours; 1: their daytime on a working day; 2: their daytime
OTHERS = -1
"""Owner of holds whose contact does not matter (e.g. ``propose_slots``'s ``held``)."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One possible slot. Times in UTC; ``start_s``/``end_s`` are POSIX seconds of the same."""

    start: datetime
    end: datetime
    start_s: int
    end_s: int
    day: date  # the user's date
    tier: int  # lower is better: see SlotEngine.tiers
    part: int  # MORNING, MIDDAY or AFTERNOON, in the reference zone
    clock: int  # start, minutes after midnight in the reference zone
    half_hour: bool  # on the :00/:30 grid of the user's wall clock


def choose(
    pool: list[Candidate], count: int, seed: list[Candidate], buffer_s: int
) -> list[Candidate]:
    """Greedy spread, adding one pick at a time to ``seed`` until ``count``.

    Each pick minimises (picks already on its day, its day, part-of-day mismatch, a clock time
    already offered, start): new days first, earliest day first, then the preferred part of the
    day, then a time not yet offered, then the earliest start.
    """
    chosen = list(seed)
    while len(chosen) < count:
        picks_on_day: dict[date, int] = {}
        picks_in_part: dict[tuple[date, int], int] = {}
        for c in chosen:
            picks_on_day[c.day] = picks_on_day.get(c.day, 0) + 1
            picks_in_part[c.day, c.part] = picks_in_part.get((c.day, c.part), 0) + 1
        clocks = {c.clock for c in chosen}
        previous = max(chosen, key=lambda c: c.start_s) if chosen else None
        # A new day prefers the part opposite to the latest pick; the first pick a morning.
        preferred = AFTERNOON if previous is not None and previous.part == MORNING else MORNING
        best: tuple[int, date, int, int, int] | None = None
        pick: Candidate | None = None
        for c in pool:
            if any(
                c.start_s < o.end_s + buffer_s and o.start_s < c.end_s + buffer_s for o in chosen
            ):
                continue
            on_day = picks_on_day.get(c.day, 0)
            if c.part == MIDDAY:
                mismatch = count + 1  # the lunch hour only when nothing else is left
            elif on_day:
                mismatch = picks_in_part.get((c.day, c.part), 0)  # the emptier half first
            else:
                mismatch = 0 if c.part == preferred else 1
            key = (on_day, c.day, mismatch, int(c.clock in clocks), c.start_s)
            if best is None or key < best:
                best, pick = key, c
        if pick is None:
            break
        chosen.append(pick)
    return chosen


# --- wall-clock helpers ---------------------------------------------------------------------


def wall_time(day: date, minute: int, tz: tzinfo) -> datetime:
    """The wall-clock time ``minute`` minutes after midnight of ``day`` in ``tz`` (1440 = the
    next midnight). Built from fields, never by adding a timedelta to a local time."""
    if minute >= 24 * 60:
        day, minute = day + timedelta(days=1), minute - 24 * 60
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz)


def exists(local: datetime) -> bool:
    """False for a wall time skipped by a DST change (it does not survive a round trip)."""
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def minute_of(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def part_of_day(minute: int) -> int:
    if minute < NOON:
        return MORNING
    return MIDDAY if minute < LUNCH_END else AFTERNOON


def minutes_span(start: datetime, end: datetime, tz: tzinfo) -> tuple[date, int, int] | None:
    """(local date, start minute, end minute) of a span in ``tz``; the end may be 1440 when it
    falls on the next midnight. None if the span crosses midnight there."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    first, last = minute_of(local_start), minute_of(local_end)
    if local_end.date() == local_start.date():
        return local_start.date(), first, last
    if local_end.date() == local_start.date() + timedelta(days=1) and last == 0:
        return local_start.date(), first, 24 * 60
    return None
