"""Whether a time someone typed makes sense for a meeting: pure checks, values in, words out.

A time in the past is never a meeting (:func:`past_reason`). A future time outside either
person's working hours, or in the contact's night, may still be what both agreed, so those are
*concerns* (:func:`time_concerns`): the command asks before booking, and ``--yes`` answers.
The contact's working hours are the user's clock hours in the contact's zone (DESIGN.md);
their night is 22:00-07:00 their time, the same night :mod:`outreach.schedule.slots` never
proposes.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from outreach.config import WEEKDAYS, ScheduleConfig
from outreach.schedule.slots import NIGHT_END, NIGHT_START

__all__ = ["past_reason", "time_concerns"]


def _minutes(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def _clock(moment: datetime) -> str:
    return f"{moment:%a} {moment:%H:%M} {moment.tzname() or ''}".rstrip()


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} minute{'s' if minutes != 1 else ''} ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    days = hours // 24
    return f"{days} days ago"


def past_reason(start: datetime, now: datetime) -> str | None:
    """Why ``start`` cannot be booked because it is over (None when it is in the future)."""
    if start > now:
        return None
    return f"it started {_ago(now - start)}"


def _outside_hours(
    start: datetime, end: datetime, zone: tzinfo, schedule: ScheduleConfig
) -> bool:
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_start.weekday() not in schedule.working_weekdays:
        return True
    if local_end.date() != local_start.date():
        return True
    return (
        _minutes(local_start) < schedule.work_start_minutes
        or _minutes(local_end) > schedule.work_end_minutes
    )


def _at_night(start: datetime, end: datetime, zone: tzinfo) -> bool:
    moment = start.astimezone(zone)
    finish = end.astimezone(zone)
    while moment < finish:
        minute = _minutes(moment)
        if minute >= NIGHT_START or minute < NIGHT_END:
            return True
        moment += timedelta(minutes=5)
    return False


def _days(schedule: ScheduleConfig) -> str:
    names = [day.capitalize() for day in WEEKDAYS if day in schedule.working_days]
    return ", ".join(names)


def time_concerns(
    start: datetime,
    end: datetime,
    schedule: ScheduleConfig,
    user_zone: tzinfo,
    contact_zone: tzinfo | None,
    contact_name: str,
) -> list[str]:
    """What is unusual about meeting at ``start``-``end`` (empty when nothing is)."""
    found: list[str] = []
    if _outside_hours(start, end, user_zone, schedule):
        found.append(
            f"outside your working hours ({_clock(start.astimezone(user_zone))}; you work "
            f"{schedule.working_hours}, {_days(schedule)})"
        )
    if contact_zone is not None:
        theirs = start.astimezone(contact_zone)
        if _at_night(start, end, contact_zone):
            found.append(f"the middle of the night for {contact_name} ({_clock(theirs)})")
        elif _outside_hours(start, end, contact_zone, schedule):
            found.append(f"outside {contact_name}'s working hours ({_clock(theirs)})")
    return found
