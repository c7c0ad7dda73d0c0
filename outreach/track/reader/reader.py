"""The reader: a reply's own words in, a :class:`Reading` out (see the package docstring)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from outreach.track.reader.clause import (
    Clause,
    Context,
    hour_of,
    is_negative,
    make_clause,
    matching,
    moment_at,
    pieces,
    with_day,
)
from outreach.track.reader.days import DayPhrase
from outreach.track.reader.findings import (
    Decline,
    Finding,
    Handoff,
    OfferedSlot,
    ProposedRange,
    ProposedTime,
    Reading,
    SlotPick,
)
from outreach.track.reader.hours import clock_count
from outreach.track.reader.intents import is_deferral, read_intents
from outreach.track.reader.lexicon import CORRECTION, PAST, WILLING
from outreach.track.reader.people import read_people
from outreach.track.reader.quotes import strip_quoted
from outreach.track.reader.returns import read_return_date
from outreach.track.reader.sentences import sentences
from outreach.track.reader.slots import earliest_free, rejects_all
from outreach.track.reader.zones import zone_said, zones_named
from outreach.track.returndate import normalize_text, reads_day_first

__all__ = ["read_reply"]

_DAY_START, _DAY_END = time(9), time(17)
_SHORT_FOLLOW_UP = 10  # words: a sentence this short may take its day from the one before
_LEADS = 6  # characters: ...when it starts with its time ("Noon at the cafe.", "Say 10.")
_HORIZON = timedelta(days=180)  # a time proposed further ahead than this is said unsure
_SHORT_CLAUSE = 6  # words: "Thursday 3pm?" needs no "works"
_FIRST_PERSON = re.compile(
    r"\b(?:i|i'm|im|i'll|i've|we|we're|ich|wir|je|j'|nous|yo|estoy|io|sono|ik|we|eu|estou|jag)\b"
)
# A time after a day turned down belongs to that day only when it says so ("push it to 4pm
# the same day"); else "can't on Thursday, but 2pm works" names no day.
_SAME_DAY = re.compile(r"\b(?:same day|that day|selben tag|gleichen tag|meme jour|mismo dia"
                       r"|stesso giorno|dezelfde dag|mesmo dia|samma dag|instead|stattdessen"
                       r"|plutot|en su lugar|invece|in plaats daarvan|em vez disso|istallet)\b")
_SAME_TIME = re.compile(r"\b(?:same time|gleiche[nr]? (?:zeit|uhrzeit)|selbe[nr]? (?:zeit|uhrzeit)"
                        r"|meme heure|misma hora|stessa ora|zelfde tijd|mesmo horario|samma tid)\b")
# A time restated in the reader's zone: "(that is 3pm here)", "That's Monday afternoon for you."
_ASIDE = re.compile(r"\((?:that'?s|that is|i\.e\.|which is|=|das ist|c'est|es decir|cioe"
                    r"|dat is|ou seja|dvs)[^)]*\)", re.IGNORECASE)
_RESTATEMENT = re.compile(r"\W*(?:that'?s|that is|which is|i\.e\.|das (?:ist|ware)"
                          r"|c'est|ce qui fait|eso es|es decir|cioe|dat is|ou seja|det blir)\b")


def _one_pick(ctx: Context) -> None:
    """Several slots picked ("Thursday morning could work, but so could Friday") is one pick:
    the earliest, unless a later one corrects the others ("actually, the second is better")."""
    picks = [f for f in ctx.findings if isinstance(f, SlotPick)]
    if len(picks) < 2:
        return
    corrected = [p for p in picks[1:] if CORRECTION.search(normalize_text(p.evidence))]
    starts = {s.number: s.start for s in ctx.offered}
    keep = corrected[-1] if corrected else min(picks, key=lambda p: starts[p.slot])
    ctx.findings[:] = [f for f in ctx.findings if not isinstance(f, SlotPick) or f is keep]


def _pick(ctx: Context, number: int, sentence: str) -> None:
    """Record a pick; the same slot named again ("The first one. See you Thursday!") once."""
    if not any(isinstance(f, SlotPick) and f.slot == number for f in ctx.findings):
        ctx.findings.append(SlotPick(number, sentence))


def _read_clause(c: Clause, sentence: str, ctx: Context, deferring: bool) -> None:
    offered = ctx.offered
    if c.negative:
        ctx.rejected.update(c.numbers)
        if rejects_all(c.plain):
            ctx.rejected.update(s.number for s in offered)
        said = zone_said(c.text, c.plain)
        zone, _ = ctx.zone(said)
        ctx.rejected.update(s.number for s in matching(c, zone, offered))
        return
    if c.numbers:
        pick = earliest_free([n for n in c.numbers if n not in ctx.rejected], offered,
                             ctx.sent_at)
        if pick is None:
            ctx.doubt(sentence)
        else:
            _pick(ctx, pick, sentence)
        return
    if c.day is None and c.hour is None:
        return
    doubts = (c.day.doubts if c.day else ()) + ((c.hour.doubt,) if c.hour and c.hour.doubt
                                                 else ())
    if doubts:
        ctx.doubt(sentence)
        return
    clocks = clock_count(c.plain)
    if clocks > 1 and not c.follows and zones_named(c.text) < clocks:
        ctx.doubt(sentence)  # two times in one clause, and no telling which is meant
        return
    if deferring or (c.day is not None and (c.day.after or c.day.starting) and c.hour is None
                     and len(c.day.days) == 1):
        return  # a wait, read by intents
    if PAST.search(c.plain):
        return  # "great to meet you at the meetup on Monday"
    short = (len(c.plain.split()) <= _SHORT_CLAUSE and (c.day is None or len(c.day.days) == 1)
             and _FIRST_PERSON.search(c.plain) is None)  # "Friday 2pm." but not "I'm away Friday"
    willing = (WILLING.search(c.plain) is not None or c.text.rstrip().endswith("?") or short
               or c.follows)
    if not willing:
        if c.hour is not None and c.hour.end is None:
            ctx.doubt(sentence)
        return
    said = zone_said(c.text, c.plain)
    zone, assumed = ctx.zone(said)
    if c.day is not None and len(c.day.days) > 1:
        if c.day.alternatives and _pick_among_days(c, sentence, ctx, zone):
            return  # "Thursday or Friday works": each has an offered slot, the earliest free
        _propose(c, sentence, ctx, zone, assumed)  # "any morning next week": a window to fill
        return
    matches = [s for s in matching(c, zone, offered) if s.number not in ctx.rejected]
    if not matches and (said is None or said.zone is None):
        for other in (ctx.user_zone, ctx.sender_zone):
            if other is not None and other != zone:
                matches = [s for s in matching(c, other, offered)
                           if s.number not in ctx.rejected]
                if matches:
                    break
    if len(matches) == 1:
        pick = earliest_free([matches[0].number], offered, ctx.sent_at)
        if pick is None:
            ctx.doubt(sentence)
        else:
            _pick(ctx, pick, sentence)
        return
    if len(matches) > 1:
        ctx.doubt(sentence)
        return
    _propose(c, sentence, ctx, zone, assumed)


def _pick_among_days(c: Clause, sentence: str, ctx: Context, zone: tzinfo) -> bool:
    """For "Thursday or Friday": when every day named has one offered slot still open, the
    earliest of them is picked (True); else the days are a window to fill (False)."""
    assert c.day is not None
    chosen: list[int] = []
    for day in c.day.days:
        one = Clause(c.text, c.plain, c.negative, (),
                      DayPhrase((day,), weekday_only=c.day.weekday_only), c.hour)
        found = [s for s in matching(one, zone, ctx.offered) if s.number not in ctx.rejected]
        if len(found) != 1:
            return False
        chosen.append(found[0].number)
    pick = earliest_free(chosen, ctx.offered, ctx.sent_at)
    if pick is None:
        return False
    _pick(ctx, pick, sentence)
    return True


def _propose(c: Clause, sentence: str, ctx: Context, zone: tzinfo, assumed: bool) -> None:
    if c.day is None or not c.day.days:
        ctx.doubt(sentence)  # a time without a day that matches no offered slot
        return
    if c.hour is not None and c.hour.end is None:
        if len(c.day.days) != 1:
            ctx.doubt(sentence)
            return
        at = moment_at(c.day, c.hour.start, 0, zone)
        if at is None or not ctx.sent_at < at <= ctx.sent_at + _HORIZON:
            ctx.doubt(sentence)  # past, or so far ahead it is more likely misread
            return
        ctx.findings.append(ProposedTime(at, sentence, assumed))
        return
    start_clock = c.hour.start if c.hour is not None else _DAY_START
    end_clock = c.hour.end if c.hour is not None and c.hour.end else _DAY_END
    start, end = moment_at(c.day, start_clock, 0, zone), moment_at(c.day, end_clock, -1, zone)
    if start is None or end is None or end <= ctx.sent_at:
        ctx.doubt(sentence)
        return
    start = max(start, ctx.sent_at + timedelta(0))
    ctx.findings.append(ProposedRange(start, end, sentence, assumed))


_THIS_ONE = re.compile(
    r"^\W*(?:this|that|this one|that one|yes|diese[nrs]?|der|den|ja|celui-ci|celui-la|oui"
    r"|ce creneau|este|esta|ese|si|questo|questa|deze|die|dit|sim|den har|det har)\b"
)


def _inline_picks(text: str, ctx: Context) -> None:
    """A reply written between the quoted lines of our proposal: "> - Friday 6 November,
    14:00" followed by "This one works!" picks the slot of the line above."""
    quoted: str | None = None
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if stripped.startswith(">"):
            quoted = stripped.lstrip("> ").strip() or quoted
            continue
        if not stripped:
            continue
        plain = normalize_text(stripped)
        if (quoted is not None and _THIS_ONE.match(plain) and WILLING.search(plain)
                and not is_negative(plain)):
            above = make_clause(quoted, ctx)
            zone, _ = ctx.zone(zone_said(quoted, above.plain))
            found = [s for s in matching(above, zone, ctx.offered)
                     if s.number not in ctx.rejected]
            pick = earliest_free([found[0].number], ctx.offered, ctx.sent_at) if len(
                found) == 1 else None
            if pick is not None:
                _pick(ctx, pick, stripped)
        quoted = None


def _no_contradiction(ctx: Context, before: int, sentence: str) -> None:
    """One sentence read as both a pick and a time of their own on the same day ("Tuesday is
    fine but at 11") has been misread somewhere: neither is stated, the sentence is unsure."""
    new = ctx.findings[before:]
    picks = [f for f in new if isinstance(f, SlotPick)]
    own = [f for f in new if isinstance(f, (ProposedTime, ProposedRange))]
    if not picks or not own:
        return
    zone, _ = ctx.zone(None)
    starts = {s.number: s.start.astimezone(zone).date() for s in ctx.offered}
    picked_days = {starts[p.slot] for p in picks if p.slot in starts}
    own_days = {(f.at if isinstance(f, ProposedTime) else f.start).astimezone(zone).date()
                for f in own}
    if picked_days & own_days:
        del ctx.findings[before:]
        ctx.doubt(sentence)


def _read_sentence(sentence: str, ctx: Context, negative_pass: bool) -> None:
    """Read one sentence's clauses of one polarity: the noes (``negative_pass``) fill
    ``ctx.rejected``; the yeses then pick, propose or doubt."""
    if _RESTATEMENT.match(normalize_text(sentence)):
        return  # "That's Monday afternoon for you.": the same time again
    deferring = is_deferral(normalize_text(sentence))
    day: DayPhrase | None = None
    previous: Clause | None = None
    follow_up = ctx.carried is not None and len(sentence.split()) <= _SHORT_FOLLOW_UP
    if follow_up and ctx.carried is not None:
        day, previous = ctx.carried  # "How about Tuesday the 10th? Noon at the cafe."
    ctx.carried = None
    parts = pieces(_ASIDE.sub(" ", sentence), ctx)
    for index, c in enumerate(parts):
        if (c.day is not None and (c.hour is None or c.hour.end is not None) and not c.negative
                and not c.numbers
                and any(o.hour is not None and (c.hour is None or o.hour.end is None)
                        and o.day is None and not o.negative for o in parts[index + 1 :])):
            day, previous = c.day, c  # "Tuesday is fine, but at 11": the time follows
            continue
        carries = day is not None and previous is not None and (
            not previous.negative or _SAME_DAY.search(c.plain) is not None)
        if c.day is None and c.hour is not None and not c.numbers and day is not None:
            if not carries:
                ctx.doubt(sentence)  # "Thursday is tricky, but 2pm could work": which day?
                continue
            leads = c.hour.span[0] <= _LEADS  # "Noon at the cafe.", not "I have a call at 3."
            c = with_day(c, day, follows=follow_up and index == 0 and leads)
        if c.hour is None and _SAME_TIME.search(c.plain):
            hour = hour_of(previous, ctx)
            if hour is None:
                ctx.doubt(sentence)  # "the same time Friday", and no time before it
                continue
            c = Clause(c.text, c.plain, c.negative, c.numbers, c.day, hour)
        day = c.day or day
        previous = c
        if c.negative == negative_pass:
            _read_clause(c, sentence, ctx, deferring)
    if (previous is not None and day is not None and len(day.days) == 1
            and not previous.negative and not deferring):
        ctx.carried = (day, previous)


def read_reply(
    text: str,
    *,
    sent_at: datetime,
    sender_zone: ZoneInfo | None,
    user_zone: ZoneInfo,
    offered: Sequence[OfferedSlot],
    auto_reply: bool = False,
) -> Reading:
    """Everything the reply says that the pipeline can act on, each with its sentence."""
    if sent_at.tzinfo is None:
        raise ValueError("sent_at must be aware")
    said = sentences(strip_quoted(text))
    if auto_reply:
        back = read_return_date(said, sent_at.astimezone(sender_zone or user_zone).date())
        return Reading((back,) if back is not None else (), ())
    day_first = reads_day_first(normalize_text(" ".join(said)))
    ctx = Context(sent_at, sender_zone, user_zone, offered, day_first)
    _inline_picks(text, ctx)
    for negative_pass in (True, False):  # what they turn down first, wherever they say it
        ctx.carried = None
        for sentence in said:
            before = len(ctx.findings)
            _read_sentence(sentence, ctx, negative_pass)
            _no_contradiction(ctx, before, sentence)
    zone, _ = ctx.zone(None)
    today = sent_at.astimezone(zone).date()
    ctx.findings.extend(read_intents(said, today, has_times=bool(ctx.findings),
                                     day_first=day_first))
    people = read_people(said)
    if any(isinstance(p, Handoff) for p in people):  # "not the right person, ask X": not a no
        ctx.findings[:] = [f for f in ctx.findings if not isinstance(f, Decline)]
    ctx.findings.extend(people)
    ctx.findings[:] = [f for f in ctx.findings  # "Tuesday, ... but not at 16:00"
                       if not (isinstance(f, SlotPick) and f.slot in ctx.rejected)]
    _one_pick(ctx)
    return Reading(tuple(_narrowest(_same_time_once(ctx.findings))), tuple(ctx.unsure))


def _same_time_once(findings: list[Finding]) -> list[Finding]:
    """"9am your time, 3pm mine" is one time said twice: it is kept once."""
    seen: set[datetime] = set()
    kept: list[Finding] = []
    for f in findings:
        if isinstance(f, ProposedTime):
            if f.at in seen:
                continue
            seen.add(f.at)
        kept.append(f)
    return kept


def _narrowest(findings: list[Finding]) -> list[Finding]:
    """A window that holds a time or a narrower window proposed in the same reply says less
    ("Next week is better; Tuesday at 10?"): the narrower one stays."""
    times = [f.at for f in findings if isinstance(f, ProposedTime)]
    ranges = [f for f in findings if isinstance(f, ProposedRange)]

    def wider(f: ProposedRange) -> bool:
        return any(f.start <= t <= f.end for t in times) or any(
            o is not f and f.start <= o.start and o.end <= f.end and (o.start, o.end) != (
                f.start, f.end) for o in ranges)

    return [f for f in findings if not (isinstance(f, ProposedRange) and wider(f))]
