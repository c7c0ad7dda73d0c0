"""When a message should arrive: inside a window of the recipient's morning.

A cold note read at 08:30 gets an answer; one that lands at 02:00 sinks under the morning's
mail. First messages and nudges therefore go out inside ``[mail] deliver_window`` on the
recipient's clock, on their weekdays, with daylight saving time followed. Pure: the current
time, the recipient's zone and the window in, a moment out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "WINDOWED_KINDS",
    "DeliveryWindow",
    "delivery_time",
    "in_window",
    "parse_window",
]

WINDOWED_KINDS = frozenset({"outreach", "referral", "followup"})
"""Message kinds that wait for the recipient's morning: first messages and nudges. Answers
to something they wrote (times, invites, thank-yous) go when the user sends them."""

_WINDOW_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_WEEKDAYS = frozenset(range(5))  # Monday to Friday, as datetime.weekday() numbers
_LOOKAHEAD_DAYS = 8  # a week and a day: every weekday is reached whatever today is


@dataclass(frozen=True)
class DeliveryWindow:
    """A daily window on the recipient's clock, e.g. 08:00-10:00 on their weekdays."""

    start: time
    end: time
    weekdays: frozenset[int] = _WEEKDAYS

    @property
    def minutes(self) -> int:
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_window(text: str) -> DeliveryWindow | None:
    """``"08:00-10:00"`` as a window; an empty value turns delivery windows off (None).

    Raises ValueError for anything else (the config reader names the key and the form)."""
    if not text.strip():
        return None
    match = _WINDOW_RE.match(text)
    if not match:
        raise ValueError(text)
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h2, m2) <= (h1, m1):
        raise ValueError(text)
    return DeliveryWindow(time(h1, m1), time(h2, m2))


def _local(day: date, moment: time, zone: ZoneInfo) -> datetime:
    """The wall-clock time on ``day`` in ``zone``, normalised through UTC so a time skipped by
    a spring-forward change lands just after it rather than on a moment that never was."""
    naive = datetime.combine(day, moment)
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def in_window(moment: datetime, zone: ZoneInfo, window: DeliveryWindow) -> bool:
    """Whether ``moment`` falls inside the window on one of the recipient's weekdays."""
    local = moment.astimezone(zone)
    if local.weekday() not in window.weekdays:
        return False
    return _local(local.date(), window.start, zone) <= local < _local(
        local.date(), window.end, zone
    )


def delivery_time(
    now: datetime, zone: ZoneInfo, window: DeliveryWindow, *, offset_minutes: int = 0
) -> datetime:
    """When a message handed over at ``now`` should go: ``now`` itself inside the window,
    else the start of the next window on one of their weekdays (never later the same
    evening), plus ``offset_minutes`` into it (kept inside the window's first half) so a
    batch does not arrive as one burst at the stroke of the hour."""
    if in_window(now, zone, window):
        return now
    spread = timedelta(minutes=offset_minutes % max(1, window.minutes // 2))
    today = now.astimezone(zone).date()
    for ahead in range(_LOOKAHEAD_DAYS):
        day = today + timedelta(days=ahead)
        if day.weekday() not in window.weekdays:
            continue
        start = _local(day, window.start, zone)
        if start + spread > now:
            return start + spread
    raise AssertionError("a weekday comes within eight days")  # pragma: no cover
