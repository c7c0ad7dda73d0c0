"""Half-open time intervals ``[start, end)`` of aware datetimes, and the arithmetic on them.

An :class:`Interval` always stores its ends in UTC. Python compares two datetimes that share a
``tzinfo`` by wall-clock time, ignoring ``fold``, and adds a ``timedelta`` to a zoned datetime
in wall-clock time too; both are wrong across a DST change. Normalising to UTC on construction
makes ordering, overlap tests and padding exact, whatever zones the inputs came in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True, order=True)
class Interval:
    """The half-open span ``[start, end)``; both ends aware, stored in UTC, ``start <= end``."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError(f"Interval start must be timezone-aware, got {self.start!r}")
        if self.end.tzinfo is None or self.end.utcoffset() is None:
            raise ValueError(f"Interval end must be timezone-aware, got {self.end!r}")
        start, end = self.start.astimezone(UTC), self.end.astimezone(UTC)
        if end < start:
            raise ValueError(f"Interval ends before it starts: {start} > {end}")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def is_empty(self) -> bool:
        return self.start == self.end

    def overlaps(self, other: Interval) -> bool:
        """True if the two spans share any moment (touching ends do not; an empty span shares
        none)."""
        return (
            self.start < other.end
            and other.start < self.end
            and self.start < self.end
            and other.start < other.end
        )

    def contains(self, other: Interval) -> bool:
        """True if ``other`` lies wholly inside this span."""
        return self.start <= other.start and other.end <= self.end

    def padded(self, before: timedelta, after: timedelta | None = None) -> Interval:
        """This span widened by ``before`` at the start and ``after`` (default: same) at the end."""
        return Interval(self.start - before, self.end + (before if after is None else after))

    def clipped(self, window: Interval) -> Interval | None:
        """The part of this span inside ``window``, or None if they do not overlap."""
        start, end = max(self.start, window.start), min(self.end, window.end)
        return Interval(start, end) if start < end else None


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sort and coalesce: overlapping or touching spans become one; empty spans are dropped."""
    result: list[Interval] = []
    for item in sorted(i for i in intervals if not i.is_empty):
        if result and item.start <= result[-1].end:
            if item.end > result[-1].end:
                result[-1] = Interval(result[-1].start, item.end)
        else:
            result.append(item)
    return result


def pad(intervals: Iterable[Interval], buffer: timedelta) -> list[Interval]:
    """Every span widened by ``buffer`` on both sides, then merged."""
    return merge(i.padded(buffer) for i in intervals)


def subtract(free: Iterable[Interval], busy: Iterable[Interval]) -> list[Interval]:
    """The parts of ``free`` not covered by any ``busy`` span, sorted and merged."""
    blocked = merge(busy)
    result: list[Interval] = []
    first = 0  # both lists are sorted: blocks ending before one span end before the next too
    for span in merge(free):
        while first < len(blocked) and blocked[first].end <= span.start:
            first += 1
        cursor = span.start
        for index in range(first, len(blocked)):
            block = blocked[index]
            if block.start >= span.end:
                break
            if block.start > cursor:
                result.append(Interval(cursor, block.start))
            cursor = max(cursor, block.end)
            if cursor >= span.end:
                break
        if cursor < span.end:
            result.append(Interval(cursor, span.end))
    return result


def free_within(window: Interval, busy: Iterable[Interval], buffer: timedelta) -> list[Interval]:
    """Free spans inside ``window`` once every busy span is padded by ``buffer`` on both sides."""
    return subtract([window], pad(busy, buffer))
