"""Proposing meeting slots from free time, and formatting them for both sides.

How :func:`propose_slots` chooses, in order:

1. **Candidates.** Every working day (in the user's zone) between ``now + lead_hours`` and
   ``now + horizon_days``, start times on a grid of the user's wall clock inside the working
   hours (or, for a contact whose zone is known, inside ``extended_hours`` when set: see 4).
   Each start is built as a wall-clock time *in the zone* and converted to UTC; the end is
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
   day; then ``contact_day`` (default 07:00-21:00) on a working day; then ``contact_day`` on
   any day. With ``extended_hours`` set (e.g. 07:00-21:00, for a contact in Tokyo from New
   York), each of these tiers is tried first inside the user's working hours, then in the
   user's extended hours: the person asked for a favour gets the convenient time, and the
   user's early morning or evening is used only when their day does not overlap it. A less
   convenient tier is used only to fill places the better tiers cannot.
5. **Spread.** One slot per day on the earliest days first. On each day the earliest start in
   the part of the day opposite to the previous pick (morning before 12:00, afternoon from
   13:00), so the offers alternate; the first offer prefers a morning; the lunch hour is a last
   resort; among equals, a clock time not yet offered (so a contact with a standing meeting at
   09:00 still gets a choice). Only when there are fewer usable days than slots does a day get
   a second slot, in its emptier half. Proposed slots keep the buffer between each other too.
   Results are sorted by start; the procedure is deterministic.

Times of day for the alternation are read in the contact's zone when known (variety matters to
the person choosing), else in the user's. The work is done by
:class:`~outreach.schedule.engine.SlotEngine`, which serves a whole batch of contacts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cached_property
from typing import NamedTuple

from outreach.config import ScheduleConfig
from outreach.errors import ScheduleError
from outreach.schedule.candidates import NIGHT_END, NIGHT_START, OTHERS, Candidate, wall_time
from outreach.schedule.engine import SlotEngine
from outreach.schedule.intervals import Interval

__all__ = [
    "NIGHT_END",
    "NIGHT_START",
    "Slot",
    "ZonedSpan",
    "busy_query_window",
    "no_slot_error",
    "propose_slots",
]

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
        return self._text

    @cached_property
    def _text(self) -> str:
        # Rendering and linting a message print each slot several times: format it once.
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
    yet released. Both are kept ``buffer_minutes`` away from. See the module docstring for the
    rules. Fewer than ``count`` slots are returned when fewer exist; none at all is an error.
    For many contacts in one run, use :class:`~outreach.schedule.engine.SlotEngine` (this is
    one request to a fresh engine).

    Raises:
        ScheduleError: no slot satisfies the rules (with a hint on what to widen).
    """
    _require_aware(now)
    wanted = check_request(config, config.slot_count if count is None else count)
    engine = SlotEngine(now, config, user_tz, busy)
    for interval in held:
        engine.hold(OTHERS, interval.start, interval.end)
    proposal = engine.propose(contact_tz, wanted)
    if not proposal.chosen:
        raise no_slot_error(engine, contact_tz, bool(held))
    return to_slots(proposal.chosen, user_tz, contact_tz)


def check_request(config: ScheduleConfig, wanted: int) -> int:
    """``wanted``, if slots can be asked for at all; else a ScheduleError that says why."""
    if wanted < 1:
        raise ScheduleError(
            f"Asked for {wanted} slots.", hint="Ask for at least one slot (--count 1 or more)."
        )
    if config.work_end_minutes - config.work_start_minutes < config.meeting_minutes:
        raise ScheduleError(
            f"Working hours {config.working_hours} are shorter than a "
            f"{config.meeting_minutes}-minute meeting.",
            hint="Widen [schedule] working_hours or shorten meeting_minutes in config.toml.",
        )
    return wanted


def to_slots(chosen: Iterable[Candidate], user_tz: tzinfo, contact_tz: tzinfo | None) -> list[Slot]:
    return [
        Slot(c.start, c.end, user_tz=user_tz, contact_tz=contact_tz)
        for c in sorted(chosen, key=lambda c: c.start_s)
    ]


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


def no_slot_error(engine: SlotEngine, contact_tz: tzinfo | None, any_held: bool) -> ScheduleError:
    """Why ``engine`` has no slot for a contact in ``contact_tz``, and what to change."""
    config, user_tz = engine.config, engine.user_tz
    earliest, latest = engine.earliest, engine.latest
    if earliest >= latest:
        return ScheduleError(
            f"No slot possible: lead time ({config.lead_hours} h) reaches past the horizon "
            f"({config.horizon_days} days).",
            hint="Raise [schedule] horizon_days or lower lead_hours in config.toml.",
        )
    first, last = earliest.astimezone(user_tz), latest.astimezone(user_tz)
    window = f"{_day(first)} {first:%H:%M} and {_day(last)} {last:%H:%M}"
    hours = config.working_hours
    if engine.extended and contact_tz is not None:
        hours = f"{hours} (or extended_hours {config.extended_hours})"
    message = (
        f"No free {config.meeting_minutes}-minute slot between {window} "
        f"within working hours {hours} on {', '.join(config.working_days)}"
    )
    hint = (
        "Widen [schedule] horizon_days or working_hours (or lower lead_hours / buffer_minutes) "
        "in config.toml, or free some time in your calendar."
    )
    if contact_tz is not None:
        message += f" that is also daytime ({config.contact_day}) for the contact ({contact_tz})"
        theirs, yours = _hours_across(config, user_tz, contact_tz, first.date())
        if not engine.candidates(contact_tz) and engine.candidates(None):
            message += f": your {config.working_hours} is their {theirs}"
            if not engine.extended:
                hint = (
                    "To offer early or late times to contacts whose day does not overlap "
                    f"yours, set [schedule] extended_hours in config.toml (their "
                    f"{config.working_hours} is your {yours}), e.g. "
                    'extended_hours = "07:00-21:00". Their night (22:00-07:00) is never offered.'
                )
            else:
                hint = (
                    f"Their {config.working_hours} is your {yours}: widen [schedule] "
                    "extended_hours (or contact_day) in config.toml to reach it. Their night "
                    "(22:00-07:00) is never offered."
                )
    if any_held:
        hint += " Slots held for other contacts also block; release stale proposals."
    return ScheduleError(message + ".", hint=hint)


def _hours_across(
    config: ScheduleConfig, user_tz: tzinfo, contact_tz: tzinfo, day: date
) -> tuple[str, str]:
    """The working hours' clock times seen from the other side: (the user's hours in the
    contact's zone, the contact's hours in the user's zone), on ``day``."""
    start, end = config.working_window

    def across(source: tzinfo, target: tzinfo) -> str:
        first = wall_time(day, start, source).astimezone(target)
        last = wall_time(day, end, source).astimezone(target)
        return f"{first:%H:%M}-{last:%H:%M}"

    return across(user_tz, contact_tz), across(contact_tz, user_tz)


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be a timezone-aware datetime, got {now!r}")
