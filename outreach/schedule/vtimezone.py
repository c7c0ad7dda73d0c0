"""A ``VTIMEZONE`` for one zone, in the form calendar clients read best.

icalendar can generate a VTIMEZONE from zoneinfo, but it lists the transitions as ``RDATE``
values. That is valid RFC 5545, yet not every reader copes: vobject reads only part of such a
list and gets the summer of the following year wrong. Google Calendar and libical write one
observance per kind of change with a yearly ``RRULE`` (``FREQ=YEARLY;BYMONTH=3;BYDAY=2SU``), the
form readers are most tested on, so this module does the same: it finds the zone's transitions
in the years around the meeting, writes each kind as a yearly rule, and then *checks* the result
(parsed back by icalendar from its own rules, not looked up by TZID) against zoneinfo a minute
either side of every transition and every other day in between. If the changes cannot be written
as yearly rules (a zone that changes its rules in the window, or one tied to a lunar calendar),
each transition becomes its own observance with just a DTSTART, checked the same way;
icalendar's RDATE form is the last resort.
"""

from __future__ import annotations

import calendar as calendar_module
import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

__all__ = ["vtimezone"]

_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class _Transition:
    instant: datetime  # UTC, the first moment of the new offset
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool  # the clocks go forward (DAYLIGHT); Irish "negative DST" is read the same way

    @property
    def local_before(self) -> datetime:
        """The wall time at which it happens, on the old clock (RFC 5545's DTSTART)."""
        return (self.instant + self.offset_from).replace(tzinfo=None)


def vtimezone(tz: ZoneInfo, moment: datetime) -> Timezone:
    """A VTIMEZONE for ``tz`` that is exact from 1 January of the year before ``moment`` (in
    ``tz``) to the end of the year after it. A fresh component on every call (built once per
    zone and year, then parsed from the cached text)."""
    component = Timezone.from_ical(_vtimezone_text(tz, moment.astimezone(tz).year))
    if not isinstance(component, Timezone):  # pragma: no cover - our own VTIMEZONE text
        raise TypeError(f"expected a VTIMEZONE, got {component.name}")
    return component


@functools.lru_cache(maxsize=64)
def _vtimezone_text(tz: ZoneInfo, year: int) -> bytes:
    # Rules start a year before the checked span, so what a reader assumes before the first
    # DTSTART of an observance never matters.
    rules_start = datetime(year - 2, 1, 1, tzinfo=UTC)
    start = datetime(year - 1, 1, 1, tzinfo=UTC)
    end = datetime(year + 2, 1, 1, tzinfo=UTC)
    transitions = _transitions(tz, rules_start, end)
    for component in (
        _with_rules(tz, transitions, rules_start),
        _explicit(tz, transitions, rules_start),
    ):
        if component is not None and _agrees(component, tz, start, end, transitions):
            return bytes(component.to_ical())
    fallback = Timezone.from_tzid(tz.key, first_date=start.date(), last_date=end.date())
    return bytes(fallback.to_ical())


def _offset(tz: ZoneInfo, instant: datetime) -> timedelta:
    return instant.astimezone(tz).utcoffset() or timedelta(0)


def _transitions(tz: ZoneInfo, start: datetime, end: datetime) -> list[_Transition]:
    """Every change of UTC offset in ``[start, end)``, found day by day and then to the minute."""
    found: list[_Transition] = []
    day = timedelta(days=1)
    cursor = start
    before = _offset(tz, cursor)
    while cursor < end:
        following = min(cursor + day, end)
        after = _offset(tz, following)
        if after != before:
            low, high = cursor, following  # offset(low) == before, offset(high) != before
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) // 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    middle = low + timedelta(minutes=1)
                if _offset(tz, middle) == before:
                    low = middle
                else:
                    high = middle
            local = high.astimezone(tz)
            found.append(
                _Transition(
                    instant=high,
                    offset_from=before,
                    offset_to=_offset(tz, high),
                    name=local.tzname() or "",
                    is_dst=_offset(tz, high) > before,
                )
            )
        before = after
        cursor = following
    return found


def _with_rules(tz: ZoneInfo, transitions: list[_Transition], start: datetime) -> Timezone | None:
    """The zone as one observance per kind of transition, each a yearly rule; None if a kind of
    transition does not recur on the same month, weekday rule and wall time every year."""
    component = Timezone()
    component.add("tzid", tz.key)
    if not transitions:
        local = start.astimezone(tz)
        offset = local.utcoffset() or timedelta(0)
        fixed = TimezoneStandard()
        fixed.add("dtstart", datetime(start.year, 1, 1))
        fixed.add("tzoffsetfrom", offset)
        fixed.add("tzoffsetto", offset)
        fixed.add("tzname", local.tzname() or "")
        component.add_component(fixed)
        return component
    groups: dict[tuple[timedelta, timedelta, str, bool], list[_Transition]] = {}
    for item in transitions:
        groups.setdefault((item.offset_from, item.offset_to, item.name, item.is_dst), []).append(
            item
        )
    for (offset_from, offset_to, name, is_dst), items in groups.items():
        observance: TimezoneDaylight | TimezoneStandard = (
            TimezoneDaylight() if is_dst else TimezoneStandard()
        )
        first = items[0].local_before
        observance.add("dtstart", first)
        observance.add("tzoffsetfrom", offset_from)
        observance.add("tzoffsetto", offset_to)
        observance.add("tzname", name)
        if len(items) > 1:
            rule = _yearly_rule([i.local_before for i in items])
            if rule is None:
                return None
            observance.add("rrule", rule)
        component.add_component(observance)
    return component


def _explicit(tz: ZoneInfo, transitions: list[_Transition], start: datetime) -> Timezone:
    """The zone as one observance per transition, each with just a DTSTART: no rules and no
    RDATE lists, so nothing for a reader to get wrong, at the cost of a longer component."""
    component = Timezone()
    component.add("tzid", tz.key)
    local = start.astimezone(tz)
    offset = local.utcoffset() or timedelta(0)
    initial = TimezoneStandard()
    initial.add("dtstart", local.replace(tzinfo=None))
    initial.add("tzoffsetfrom", offset)
    initial.add("tzoffsetto", offset)
    initial.add("tzname", local.tzname() or "")
    component.add_component(initial)
    for item in transitions:
        observance: TimezoneDaylight | TimezoneStandard = (
            TimezoneDaylight() if item.is_dst else TimezoneStandard()
        )
        observance.add("dtstart", item.local_before)
        observance.add("tzoffsetfrom", item.offset_from)
        observance.add("tzoffsetto", item.offset_to)
        observance.add("tzname", item.name)
        component.add_component(observance)
    return component


def _yearly_rule(moments: list[datetime]) -> vRecur | None:
    """``FREQ=YEARLY;BYMONTH=m;BYDAY=nDD`` matching every moment (one per year), or None."""
    first = moments[0]
    years = [m.year for m in moments]
    if len(set(years)) != len(years) or years != list(range(years[0], years[0] + len(years))):
        return None
    if any(
        (m.month, m.weekday(), m.time()) != (first.month, first.weekday(), first.time())
        for m in moments
    ):
        return None
    nths = {(m.day - 1) // 7 + 1 for m in moments}
    lasts = {m.day + 7 > calendar_module.monthrange(m.year, m.month)[1] for m in moments}
    if len(nths) == 1 and next(iter(nths)) <= 4:
        nth = next(iter(nths))
    elif lasts == {True}:
        nth = -1
    else:
        return None
    return vRecur(
        {
            "FREQ": "YEARLY",
            "BYMONTH": [first.month],
            "BYDAY": [f"{nth}{_WEEKDAY_CODES[first.weekday()]}"],
        }
    )


def _agrees(
    component: Timezone,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    transitions: list[_Transition],
) -> bool:
    """True if the VTIMEZONE's own rules (not a lookup of its TZID) give zoneinfo's offsets:
    every other day (an extra or missing change lasts months), and a minute either side of
    every transition (a shifted change is caught there)."""
    try:
        generated = component.to_tz(lookup_tzid=False)
    except (ValueError, TypeError, KeyError):
        return False
    days = (end - start).days
    probes = [start + timedelta(days=i, hours=12) for i in range(0, days, 2)]
    for item in transitions:
        probes += [
            item.instant - timedelta(minutes=1),
            item.instant,
            item.instant + timedelta(minutes=1),
        ]
    for probe in probes:
        if probe < start or probe >= end:
            continue
        if probe.astimezone(generated).utcoffset() != _offset(tz, probe):
            return False
    return True
