"""Day phrases in a clause: "Thursday", "next Tuesday", "Tue 10 Nov", "the 12th", "12.11.",
"tomorrow", "next week", "after the 15th", "in two weeks", in eight languages.

Every phrase resolves against ``today`` (the day the reply was written, in the writer's zone):
a bare weekday is the next such day after today; "next Tuesday" is the Tuesday of next week
(Monday to Sunday) when this week's has passed, and a doubt when it has not ("next
Thursday" said on a Wednesday may be tomorrow); a date without a year is the next one on or
after today. A weekday written beside a date that falls on another weekday is a
contradiction, reported as a doubt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from outreach.track.reader.lexicon import alternation, names
from outreach.track.returndate import _MONTHS as MONTHS

__all__ = ["WEEKDAY_NAMES", "DayPhrase", "day_phrase"]

_WEEKDAYS: dict[str, int] = {}
for _index, _names in enumerate(
    (
        "monday mon montag mo lundi lun lunes lunedi maandag ma segunda-feira seg mandag man",
        "tuesday tue tues dienstag di mardi mar martes martedi dinsdag terca-feira ter tisdag tis",
        "wednesday wed mittwoch mi mercredi mer miercoles mie mercoledi woensdag wo"
        " quarta-feira qua onsdag ons",
        "thursday thu thur thurs donnerstag jeudi jeu jueves jue giovedi gio donderdag"
        " quinta-feira qui torsdag tors",
        "friday fri freitag fr vendredi ven viernes vie venerdi vrijdag vr sexta-feira sex"
        " fredag fre",
        "saturday sat samstag sa samedi sam sabado sab sabato zaterdag za lordag lor",
        "sunday sun sonntag dimanche dim domingo dom domenica zondag zo sondag son",
    )
):
    for _name in _names.split():
        _WEEKDAYS.setdefault(_name, _index)
# Short forms that are also ordinary words are only weekdays right before a date or a time.
_SHORT_ONLY = names(
    "mon mo di mi fr sa ma wo vr za zo lun mar mer jeu ven sam dim mie jue vie gio sab"
    " dom seg ter qua qui sex man tis ons tors fre lor son tue tues wed thu thur thurs fri sat"
    " sun"
)
_ENGLISH_SHORT = names("tue tues wed thu thur thurs fri")
_ENGLISH_NAMES = names(
    "monday mon tuesday tue tues wednesday wed thursday thu thur thurs friday fri saturday"
    " sat sunday sun"
)
_PT_SHORT = {"segunda": 0, "terca": 1, "quarta": 2, "quinta": 3, "sexta": 4}
_WEEKDAY = alternation(_WEEKDAYS)
WEEKDAY_NAMES = alternation(n for n in _WEEKDAYS if len(n) > 3)  # full names, as written
_MONTH = alternation(MONTHS)
_NEXT = (r"next|nachste[nr]?|nachsten|kommende[nr]?|prochain|prochaine|proximo|proxima"
         r"|prossimo|prossima|volgende|komende|nasta|coming")
_THIS = r"this|diese[nr]?|ce|cette|este|esta|questo|questa|deze|nesta|neste|denna|detta"
_WEEK = r"week|woche|semaine|semana|settimana|vecka|veckan"

# What makes "Do", "Mi", "ma" a weekday: a date right after it, dotted or with a month name
# ("Do 5.11.", "ma 9 nov"); not "could we do 11/12" or "do 2pm".
_DATE_FOLLOWS = re.compile(
    rf"\s*,?\s*\d{{1,2}}(?:\.\d{{0,2}}|\s*(?:de\s+)?(?:{_MONTH})\b)"
)
_ISO = re.compile(r"(?<![\d.])(\d{4})-(\d{2})-(\d{2})(?![\d])")
_DAY_MONTH = re.compile(
    rf"(?<![\d.:])(\d{{1,2}})(?:st|nd|rd|th|er|e|o|º|\.)?\s*(?:of\s+|de\s+|di\s+)?({_MONTH})\b\.?"
    r"(?:,?\s*(?:de\s+)?(\d{4}))?"
)
_MONTH_DAY = re.compile(
    rf"\b({_MONTH})\.?\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?(?![\d:.]\d)(?!\s*(?:am|pm|h\b|uhr))"
    r"(?:,?\s*(\d{4}))?"
)
# "Thursday the 12th", "jueves 12 a las 11", "Donnerstag, 12.": a weekday and the day of month.
_WEEKDAY_DAY = re.compile(
    rf"\b(?:{_WEEKDAY})\.?,?\s+(?:the\s+|den\s+)?(\d{{1,2}})"
    r"(?:(?:st|nd|rd|th|er|e|o|\.)(?!\d)|(?=\s+(?:at|um|a las|a la|a|alle|om|as|kl)\b|,))"
)
# "martes 17", "mardi 17", "martedì 17", "dinsdag 17": outside English a number right after
# a weekday is the day of the month (English "Tuesday 10" may be ten o'clock).
_FOREIGN_WEEKDAY = alternation(n for n in _WEEKDAYS if n not in _ENGLISH_NAMES and len(n) > 3)
_FOREIGN_WEEKDAY_DAY = re.compile(
    rf"\b(?:{_FOREIGN_WEEKDAY})\.?,?\s+(?:den\s+|der\s+|le\s+|el\s+|il\s+|dia\s+)?(\d{{1,2}})"
    r"(?![\d:]|\.\d|\s*(?:h\b|uhr|uur|horas?|ore|am\b|pm\b|:))"
)
_DOTTED = re.compile(r"(?<![\d.:])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?(?![\d])")
_SLASHED = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/])")
_ORDINAL_DAY = re.compile(
    r"\bthe (\d{1,2})(?:st|nd|rd|th)\b|(?<![\d.])(\d{1,2})(?:st|nd|rd|th)\b"
    r"|\b(?:am|zum|bis zum|ab dem|nach dem) (\d{1,2})\.(?!\d)"
    r"|\b(?:le|du|au) (\d{1,2})(?:er)?\b(?!\s*(?:h|heures?|:|\d))"
    r"|\b(?:el|del|al|il|dal|dopo il|no dia|dia|op de|den|efter den) (\d{1,2})(?:e|a|:e|o)?\b"
    r"(?!\s*(?:h\b|:|\d|uur|horas?|ore|minut))"
)
_MORE_DAYS = re.compile(
    r"(?:\s*(?:,|or|and|oder|und|ou|et|o|y|e|of|en|eller|och)\s*(?:the\s+)?\d{1,2}"
    r"(?:st|nd|rd|th|e|er|\.(?!\d))(?![\d:]))+"
)
_TOMORROW = re.compile(
    r"\b(?:day after tomorrow|ubermorgen|apres-demain|pasado manana|dopodomani|overmorgen"
    r"|depois de amanha|i overmorgon)\b"
    r"|\b(tomorrow|morgen|demain|domani|amanha|imorgon|manana)\b"
)
_NOT_TOMORROW = re.compile(r"(?:guten|good|la|las|de|pela|na) $")
_TODAY = re.compile(r"\b(?:today|heute|aujourd'hui|hoy|oggi|vandaag|hoje|idag)\b")
_WEEK_RE = re.compile(
    rf"\b(?:{_NEXT}) (?:{_WEEK})\b|\b(?:{_WEEK}) (?:que viene|que vem|prochaine|prossima)\b"
    r"|\bsemana que vem\b|\b(?:this|later this|diese|cette|esta|questa|deze|nesta|denna)"
    rf" (?:{_WEEK})\b|\bveckan\b"
)
_AFTER = re.compile(
    r"\b(?:after|nach|apres|despues(?: del?)?|dopo|na|depois(?: d[eo])?|efter)"
    r"(?: the| dem| le| el| il| de| den)?\s*$"
)
# "from Tuesday on", "ab Dienstag", "à partir de mardi": that day and the rest of its week.
_FROM = re.compile(
    r"\b(?:from|ab|a partir d[eu]l?|desde|a partire da|vanaf|fran och med|fran)"
    r"(?: the| dem| le| el| il| de| den)?\s*$"
)
_ONWARDS = re.compile(r"^\s*(?:on\b|onwards?\b)")
_IN_WEEKS = re.compile(
    r"\bin (?:(a|one|two|three|four|\d|zwei|drei|vier|deux|trois|quatre|dos|tres|cuatro"
    r"|due|tre|quattro|twee|drie|vier|duas|tva) )?(?:couple of |paar )?"
    r"(weeks?|wochen?|semaines?|semanas?|settimane?|weken|week|veckor|vecka|days|tagen)\b"
)
_NEXT_MONTH = re.compile(
    r"\b(?:next month|nachsten monat|le mois prochain|el (?:proximo )?mes (?:que viene)?"
    r"|el proximo mes|il mese prossimo|il prossimo mese|volgende maand|proximo mes"
    r"|mes que vem|nasta manad)\b"
)
_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "zwei": 2, "drei": 3, "vier": 4,
           "deux": 2, "trois": 3, "quatre": 4, "dos": 2, "tres": 3, "cuatro": 4, "due": 2,
           "tre": 3, "quattro": 4, "twee": 2, "drie": 3, "duas": 2, "tva": 2}


@dataclass(frozen=True)
class DayPhrase:
    """The days a clause names: one day, or several ("next week"), and how it was said."""

    days: tuple[date, ...]
    weekday_only: bool = False  # "Thursday", no date: matches an offered slot on any Thursday
    after: bool = False  # "after the 15th": from the day after
    this_week: bool = False  # "this week": the days left of the current week
    alternatives: bool = False  # "Monday or Tuesday": any one of these days
    starting: bool = False  # "from the 16th", "ab Dienstag": from that day on
    span: tuple[int, int] = (0, 0)
    doubts: tuple[str, ...] = field(default_factory=tuple)


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _next_on_or_after(month: int, day: int, year: str | None, today: date) -> date | None:
    if year:
        return _safe(int(year) + (2000 if len(year) == 2 else 0), month, day)
    for offset in range(2):
        found = _safe(today.year + offset, month, day)
        if found is not None and found >= today:
            return found
    return None


def _next_day_of_month(day: int, today: date) -> date | None:
    for months in range(3):
        month = (today.month - 1 + months) % 12 + 1
        year = today.year + (today.month - 1 + months) // 12
        found = _safe(year, month, day)
        if found is not None and found >= today:
            return found
    return None


_WEEKDAY_RE = re.compile(
    rf"\b(?:({_NEXT}|{_THIS}|on|am|le|el|il|op|na|pa|en|nesta|proxima)\s+)?"
    rf"(?<![\w-])({_WEEKDAY}|segunda|terca|quarta|quinta|sexta)"
    r"(?:(?![\w-])|(?:(?<=tag)|(?<=woch))(?=(?:vormittag|nachmittag|mittag|abend|morgen)s?\b))\.?"
    rf"(?:\s+(prochain|que viene|prossimo|que vem|(?:{_NEXT}) (?:{_WEEK})))?"
)
_OR = r"\s*(?:,|or|oder|ou|o|oppure|of|eller)\s+"


def _weekday(plain: str, today: date) -> DayPhrase | None:
    """The weekday a clause names; "Monday or Tuesday next week" names both (the days of a
    list joined by "or" take the week said after the last one)."""
    first = _one_weekday(plain, today)
    if first is None:
        return None
    days = [first]
    rest = plain[first.span[1] :]
    while True:
        joined = re.match(_OR, rest)
        following = _one_weekday(rest[joined.end() :], today) if joined else None
        if joined is None or following is None or following.span[0] != 0:
            break
        days.append(following)
        rest = rest[joined.end() + following.span[1] :]
    if len(days) == 1:
        return first
    week_after = re.match(rf"\s*(?:{_NEXT}) (?:{_WEEK})\b", rest)
    if week_after:
        monday = today + timedelta(days=7 - today.weekday())
        found = tuple(sorted(monday + timedelta(days=d.days[0].weekday()) for d in days))
    else:
        found = tuple(sorted(d.days[0] for d in days))
    end = len(plain) - len(rest) + (week_after.end() if week_after else 0)
    doubts = tuple(doubt for d in days for doubt in d.doubts)
    return DayPhrase(found, weekday_only=week_after is None, span=(first.span[0], end),
                     doubts=doubts, alternatives=True)


def _one_weekday(plain: str, today: date) -> DayPhrase | None:
    for match in _WEEKDAY_RE.finditer(plain):
        before, name, after = match.group(1), match.group(2), match.group(3)
        if name in _PT_SHORT:  # "segunda", "quinta" are also ordinals: a weekday before a time
            time_follows = re.match(r"\s*,?\s*(?:as\b|a partir|de manha|a tarde|\d)",
                                    plain[match.end() : match.end() + 12])
            if before not in ("na", "nesta", "proxima", "esta") and not time_follows:
                continue
            index = _PT_SHORT[name]
        else:
            if (name in _SHORT_ONLY and name not in _ENGLISH_SHORT
                    and not _DATE_FOLLOWS.match(plain[match.end() : match.end() + 16])):
                continue  # "do", "mi", "sa" are words, unless a date follows: "Do 5.11."
            index = _WEEKDAYS[name]
        ahead = (index - today.weekday() - 1) % 7 + 1  # strictly after today
        nxt = before is not None and re.fullmatch(_NEXT, before) is not None
        week_named = after is not None and re.search(rf"(?:{_WEEK})$", after) is not None
        doubts: tuple[str, ...] = ()
        if nxt or after:
            monday_next = today + timedelta(days=7 - today.weekday())
            day = monday_next + timedelta(days=index)
            if not week_named and today + timedelta(days=ahead) < monday_next:
                # "next Thursday" said on a Wednesday: tomorrow, or a week later?
                doubts = (f"{match.group(0)} could be this week's or next week's",)
        else:
            day = today + timedelta(days=ahead)
        return DayPhrase((day,), weekday_only=not nxt and not after, span=match.span(),
                         doubts=doubts)
    return None


def _dates(
    plain: str, today: date, day_first: bool
) -> list[tuple[date | None, tuple[int, int], str]]:
    found: list[tuple[date | None, tuple[int, int], str]] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], when: date | None, doubt: str = "") -> None:
        if any(match.start() < e and s < match.end() for s, e in taken):
            return
        taken.append(match.span())
        found.append((when, match.span(), doubt))

    for m in _ISO.finditer(plain):
        add(m, _safe(int(m[1]), int(m[2]), int(m[3])))
    for m in _DAY_MONTH.finditer(plain):
        if m[2] in ("may", "mar", "set", "sept") and re.search(
            r"\b(?:at|by|around|before|after|um|a las|alle|om|kl)\s*$", plain[: m.start()]
        ):
            continue  # "at 10 may work", not 10 May
        add(m, _next_on_or_after(MONTHS[m[2]], int(m[1]), m[3], today))
    for m in _MONTH_DAY.finditer(plain):
        add(m, _next_on_or_after(MONTHS[m[1]], int(m[2]), m[3], today))
    for m in _WEEKDAY_DAY.finditer(plain):
        add(m, _next_day_of_month(int(m[1]), today))
    for m in _FOREIGN_WEEKDAY_DAY.finditer(plain):
        add(m, _next_day_of_month(int(m[1]), today))
    for m in _DOTTED.finditer(plain):
        add(m, _next_on_or_after(int(m[2]), int(m[1]), m[3], today))
    for m in _SLASHED.finditer(plain):
        first, second = int(m[1]), int(m[2])
        day_month = _next_on_or_after(second, first, m[3], today)
        month_day = _next_on_or_after(first, second, m[3], today)
        if day_first and day_month:
            add(m, day_month)  # German, French, ... write 10/11 for 10 November
        elif day_month and month_day and day_month != month_day:
            add(m, None, f"{m[0]} reads as two dates")
        else:
            add(m, day_month or month_day)
    for m in _ORDINAL_DAY.finditer(plain):
        number = next(g for g in m.groups() if g)
        add(m, _next_day_of_month(int(number), today))
    found.sort(key=lambda f: f[1][0])
    return found


def _listed_days(plain: str, first: date, end: int, today: date) -> tuple[date, ...] | None:
    """"the 10th, 11th or 12th": the days of the month listed after the first one."""
    listed = _MORE_DAYS.match(plain, end)
    if listed is None:
        return None
    more = [_next_day_of_month(int(d), today) for d in re.findall(r"\d{1,2}", listed[0])]
    if not more or any(d is None for d in more):
        return None
    return tuple(sorted({first, *(d for d in more if d is not None)}))


def _by_weekday(text: str, weekday: int, today: date) -> date | None:
    """Of the two readings of a slashed date, the one that falls on the weekday written
    beside it; None when both or neither do."""
    m = _SLASHED.fullmatch(text)
    if m is None:
        return None
    readings = {
        r for r in (_next_on_or_after(int(m[2]), int(m[1]), m[3], today),
                    _next_on_or_after(int(m[1]), int(m[2]), m[3], today))
        if r is not None and r.weekday() == weekday
    }
    return readings.pop() if len(readings) == 1 else None


def day_phrase(plain: str, today: date, *, day_first: bool = False) -> DayPhrase | None:
    """The days a normalized clause names, relative to ``today``; None when it names none.
    ``day_first``: the reply is in a language that writes 10/11 for 10 November."""
    doubts: list[str] = []
    dates = _dates(plain, today, day_first)
    weekday = _weekday(plain, today)
    if dates:
        when, span, doubt = dates[0]
        if doubt and weekday is not None and abs(weekday.span[0] - span[0]) < 20:
            when = _by_weekday(plain[span[0] : span[1]], weekday.days[0].weekday(), today)
            doubt = "" if when is not None else doubt  # "Thursday 11/12": 12 November
        if doubt or when is None:
            return DayPhrase((), span=span, doubts=(doubt or "an impossible date",))
        if weekday is not None and abs(weekday.span[0] - span[0]) < 20:
            named = weekday.days[0].weekday()
            if named != when.weekday():
                doubts.append(f"the weekday and the date disagree ({when.isoformat()})")
        after = _AFTER.search(plain[: span[0]]) is not None
        starting = _FROM.search(plain[: span[0]]) is not None
        if re.search(r"\bweek of(?: the)?\s*$", plain[: span[0]]) and not doubts:
            monday = when - timedelta(days=when.weekday())  # "the week of the 16th"
            return DayPhrase(tuple(monday + timedelta(days=i) for i in range(5)), span=span)
        listed = _listed_days(plain, when, span[1], today)
        if listed is not None and not doubts:
            return DayPhrase(listed, after=after, span=span, alternatives=True)
        return DayPhrase((when,), after=after, span=span, doubts=tuple(doubts),
                         starting=starting)
    if weekday is not None:
        before = plain[: weekday.span[0]]
        after = _AFTER.search(before) is not None
        english_from = re.search(r"\bfrom\s*$", before) is not None
        onwards = _ONWARDS.match(plain[weekday.span[1] :]) is not None
        if (_FROM.search(before) and (onwards or not english_from)
                and len(weekday.days) == 1 and weekday.days[0].weekday() < 4):
            first = weekday.days[0]  # "any afternoon from Tuesday on": Tuesday to Friday
            rest = tuple(first + timedelta(days=i) for i in range(5 - first.weekday()))
            return DayPhrase(rest, span=weekday.span, doubts=weekday.doubts, starting=True)
        return DayPhrase(weekday.days, weekday.weekday_only, after, span=weekday.span,
                         doubts=weekday.doubts, alternatives=weekday.alternatives,
                         starting=_FROM.search(before) is not None)
    tomorrow = next(
        (m for m in _TOMORROW.finditer(plain) if not _NOT_TOMORROW.search(plain[: m.start()])),
        None,
    )
    if tomorrow:
        ahead = 1 if any(tomorrow.groups()) else 2
        return DayPhrase((today + timedelta(days=ahead),), span=tomorrow.span())
    today_match = _TODAY.search(plain)
    if today_match:
        return DayPhrase((today,), span=today_match.span())
    week = _WEEK_RE.search(plain)
    if week:
        if re.search(rf"\b(?:{_NEXT})\b|que viene|que vem|prochaine|prossima", week[0]):
            monday = today + timedelta(days=7 - today.weekday())
            return DayPhrase(tuple(monday + timedelta(days=i) for i in range(5)),
                             span=week.span())
        rest = tuple(today + timedelta(days=i) for i in range(1, 5 - today.weekday()))
        return DayPhrase(rest or (today,), span=week.span(), this_week=True)
    weeks = _IN_WEEKS.search(plain)
    if weeks:
        count = _COUNTS.get(weeks[1] or "a", 0) or int(weeks[1] or 2)
        unit = 1 if weeks[2].startswith(("day", "tag")) else 7
        return DayPhrase((today + timedelta(days=count * unit),), span=weeks.span())
    month = _NEXT_MONTH.search(plain)
    if month:
        first = date(today.year + today.month // 12, today.month % 12 + 1, 1)
        return DayPhrase((first,), span=month.span())
    return None
