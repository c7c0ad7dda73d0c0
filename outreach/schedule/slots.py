"""Proposing meeting slots from free time, and formatting them for both sides.

How :func:`propose_slots` chooses, in order:

1. **Candidates.** Every working day (in the user's zone) between ``now + lead_hours`` and
   ``now + horizon_days``, start times on a grid of the user's wall clock inside the working
   hours. Each start is built as a wall-clock time *in the zone* and converted to UTC; the end is
   start + ``meeting_minutes`` of real time. Nothing adds a ``timedelta`` to a local time, so DST
   days and 30/45-minute offsets come out right. A wall time that does not exist (the hour
   skipped in spring) is not offered; a repeated one (autumn) is offered once, at its first
   occurrence.
2. **Grid.** Starts on :00 and :30 first: round half-hours are what people propose and
   remember, and with the default 20-minute meeting and 10-minute buffer they tile a free hour
   exactly. Only if that grid cannot give ``count`` slots are quarter-hour starts (:15, :45)
   added, to fill the remaining places: they recover time in fragmented calendars (a meeting
   ending at :05 plus a buffer) and in short overlaps with a contact's hours (e.g. Kathmandu's
   +05:45). Slots already found on the half-hour grid are kept.
3. **Free.** A slot, padded by ``buffer_minutes`` on both sides, must not overlap any busy
   interval or any held slot (times already offered to other contacts).
4. **The contact's day** (when their zone is known). Never any part of 22:00-07:00 their time.
   Preferred: inside their working hours (the user's clock hours, in their zone) on a working
   day; then 07:00-21:00 on a working day; then 07:00-21:00 on any day. A less convenient tier
   is used only to fill places the better tiers cannot.
5. **Spread.** One slot per day on the earliest days first. On each day the earliest start in
   the part of the day opposite to the previous pick (morning before 12:00, afternoon from
   13:00), so the offers alternate; the first offer prefers a morning; the lunch hour is a last
   resort; among equals, a clock time not yet offered (so a contact with a standing meeting at
   09:00 still gets a choice). Only when there are fewer usable days than slots does a day get
   a second slot, in its emptier half. Proposed slots keep the buffer between each other too.
   Results are sorted by start; the procedure is deterministic.

Times of day for the alternation are read in the contact's zone when known (variety matters to
the person choosing), else in the user's.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import NamedTuple

from outreach.config import ScheduleConfig
from outreach.errors import ScheduleError
from outreach.schedule.intervals import Interval, pad

__all__ = [
    "CONTACT_DAY_END",
    "CONTACT_DAY_START",
    "Slot",
    "ZonedSpan",
    "busy_query_window",
    "propose_slots",
]

CONTACT_DAY_START = 7 * 60
"""Minutes after midnight: the contact's fallback day starts 07:00 their time."""
CONTACT_DAY_END = 21 * 60
"""Minutes after midnight: the contact's fallback day ends 21:00 their time."""
NIGHT_START = 22 * 60
NIGHT_END = 7 * 60
NOON = 12 * 60
LUNCH_END = 13 * 60
GRIDS = (30, 15)
"""Grid steps in minutes, tried in order (see the module docstring)."""

_WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class ZonedSpan(NamedTuple):
    """A slot's start and end as wall-clock times in one zone."""

    start: datetime
    end: datetime


@dataclass(frozen=True, order=True)
class Slot:
    """One proposed meeting time. ``start``/``end`` are aware and stored in UTC.

    ``user_tz`` and ``contact_tz`` are the zones it was proposed for; they drive ``str(slot)``
    (so a template can print ``{{ slot }}``) and :meth:`to_json`, and are ignored by ``==``,
    ordering and hashing: two slots are equal when they are the same span of time.
    """

    start: datetime
    end: datetime
    user_tz: tzinfo | None = field(default=None, compare=False, repr=False)
    contact_tz: tzinfo | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value: datetime = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"Slot {name} must be timezone-aware, got {value!r}")
            object.__setattr__(self, name, value.astimezone(UTC))
        if self.end <= self.start:
            raise ValueError(f"Slot must end after it starts: {self.start} >= {self.end}")

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def in_zone(self, tz: tzinfo) -> ZonedSpan:
        """Start and end as wall-clock times in ``tz``."""
        return ZonedSpan(self.start.astimezone(tz), self.end.astimezone(tz))

    def format(self, user_tz: tzinfo, contact_tz: tzinfo | None = None) -> str:
        """E.g. ``Tue 2 Dec, 10:00-10:20 EST / 16:00-16:20 CET``.

        The contact's part is left out when it has no zone, merged into one time when both zones
        show the same wall-clock time (``10:00-10:20 GMT`` or ``10:00-10:20 GMT/WET``), and
        carries its own day when that differs from the user's:
        ``Mon 1 Dec, 21:00-21:20 PST / Tue 2 Dec, 10:30-10:50 IST``.
        """
        mine = self.in_zone(user_tz)
        text = f"{_day(mine.start)}, {_clock(mine)}"
        if contact_tz is None:
            return f"{text} {_abbreviation(mine.start)}"
        theirs = self.in_zone(contact_tz)
        mine_abbr, their_abbr = _abbreviation(mine.start), _abbreviation(theirs.start)
        if _wall(mine) == _wall(theirs):
            zones = mine_abbr if mine_abbr == their_abbr else f"{mine_abbr}/{their_abbr}"
            return f"{text} {zones}"
        their_text = f"{_clock(theirs)} {their_abbr}"
        if theirs.start.date() != mine.start.date():
            their_text = f"{_day(theirs.start)}, {their_text}"
        return f"{text} {mine_abbr} / {their_text}"

    def __str__(self) -> str:
        return self.format(self.user_tz or UTC, self.contact_tz)

    def to_json(self) -> dict[str, str]:
        """``{"start", "end"}`` as ISO 8601 with offset, in the user's zone (UTC if unknown)."""
        span = self.in_zone(self.user_tz or UTC)
        return {
            "start": span.start.isoformat(timespec="seconds"),
            "end": span.end.isoformat(timespec="seconds"),
        }

    @classmethod
    def from_json(
        cls,
        data: Mapping[str, str],
        user_tz: tzinfo | None = None,
        contact_tz: tzinfo | None = None,
    ) -> Slot:
        """Inverse of :meth:`to_json` (e.g. for a stored proposal)."""
        return cls(
            datetime.fromisoformat(data["start"]),
            datetime.fromisoformat(data["end"]),
            user_tz=user_tz,
            contact_tz=contact_tz,
        )


def busy_query_window(now: datetime, config: ScheduleConfig) -> Interval:
    """The span whose busy times :func:`propose_slots` needs: the horizon plus the buffer."""
    _require_aware(now)
    buffer = timedelta(minutes=config.buffer_minutes)
    return Interval(now - buffer, now + timedelta(days=config.horizon_days) + buffer)


def propose_slots(
    now: datetime,
    config: ScheduleConfig,
    user_tz: tzinfo,
    contact_tz: tzinfo | None,
    busy: Sequence[Interval],
    held: Sequence[Interval],
    count: int | None = None,
) -> list[Slot]:
    """Up to ``count`` (default ``config.slot_count``) free slots, sorted by start.

    ``busy`` are the user's busy times (any order, overlapping is fine; fetch them for
    :func:`busy_query_window`). ``held`` are slots already offered to other contacts and not
    yet released; pass ``[]`` when ``share_held_slots`` is on. Both are kept
    ``buffer_minutes`` away from. See the module docstring for the rules. Fewer than ``count``
    slots are returned when fewer exist; none at all is an error.

    Raises:
        ScheduleError: no slot satisfies the rules (with a hint on what to widen).
    """
    _require_aware(now)
    wanted = config.slot_count if count is None else count
    if wanted < 1:
        raise ScheduleError(
            f"Asked for {wanted} slots.", hint="Ask for at least one slot (--count 1 or more)."
        )
    meeting = timedelta(minutes=config.meeting_minutes)
    buffer = timedelta(minutes=config.buffer_minutes)
    earliest = now.astimezone(UTC) + timedelta(hours=config.lead_hours)
    latest = now.astimezone(UTC) + timedelta(days=config.horizon_days)
    if config.work_end_minutes - config.work_start_minutes < config.meeting_minutes:
        raise ScheduleError(
            f"Working hours {config.working_hours} are shorter than a "
            f"{config.meeting_minutes}-minute meeting.",
            hint="Widen [schedule] working_hours or shorten meeting_minutes in config.toml.",
        )
    blocked = pad([*busy, *held], buffer)
    finder = _Finder(config, user_tz, contact_tz, earliest, latest, meeting, blocked)

    chosen: list[_Candidate] = []
    for tier in range(_TIERS if contact_tz is not None else 1):
        for grid in GRIDS:
            pool = [c for c in finder.candidates(grid) if c.tier <= tier]
            chosen = _choose(pool, wanted, chosen, buffer)
            if len(chosen) >= wanted:
                break
        if len(chosen) >= wanted:
            break
    if not chosen:
        raise _no_slot_error(config, user_tz, contact_tz, earliest, latest, bool(held))
    return [
        Slot(c.start, c.end, user_tz=user_tz, contact_tz=contact_tz)
        for c in sorted(chosen, key=lambda c: c.start)
    ]


# --- candidates -----------------------------------------------------------------------------

_TIERS = 3  # 0: contact's working hours; 1: their daytime on a working day; 2: their daytime


_MORNING, _MIDDAY, _AFTERNOON = 0, 1, 2


@dataclass(frozen=True)
class _Candidate:
    start: datetime  # UTC
    end: datetime  # UTC
    day: date  # the user's date
    tier: int
    part: int  # _MORNING, _MIDDAY or _AFTERNOON, in the reference zone
    clock: int  # start, minutes after midnight in the reference zone


class _Finder:
    """Generates free candidates for one request; caches per grid step."""

    def __init__(
        self,
        config: ScheduleConfig,
        user_tz: tzinfo,
        contact_tz: tzinfo | None,
        earliest: datetime,
        latest: datetime,
        meeting: timedelta,
        blocked: list[Interval],
    ) -> None:
        self.config, self.user_tz, self.contact_tz = config, user_tz, contact_tz
        self.earliest, self.latest, self.meeting = earliest, latest, meeting
        self.blocked = blocked
        self.blocked_starts = [b.start for b in blocked]
        self._cache: dict[int, list[_Candidate]] = {}

    def candidates(self, grid: int) -> list[_Candidate]:
        if grid not in self._cache:
            self._cache[grid] = list(self._generate(grid))
        return self._cache[grid]

    def _generate(self, grid: int) -> Iterable[_Candidate]:
        config, tz = self.config, self.user_tz
        weekdays = config.working_weekdays
        work_start, work_end = config.work_start_minutes, config.work_end_minutes
        first_minute = -(-work_start // grid) * grid  # round up onto the grid
        day = self.earliest.astimezone(tz).date()
        last_day = self.latest.astimezone(tz).date()
        while day <= last_day:
            if day.weekday() in weekdays:
                day_end = _wall_time(day, work_end, tz).astimezone(UTC)
                for minute in range(first_minute, work_end, grid):
                    local = _wall_time(day, minute, tz)
                    if not _exists(local):
                        continue
                    start = local.astimezone(UTC)
                    end = start + self.meeting
                    if start < self.earliest or end > self.latest or end > day_end:
                        continue
                    if self._is_blocked(start, end):
                        continue
                    candidate = self._rate(start, end, day)
                    if candidate is not None:
                        yield candidate
            day += timedelta(days=1)

    def _is_blocked(self, start: datetime, end: datetime) -> bool:
        index = bisect.bisect_left(self.blocked_starts, end) - 1
        return index >= 0 and self.blocked[index].end > start

    def _rate(self, start: datetime, end: datetime, day: date) -> _Candidate | None:
        """Attach the contact tier and the half of the day; None if it is the contact's night."""
        if self.contact_tz is None:
            clock = _minute_of(start.astimezone(self.user_tz))
            return _Candidate(start, end, day, 0, _part_of_day(clock), clock)
        span = _minutes_span(start, end, self.contact_tz)
        if span is None:
            return None  # crosses the contact's midnight: that is night
        their_day, first, last = span
        if first < NIGHT_END or last > NIGHT_START:
            return None
        working_day = their_day.weekday() in self.config.working_weekdays
        if working_day and (
            self.config.work_start_minutes <= first and last <= self.config.work_end_minutes
        ):
            tier = 0
        elif first >= CONTACT_DAY_START and last <= CONTACT_DAY_END:
            tier = 1 if working_day else 2
        else:
            return None
        return _Candidate(start, end, day, tier, _part_of_day(first), first)


def _choose(
    pool: list[_Candidate], count: int, seed: list[_Candidate], buffer: timedelta
) -> list[_Candidate]:
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
        previous = max(chosen, key=lambda c: c.start) if chosen else None
        # A new day prefers the part opposite to the latest pick; the first pick a morning.
        preferred = _AFTERNOON if previous is not None and previous.part == _MORNING else _MORNING
        best: tuple[int, date, int, int, datetime] | None = None
        pick: _Candidate | None = None
        for c in pool:
            if any(_too_close(c, other, buffer) for other in chosen):
                continue
            on_day = picks_on_day.get(c.day, 0)
            if c.part == _MIDDAY:
                mismatch = count + 1  # the lunch hour only when nothing else is left
            elif on_day:
                mismatch = picks_in_part.get((c.day, c.part), 0)  # the emptier half first
            else:
                mismatch = 0 if c.part == preferred else 1
            key = (on_day, c.day, mismatch, int(c.clock in clocks), c.start)
            if best is None or key < best:
                best, pick = key, c
        if pick is None:
            break
        chosen.append(pick)
    return chosen


def _too_close(a: _Candidate, b: _Candidate, buffer: timedelta) -> bool:
    return a.start < b.end + buffer and b.start < a.end + buffer


# --- wall-clock helpers ---------------------------------------------------------------------


def _wall_time(day: date, minute: int, tz: tzinfo) -> datetime:
    """The wall-clock time ``minute`` minutes after midnight of ``day`` in ``tz`` (1440 = the
    next midnight). Built from fields, never by adding a timedelta to a local time."""
    if minute >= 24 * 60:
        day, minute = day + timedelta(days=1), minute - 24 * 60
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz)


def _exists(local: datetime) -> bool:
    """False for a wall time skipped by a DST change (it does not survive a round trip)."""
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def _minute_of(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def _part_of_day(minute: int) -> int:
    if minute < NOON:
        return _MORNING
    return _MIDDAY if minute < LUNCH_END else _AFTERNOON


def _minutes_span(start: datetime, end: datetime, tz: tzinfo) -> tuple[date, int, int] | None:
    """(local date, start minute, end minute) of a span in ``tz``; the end may be 1440 when it
    falls on the next midnight. None if the span crosses midnight there."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    first, last = _minute_of(local_start), _minute_of(local_end)
    if local_end.date() == local_start.date():
        return local_start.date(), first, last
    if local_end.date() == local_start.date() + timedelta(days=1) and last == 0:
        return local_start.date(), first, 24 * 60
    return None


# --- formatting -----------------------------------------------------------------------------


def _day(moment: datetime) -> str:
    return f"{_WEEKDAY_NAMES[moment.weekday()]} {moment.day} {_MONTH_NAMES[moment.month - 1]}"


def _clock(span: ZonedSpan) -> str:
    return f"{span.start:%H:%M}-{span.end:%H:%M}"


def _wall(span: ZonedSpan) -> tuple[datetime, datetime]:
    return span.start.replace(tzinfo=None), span.end.replace(tzinfo=None)


def _abbreviation(moment: datetime) -> str:
    """The zone's abbreviation (``CET``); numeric-only names become ``UTC+05:45``."""
    name = moment.tzname() or ""
    if name and name[0] not in "+-" and not name[0].isdigit():
        return name
    offset = moment.utcoffset() or timedelta(0)
    total = int(offset.total_seconds() // 60)
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


# --- errors ---------------------------------------------------------------------------------


def _no_slot_error(
    config: ScheduleConfig,
    user_tz: tzinfo,
    contact_tz: tzinfo | None,
    earliest: datetime,
    latest: datetime,
    any_held: bool,
) -> ScheduleError:
    if earliest >= latest:
        return ScheduleError(
            f"No slot possible: lead time ({config.lead_hours} h) reaches past the horizon "
            f"({config.horizon_days} days).",
            hint="Raise [schedule] horizon_days or lower lead_hours in config.toml.",
        )
    first, last = earliest.astimezone(user_tz), latest.astimezone(user_tz)
    window = f"{_day(first)} {first:%H:%M} and {_day(last)} {last:%H:%M}"
    message = (
        f"No free {config.meeting_minutes}-minute slot between {window} "
        f"within working hours {config.working_hours} on {', '.join(config.working_days)}"
    )
    if contact_tz is not None:
        message += f" that is also daytime (07:00-21:00) for the contact ({contact_tz})"
    hint = (
        "Widen [schedule] horizon_days or working_hours (or lower lead_hours / buffer_minutes) "
        "in config.toml, or free some time in your calendar."
    )
    if any_held:
        hint += " Slots held for other contacts also block; release stale proposals."
    return ScheduleError(message + ".", hint=hint)


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be a timezone-aware datetime, got {now!r}")
