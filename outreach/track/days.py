"""Business days and local days: the calendar arithmetic the due rules share. Pure.

Business days are Monday to Friday (no holidays). An action is overdue when today (local) is
more than :data:`OVERDUE_AFTER_BUSINESS_DAYS` business days after the day it became due.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "OVERDUE_AFTER_BUSINESS_DAYS",
    "business_days_after",
    "business_days_between",
    "is_business_day",
    "local_date",
    "next_business_day",
    "overdue_by_business_days",
    "previous_business_day",
    "start_of",
]

OVERDUE_AFTER_BUSINESS_DAYS = 2


def is_business_day(day: date) -> bool:
    """Monday to Friday."""
    return day.weekday() < 5


def next_business_day(day: date) -> date:
    """The first business day strictly after ``day``."""
    return business_days_after(day, 1)


def previous_business_day(day: date) -> date:
    """The last business day strictly before ``day``."""
    result = day - timedelta(days=1)
    while not is_business_day(result):
        result -= timedelta(days=1)
    return result


def business_days_after(start: date, n: int) -> date:
    """The ``n``-th business day after ``start`` (``start`` itself never counts; it may be a
    weekend day). ``n == 0`` gives ``start`` unchanged."""
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    if n == 0:
        return start
    # A weekend start counts like the Friday before it (Saturday and Sunday add nothing).
    base = start - timedelta(days=max(0, start.weekday() - 4))
    weeks, rest = divmod(n, 5)
    result = base + timedelta(weeks=weeks)  # five business days per calendar week
    for _ in range(rest):
        result += timedelta(days=1)
        while not is_business_day(result):
            result += timedelta(days=1)
    return result


def business_days_between(start: date, end: date) -> int:
    """How many business days lie in ``(start, end]`` (0 when ``end <= start``)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    day = start + timedelta(weeks=weeks)
    for _ in range(rest):
        day += timedelta(days=1)
        if is_business_day(day):
            count += 1
    return count


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def overdue_by_business_days(due: datetime, now: datetime, zone: ZoneInfo) -> bool:
    deadline = business_days_after(local_date(due, zone), OVERDUE_AFTER_BUSINESS_DAYS)
    return local_date(now, zone) > deadline
