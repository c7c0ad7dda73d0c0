"""The slot engine: one run's candidate times and the holds that block them, kept up to date.

`outreach draft` proposes slots contact after contact, each contact's slots held against the
next. Padding, merging and sorting every held interval again for every contact made a batch
cost grow with the square of its size. Here, for one run (one ``now``, one config, one set of
busy times):

- the candidates of each contact zone are generated once (free of busy times, rated for that
  zone: see :mod:`outreach.schedule.slots` for the rules) and kept sorted by start;
- every hold adds one to the *load* of each candidate it blocks (within ``buffer_minutes`` of
  it). All candidates have the meeting's length, so the blocked ones are found by bisection;
- "is this time free for contact X" is ``load - X's own holds == 0``.

Proposing for one contact therefore costs the same however many contacts came before it, and
when free time runs out the engine can still offer times already held, the least-offered
first, if the caller asks for that.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from outreach.config import ScheduleConfig
from outreach.schedule.candidates import (
    CONTACT_TIERS,
    GRIDS,
    NIGHT_END,
    NIGHT_START,
    Candidate,
    choose,
    exists,
    minute_of,
    minutes_span,
    part_of_day,
    wall_time,
)
from outreach.schedule.intervals import Interval, pad


@dataclass
class Proposal:
    """What :meth:`SlotEngine.propose` chose for one contact."""

    chosen: list[Candidate]
    shared: int = 0
    """The most other holders any chosen time has (0: nobody else was offered these times)."""
    possible: bool = True
    """False when the contact's zone and the working hours leave no candidate at all (as
    opposed to every candidate being held for someone else)."""


class _ZoneCandidates:
    """The candidates for one contact zone, sorted by start, with their current load."""

    def __init__(self, items: list[Candidate]) -> None:
        self.items = items
        self.starts = [c.start_s for c in items]
        self.load = [0] * len(items)
        self.free = len(items)  # how many have no load
        self.index_of = {(c.start_s, c.end_s): i for i, c in enumerate(items)}

    def add(self, indices: range, delta: int) -> None:
        load = self.load
        for index in indices:
            before = load[index]
            load[index] = before + delta
            if not before:
                self.free -= 1
            elif not load[index]:
                self.free += 1


class SlotEngine:
    """Candidates per contact zone and holds by owner, for one ``now`` and one set of busy times.

    ``busy`` are the user's busy times (any order, overlapping is fine). Holds are added with
    :meth:`hold` (owner: a contact id) and dropped with :meth:`release`.
    """

    def __init__(
        self,
        now: datetime,
        config: ScheduleConfig,
        user_tz: tzinfo,
        busy: Sequence[Interval],
    ) -> None:
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"now must be a timezone-aware datetime, got {now!r}")
        self.config, self.user_tz = config, user_tz
        self.meeting = timedelta(minutes=config.meeting_minutes)
        self.meeting_s = config.meeting_minutes * 60
        self.buffer = timedelta(minutes=config.buffer_minutes)
        self.buffer_s = config.buffer_minutes * 60
        self.earliest = now.astimezone(UTC) + timedelta(hours=config.lead_hours)
        self.latest = now.astimezone(UTC) + timedelta(days=config.horizon_days)
        self.extended = config.extended_window != config.working_window
        self._blocked = pad(busy, self.buffer)
        self._blocked_starts = [b.start for b in self._blocked]
        self._zones: dict[tzinfo | None, _ZoneCandidates] = {}
        self._holds: dict[int, list[tuple[int, int]]] = {}  # owner -> spans (POSIX seconds)
        self._counts: dict[tuple[int, int], int] = {}  # span -> how many holders

    # --- holds ------------------------------------------------------------------------------

    def hold(self, owner: int, start: datetime, end: datetime) -> None:
        """Hold ``[start, end)`` for ``owner``: it blocks that time for everyone else."""
        span = (int(start.timestamp()), int(end.timestamp()))
        self._holds.setdefault(owner, []).append(span)
        self._counts[span] = self._counts.get(span, 0) + 1
        for zone in self._zones.values():
            zone.add(self._blocked_by(zone, span), 1)

    def release(self, owner: int) -> None:
        """Drop every hold of ``owner`` (e.g. before holding its new slots)."""
        for span in self._holds.pop(owner, []):
            self._counts[span] -= 1
            for zone in self._zones.values():
                zone.add(self._blocked_by(zone, span), -1)

    def holders(self, start: datetime, end: datetime) -> int:
        """How many holds there are of exactly ``[start, end)``."""
        return self._counts.get((int(start.timestamp()), int(end.timestamp())), 0)

    def held_spans(self) -> int:
        """How many distinct times are held."""
        return sum(1 for n in self._counts.values() if n > 0)

    def _blocked_by(self, zone: _ZoneCandidates, span: tuple[int, int]) -> range:
        """Indices of the candidates that ``span`` (padded by the buffer) overlaps."""
        start, end = span
        # Overlap: candidate.start < end + buffer and candidate.start + meeting > start - buffer.
        low = bisect.bisect_right(zone.starts, start - self.buffer_s - self.meeting_s)
        high = bisect.bisect_left(zone.starts, end + self.buffer_s)
        return range(low, high)

    # --- proposing --------------------------------------------------------------------------

    @property
    def tiers(self) -> int:
        """How many preference tiers candidates of a known contact zone are rated in.

        Without extended hours, the contact's tiers (0 best): their working hours, then their
        daytime on a working day, then their daytime on any day. With extended hours, each
        contact tier is split in two: the user's working hours first, then the user's extended
        hours. So a time inside the contact's working day in the user's early morning beats a
        time at the edge of the contact's day in the user's working hours: the person asked
        for a favour gets the convenient time.
        """
        return CONTACT_TIERS * 2 if self.extended else CONTACT_TIERS

    def candidates(self, contact_tz: tzinfo | None) -> list[Candidate]:
        """Every candidate for a contact in ``contact_tz`` (None: zone unknown), by start."""
        return self._zone(contact_tz).items

    def propose(
        self,
        contact_tz: tzinfo | None,
        count: int,
        owner: int = 0,
        *,
        share: bool = False,
        keep_own: bool = False,
    ) -> Proposal:
        """Up to ``count`` candidates for ``owner``, free of everyone else's holds.

        ``keep_own``: the owner's own holds that are still valid candidates are kept first (a
        re-run offers the same times again). ``share``: when free times do not give ``count``,
        fill with times held for others, the least-held first.
        """
        zone = self._zone(contact_tz)
        own = self._own_load(zone, owner)
        chosen: list[Candidate] = []
        if keep_own:
            spans = self._holds.get(owner, [])
            kept = [zone.index_of[s] for s in spans if s in zone.index_of]
            chosen = [zone.items[i] for i in sorted(set(kept))][:count]
        tiers = self.tiers if contact_tz is not None else 1
        if zone.free or own:  # else every candidate is held by someone else: skip the search
            loads = zone.load
            if own:
                loads = [load - own.get(i, 0) for i, load in enumerate(loads)]
            free = [c for c, load in zip(zone.items, loads, strict=True) if not load]
            for tier in range(tiers):
                for grid in GRIDS:
                    pool = [c for c in free if c.tier <= tier and (grid == 15 or c.half_hour)]
                    chosen = choose(pool, count, chosen, self.buffer_s)
                    if len(chosen) >= count:
                        break
                if len(chosen) >= count:
                    break
        if share and len(chosen) < count:
            chosen = self._fill_shared(zone, own, count, chosen)
        indices = [zone.index_of[c.start_s, c.end_s] for c in chosen]
        shared = max((zone.load[i] - own.get(i, 0) for i in indices), default=0)
        return Proposal(sorted(chosen, key=lambda c: c.start_s), shared, bool(zone.items))

    def _fill_shared(
        self,
        zone: _ZoneCandidates,
        own: dict[int, int],
        count: int,
        chosen: list[Candidate],
    ) -> list[Candidate]:
        """Add held times, least-held first, then by tier: stage by stage, like the tiers.

        (The order of a pool does not matter: every choice ends in the start, which is unique.)
        """
        tiers = self.tiers
        loads = zone.load
        if own:
            loads = [load - own.get(i, 0) for i, load in enumerate(loads)]
        ranks = [load * tiers + c.tier for c, load in zip(zone.items, loads, strict=True)]
        for rank in sorted(set(ranks)):
            pool = [c for c, r in zip(zone.items, ranks, strict=True) if r <= rank]
            for grid in GRIDS:
                chosen = choose(
                    [c for c in pool if grid == 15 or c.half_hour], count, chosen, self.buffer_s
                )
                if len(chosen) >= count:
                    return chosen
        return chosen

    def _own_load(self, zone: _ZoneCandidates, owner: int) -> dict[int, int]:
        """How much of each candidate's load is the owner's own holds."""
        own: dict[int, int] = {}
        for span in self._holds.get(owner, []):
            for index in self._blocked_by(zone, span):
                own[index] = own.get(index, 0) + 1
        return own

    # --- candidates -------------------------------------------------------------------------

    def _zone(self, contact_tz: tzinfo | None) -> _ZoneCandidates:
        zone = self._zones.get(contact_tz)
        if zone is None:
            zone = _ZoneCandidates(list(self._generate(contact_tz)))
            for owner_spans in self._holds.values():
                for span in owner_spans:
                    zone.add(self._blocked_by(zone, span), 1)
            self._zones[contact_tz] = zone
        return zone

    def _generate(self, contact_tz: tzinfo | None) -> Iterator[Candidate]:
        """Busy-free candidates on the quarter-hour grid, rated for ``contact_tz``."""
        config, tz = self.config, self.user_tz
        weekdays = config.working_weekdays
        work_start, work_end = config.working_window
        # Extended hours only serve contacts whose zone is known (see ``tiers``).
        day_start, day_end = (
            config.extended_window if contact_tz is not None else (work_start, work_end)
        )
        grid = GRIDS[-1]
        first_minute = -(-day_start // grid) * grid  # round up onto the grid
        day = self.earliest.astimezone(tz).date()
        last_day = self.latest.astimezone(tz).date()
        while day <= last_day:
            if day.weekday() in weekdays:
                work_end_at = wall_time(day, work_end, tz).astimezone(UTC)
                day_end_at = wall_time(day, day_end, tz).astimezone(UTC)
                for minute in range(first_minute, day_end, grid):
                    local = wall_time(day, minute, tz)
                    if not exists(local):
                        continue
                    start = local.astimezone(UTC)
                    end = start + self.meeting
                    if start < self.earliest or end > self.latest or end > day_end_at:
                        continue
                    if self._is_busy(start, end):
                        continue
                    outside = not (work_start <= minute and end <= work_end_at)
                    candidate = self._rate(start, end, day, minute, outside, contact_tz)
                    if candidate is not None:
                        yield candidate
            day += timedelta(days=1)

    def _is_busy(self, start: datetime, end: datetime) -> bool:
        index = bisect.bisect_left(self._blocked_starts, end) - 1
        return index >= 0 and self._blocked[index].end > start

    def _rate(
        self,
        start: datetime,
        end: datetime,
        day: date,
        minute: int,
        outside_working_hours: bool,
        contact_tz: tzinfo | None,
    ) -> Candidate | None:
        """Attach the tier and the part of the day; None for the contact's night."""
        start_s, end_s = int(start.timestamp()), int(end.timestamp())
        half_hour = minute % 30 == 0
        if contact_tz is None:
            clock = minute_of(start.astimezone(self.user_tz))
            return Candidate(
                start, end, start_s, end_s, day, 0, part_of_day(clock), clock, half_hour
            )
        span = minutes_span(start, end, contact_tz)
        if span is None:
            return None  # crosses the contact's midnight: that is night
        their_day, first, last = span
        if first < NIGHT_END or last > NIGHT_START:
            return None
        config = self.config
        work_start, work_end = config.working_window
        day_first, day_last = config.contact_day_window
        working_day = their_day.weekday() in config.working_weekdays
        if working_day and work_start <= first and last <= work_end:
            tier = 0
        elif day_first <= first and last <= day_last:
            tier = 1 if working_day else 2
        else:
            return None
        if self.extended:
            tier = tier * 2 + int(outside_working_hours)
        return Candidate(
            start, end, start_s, end_s, day, tier, part_of_day(first), first, half_hour
        )
