"""What one clause of a reply says: its days, times and polarity, and the offered slots it
describes. Shared by :mod:`.reader` (which decides what the clause means) and its helpers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo
from zoneinfo import ZoneInfo

from outreach.track.reader.days import WEEKDAY_NAMES, DayPhrase, day_phrase
from outreach.track.reader.findings import Finding, OfferedSlot
from outreach.track.reader.hours import HourPhrase, hour_phrase
from outreach.track.reader.lexicon import NEGATION, NOT_NEGATIVE
from outreach.track.reader.sentences import EXCEPT, clauses
from outreach.track.reader.slots import named_slots, rejects_all
from outreach.track.reader.zones import ZoneSaid, zone_said
from outreach.track.returndate import normalize_text

__all__ = [
    "Clause",
    "Context",
    "hour_of",
    "is_negative",
    "make_clause",
    "matching",
    "moment_at",
    "other_days",
    "pieces",
    "with_day",
]


@dataclass
class Context:
    sent_at: datetime
    sender_zone: ZoneInfo | None
    user_zone: ZoneInfo
    offered: Sequence[OfferedSlot]
    day_first: bool = False  # the reply's language writes 10/11 for 10 November
    rejected: set[int] = field(default_factory=set)
    carried: tuple[DayPhrase, Clause] | None = None  # the day a short next sentence may take
    findings: list[Finding] = field(default_factory=list)
    unsure: list[str] = field(default_factory=list)

    def zone(self, said: ZoneSaid | None) -> tuple[tzinfo, bool]:
        """The zone a clause's times are in, and whether it is an assumption."""
        if said is not None and said.zone is not None:
            return said.zone, False
        if said is not None and said.yours:
            return self.user_zone, False
        if self.sender_zone is not None:
            return self.sender_zone, False
        return self.user_zone, True

    def doubt(self, sentence: str) -> None:
        if sentence not in self.unsure:
            self.unsure.append(sentence)


@dataclass(frozen=True)
class Clause:
    text: str
    plain: str
    negative: bool
    numbers: tuple[int, ...]
    day: DayPhrase | None
    hour: HourPhrase | None
    follows: bool = False  # its day came from a proposal just before: "Noon at the cafe."

    @property
    def timed(self) -> bool:
        return bool(self.numbers) or self.day is not None or self.hour is not None


def is_negative(plain: str) -> bool:
    return (NEGATION.search(NOT_NEGATIVE.sub(" ", plain)) is not None or rejects_all(plain)
            or EXCEPT.match(plain) is not None)


def make_clause(text: str, ctx: Context) -> Clause:
    plain = normalize_text(text)
    zone, _ = ctx.zone(zone_said(text, plain))
    today = ctx.sent_at.astimezone(zone).date()
    day, hour = day_phrase(plain, today, day_first=ctx.day_first), hour_phrase(plain)
    numbers = named_slots(plain, ctx.offered)
    if len(numbers) > 1 and len(numbers) == len(ctx.offered) and (day or hour):
        numbers = ()  # "both Thursday and Friday work": the days say which
    return Clause(text, plain, is_negative(plain), numbers, day, hour)


def hour_of(previous: Clause | None, ctx: Context) -> HourPhrase | None:
    """The time of day the clause before named: its own, or that of the one offered slot
    its day matched ("Thursday doesn't work; the same time Friday?")."""
    if previous is None:
        return None
    if previous.hour is not None:
        return previous.hour
    zone, _ = ctx.zone(zone_said(previous.text, previous.plain))
    found = matching(previous, zone, ctx.offered)
    if len(found) != 1:
        return None
    return HourPhrase(found[0].start.astimezone(zone).time().replace(tzinfo=None))


def with_day(c: Clause, day: DayPhrase, *, follows: bool = False) -> Clause:
    """A time without a day, after a clause that named one: "Thursday at 10 is tough,
    could we push it to 4pm?" means Thursday at 4pm."""
    return Clause(c.text, c.plain, c.negative, c.numbers, day, c.hour, follows)


# Where a sentence may be cut into clauses: commas, semicolons and dashes, except inside a list
# of days ("the 10th, 11th or 12th", "Monday, Tuesday or Wednesday").
COMMA = re.compile(
    r"\s*[,;]\s+(?!(?:the\s+)?\d{1,2}(?:st|nd|rd|th)\b)"
    r"(?!(?:" + WEEKDAY_NAMES + r")\b[^,;.]{0,15}"
    r"\b(?:or|and|oder|und|ou|et|o|y|e|of|en|eller|och)\b)"
    r"|\s+[-–—]\s+",
    re.IGNORECASE,
)


def pieces(sentence: str, ctx: Context) -> list[Clause]:
    """The sentence's clauses: cut at "but", and at a comma where yes turns to no or back
    ("Friday works, Thursday doesn't"); a no without a time of its own ("Thursday,
    unfortunately, doesn't work") turns down what came before it."""
    found: list[Clause] = []
    for part in clauses(sentence):
        groups: list[Clause] = []
        for bit in COMMA.split(part):
            if not bit.strip():
                continue
            this = make_clause(bit, ctx)
            two_times = bool(groups) and (
                (groups[-1].hour is not None and this.hour is not None)
                or other_days(groups[-1].day, this.day))
            if groups and not two_times and (groups[-1].negative == this.negative
                                             or (this.negative and not this.timed)):
                groups[-1] = make_clause(f"{groups[-1].text}, {bit}", ctx)
            else:
                groups.append(this)
        found.extend(groups)
    return found


def other_days(first: DayPhrase | None, second: DayPhrase | None) -> bool:
    """Two day phrases that name different days ("Monday is a holiday, so Thursday"), not
    one day said twice ("Monday, 16 November")."""
    if first is None or second is None or not first.days or not second.days:
        return False
    if first.weekday_only or second.weekday_only:
        return first.days[0].weekday() != second.days[0].weekday()
    return first.days != second.days


def matching(c: Clause, zone: tzinfo, offered: Sequence[OfferedSlot]) -> list[OfferedSlot]:
    """The offered slots the clause's day and time describe, read in ``zone``."""
    if c.day is None and c.hour is None:
        return []
    found = []
    for slot in offered:
        local = slot.start.astimezone(zone)
        if c.day is not None and c.day.days:
            if c.day.weekday_only:
                if local.weekday() != c.day.days[0].weekday():
                    continue
            elif local.date() not in c.day.days:
                continue
        if c.hour is not None:
            moment = local.time().replace(tzinfo=None)
            if c.hour.end is not None:
                if not c.hour.start <= moment < c.hour.end:
                    continue
            elif moment != c.hour.start:
                continue
        found.append(slot)
    if len(found) > 1 and c.day is not None and c.day.weekday_only:
        same_day = [s for s in found if s.start.astimezone(zone).date() == c.day.days[0]]
        found = same_day or found
    return found


def moment_at(day: DayPhrase, clock: time, index: int, zone: tzinfo) -> datetime | None:
    """The aware moment; None when the local time does not exist (a DST gap)."""
    naive = datetime.combine(day.days[index], clock)
    moment = naive.replace(tzinfo=zone)
    back = moment.astimezone(ZoneInfo("UTC")).astimezone(zone)
    return moment if back.replace(tzinfo=None) == naive else None
