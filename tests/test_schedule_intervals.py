"""Interval arithmetic: half-open spans in UTC, merged, padded and subtracted."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.schedule.intervals import Interval, free_within, merge, pad, subtract

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
T0 = datetime(2026, 1, 12, tzinfo=UTC)


def span(start_minute: int, end_minute: int) -> Interval:
    """An interval given as minutes after T0."""
    return Interval(T0 + timedelta(minutes=start_minute), T0 + timedelta(minutes=end_minute))


def minutes(intervals: list[Interval]) -> list[tuple[int, int]]:
    return [
        (int((i.start - T0).total_seconds() // 60), int((i.end - T0).total_seconds() // 60))
        for i in intervals
    ]


class TestInterval:
    def test_ends_are_stored_in_utc_whatever_zone_they_came_in(self) -> None:
        interval = Interval(
            datetime(2026, 1, 12, 10, 0, tzinfo=BERLIN),
            datetime(2026, 1, 12, 5, 0, tzinfo=NEW_YORK),
        )
        assert interval.start == datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
        assert interval.start.tzinfo is UTC and interval.end.tzinfo is UTC
        assert interval.duration == timedelta(hours=1)

    def test_naive_datetimes_are_refused(self) -> None:
        with pytest.raises(ValueError, match="aware"):
            Interval(datetime(2026, 1, 12, 9), datetime(2026, 1, 12, 10, tzinfo=UTC))
        with pytest.raises(ValueError, match="aware"):
            Interval(datetime(2026, 1, 12, 9, tzinfo=UTC), datetime(2026, 1, 12, 10))

    def test_end_before_start_is_refused(self) -> None:
        with pytest.raises(ValueError, match="before"):
            span(10, 5)

    def test_the_repeated_autumn_hour_is_ordered_by_instant_not_wall_clock(self) -> None:
        # 02:30 happens twice in Berlin on 25 Oct 2026; fold=1 is the later one.
        first = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)
        second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)
        interval = Interval(first, second)
        assert interval.duration == timedelta(hours=1)

    def test_overlap_is_half_open(self) -> None:
        assert span(0, 30).overlaps(span(29, 40))
        assert not span(0, 30).overlaps(span(30, 40))
        assert not span(30, 40).overlaps(span(0, 30))
        assert span(0, 60).contains(span(10, 20))
        assert not span(0, 60).contains(span(50, 70))

    def test_padding_and_clipping(self) -> None:
        assert span(60, 90).padded(timedelta(minutes=10)) == span(50, 100)
        assert span(60, 90).padded(timedelta(minutes=5), timedelta(0)) == span(55, 90)
        assert span(0, 100).clipped(span(50, 200)) == span(50, 100)
        assert span(0, 10).clipped(span(10, 20)) is None


class TestMergeSubtract:
    def test_merge_sorts_joins_overlapping_and_touching_and_drops_empty(self) -> None:
        merged = merge([span(50, 60), span(0, 10), span(5, 20), span(20, 30), span(40, 40)])
        assert minutes(merged) == [(0, 30), (50, 60)]

    def test_merge_keeps_a_contained_span_inside(self) -> None:
        assert minutes(merge([span(0, 100), span(10, 20)])) == [(0, 100)]

    def test_pad_widens_then_merges(self) -> None:
        assert minutes(pad([span(0, 10), span(20, 30)], timedelta(minutes=5))) == [(-5, 35)]
        assert minutes(pad([span(0, 10), span(25, 30)], timedelta(minutes=5))) == [
            (-5, 15),
            (20, 35),
        ]

    def test_subtract_cuts_busy_out_of_free(self) -> None:
        free = [span(0, 100), span(200, 300)]
        busy = [span(-10, 10), span(40, 50), span(90, 210), span(250, 260)]
        assert minutes(subtract(free, busy)) == [(10, 40), (50, 90), (210, 250), (260, 300)]

    def test_subtract_with_nothing_busy_is_the_free_time(self) -> None:
        assert minutes(subtract([span(0, 10)], [])) == [(0, 10)]

    def test_free_within_keeps_the_buffer(self) -> None:
        free = free_within(span(0, 120), [span(30, 60)], timedelta(minutes=10))
        assert minutes(free) == [(0, 20), (70, 120)]


spans = st.lists(
    st.tuples(st.integers(0, 2000), st.integers(0, 300)).map(lambda t: span(t[0], t[0] + t[1])),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(free=spans, busy=spans)
def test_subtract_property(free: list[Interval], busy: list[Interval]) -> None:
    result = subtract(free, busy)
    # Sorted, disjoint, non-empty, inside free, outside busy.
    for a, b in itertools.pairwise(result):
        assert a.end < b.start
    for piece in result:
        assert not piece.is_empty
        assert any(f.contains(piece) for f in merge(free))
        assert not any(piece.overlaps(b) for b in busy)
    # Nothing free and not busy is lost: every endpoint is a whole minute, so sampling each
    # minute between the first and last endpoint covers every case.
    ends = [i.start for i in [*free, *busy]] + [i.end for i in [*free, *busy]]
    first = int((min(ends, default=T0) - T0).total_seconds() // 60)
    last = int((max(ends, default=T0) - T0).total_seconds() // 60)
    for minute in range(first, last):
        moment = span(minute, minute + 1)
        in_free = any(f.overlaps(moment) for f in free)
        in_busy = any(b.overlaps(moment) for b in busy)
        in_result = any(r.overlaps(moment) for r in result)
        assert in_result == (in_free and not in_busy)
