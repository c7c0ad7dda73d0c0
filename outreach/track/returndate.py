"""Find the return date an out-of-office message states, in its subject and body text.

Pure: text and the message's date in, a :class:`datetime.date` (or ``None``) out.

How a date is chosen, in order:

1. A date right after a *return* cue ("back on", "returning", "zurück am", "de retour le",
   "regreso el", "rientro il", "terug op", "retorno em", "tillbaka den", ...), first in the
   subject, then in the body. A bare weekday there ("back on Monday") is the next such
   weekday after the message date; a day of the month alone ("back on the 14th", "am 14.",
   "le 14", "el día 14", "il 14", "op de 14e", "no dia 14", "den 14:e") is the next such day;
   "in two weeks" (and "in zwei Wochen", "dans deux semaines", "en dos semanas", "tra due
   settimane", "over twee weken", "daqui a duas semanas", "om två veckor"), "tomorrow" and
   "next week" (its Monday) count from the message date.
2. Else a date right before a cue that follows it, as German and Dutch word order has it
   ("am 8.12. zurück", "ab dem 8.12. wieder erreichbar", "op 8 december weer terug").
3. Else a date right after a *from* cue ("ab dem", "à partir du", "a partir del", "vanaf").
4. Else a date right after an *until* cue ("until", "bis", "jusqu'au", "hasta", "fino al",
   "tot", "até", "till och med"). An absence "until 8 December" gives 8 December as the
   return date; the pipeline's two business days after it give the slack.
5. Else the latest date in the body on or after the message date (a range "1-5 December" ends
   on the 5th). The subject is not used here: it usually repeats our own subject.

Reading a date:

- ``2026-12-08`` and ``2026/12/08`` are year-month-day.
- Dotted numbers (``8.12.``, ``8.12.2026``) are always day.month: nobody writes month.day
  with dots.
- Slashed or dashed numbers (``12/08``, ``08-12-2026``) where one part is over 12 have one
  reading. Otherwise the language decides: German, French, Spanish, Italian, Dutch,
  Portuguese and Swedish text is read day first. English (and unknown) text is ambiguous
  between US and UK usage, so the reading that falls sooner after the message date wins: a
  too-early return date only lets the normal nudge through, while a too-late one would hold
  it back for months.
- Month names and common abbreviations in those eight languages, with or without accents
  ("8 December", "Dec 8th", "8. Dezember", "8 décembre", "8 de diciembre").
- Without a year, the next occurrence on or after the message date. Two-digit years are 20xx.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["find_return_date", "normalize_text", "reads_day_first"]

_MONTHS: dict[str, int] = {}
for _month, _names in enumerate(
    (
        "january jan januar janner janv janvier enero ene gennaio gen januari janeiro",
        "february feb februar fevrier fevr febrero febbraio februari fevereiro fev",
        "march mar marz maerz mars marzo maart mrt marco",
        "april apr avril avr abril abr aprile",
        "may mai mayo maggio mei maio maj",
        "june jun juni juin junio giugno giu junho",
        "july jul juli juillet juil julio luglio lug julho",
        "august aug aout agosto augustus augusti",
        "september sep sept septembre septiembre setiembre settembre setembro",
        "october oct oktober okt octobre octubre ottobre ott outubro",
        "november nov novembre noviembre novembro",
        "december dec dezember dez decembre diciembre dic dicembre dezembro",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _month

_WEEKDAYS: dict[str, int] = {}
for _day, _names in enumerate(
    (
        "monday montag lundi lunes lunedi maandag segunda-feira mandag",
        "tuesday dienstag mardi martes martedi dinsdag terca-feira tisdag",
        "wednesday mittwoch mercredi miercoles mercoledi woensdag quarta-feira onsdag",
        "thursday donnerstag jeudi jueves giovedi donderdag quinta-feira torsdag",
        "friday freitag vendredi viernes venerdi vrijdag sexta-feira fredag",
        "saturday samstag sonnabend samedi sabado sabato zaterdag lordag",
        "sunday sonntag dimanche domingo domenica zondag sondag",
    )
):
    for _name in _names.split():
        _WEEKDAYS[_name] = _day


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_MONTH_RE = _alternation(_MONTHS)
_WEEKDAY_RE = _alternation(_WEEKDAYS)
_ORD = r"(?:st|nd|rd|th|er|eme|o|\.)?"
_NOT_TIME = r"(?!\s*(?::|h\d|h\b|am\b|pm\b|uhr\b)|\d)"

_ISO = re.compile(r"(?<![\d./-])(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?![\d/-])")
_DAY_MONTH = re.compile(
    rf"(?<![\d.])(\d{{1,2}}){_ORD}\s*(?:of\s+|de\s+|di\s+)?({_MONTH_RE})\b\.?"
    r"(?:,?\s*(?:de\s+)?(\d{4})(?!\d))?"
)
_MONTH_DAY = re.compile(
    rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}}){_ORD}"
    rf"(?:\s*(?:-|to|through|thru|until|till)\s*(\d{{1,2}}){_ORD})?{_NOT_TIME}"
    r"(?:,?\s*(\d{4})(?!\d))?"
)
_DOTTED = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?:\.(\d{4}|\d{2})?)?(?![\d])")
_SLASHED = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/])")
_DASHED = re.compile(r"(?<![\d-])(\d{1,2})-(\d{1,2})-(\d{4}|\d{2})(?![\d-])")
_WEEKDAY = re.compile(rf"\b({_WEEKDAY_RE})\b")
# A day of the month alone: "back on the 14th", "am 14.", "le 14", "el día 14", "il 14",
# "op de 14e", "no dia 14", "den 14:e".
_DAY_ONLY = re.compile(
    r"\bthe (\d{1,2})(?:st|nd|rd|th)\b|(?<![\d.])(\d{1,2})(?:st|nd|rd|th)\b"
    r"|\b(?:am|zum|ab dem|bis zum) (\d{1,2})\.(?!\d)"
    r"|\b(?:le|du|au) (\d{1,2})(?:er)?\b(?![./:]\d)(?!\s*(?:h\b|heures?|:))"
    r"|\b(?:el|del|al|el dia|dia|il|dal|op de|vanaf de|tot de|den|fran den|till den) (\d{1,2})"
    r"(?:e|:e|o|a)?\b(?![./:]\d)(?!\s*(?:h\b|uhr|uur|:|horas?|ore|tim))"
)
_COUNT_WORDS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "zwei": 2, "drei": 3,
                "vier": 4, "deux": 2, "trois": 3, "quatre": 4, "dos": 2, "tres": 3,
                "cuatro": 4, "due": 2, "tre": 3, "quattro": 4, "twee": 2, "drie": 3,
                "duas": 2, "tva": 2, "fyra": 4, "een": 1, "une": 1, "un": 1, "una": 1,
                "uma": 1, "en": 1, "ein": 1, "eine": 1}
# "in two weeks", "in zwei Wochen", "dans deux semaines", "en dos semanas", "tra due
# settimane", "over twee weken", "daqui a duas semanas", "om två veckor".
_IN_SPAN = re.compile(
    r"\b(?:in|dans|en|dentro de|tra|fra|over|em|daqui a|om)\s+(\d{1,2}|"
    + "|".join(_COUNT_WORDS)
    + r")\s+(weeks?|wochen|semaines|semanas?|settimane|weken|veckor|days?|tagen|jours"
    r"|dias|giorni|dagen|dagar)\b"
)
_TOMORROW = re.compile(r"(?<!guten )\b(?:tomorrow|morgen|demain|manana|domani|amanha|imorgon)\b")
_NEXT_WEEK = re.compile(
    r"\b(?:next week|nachste woche|nachsten woche|la semaine prochaine|la proxima semana"
    r"|la semana que viene|la prossima settimana|la settimana prossima|volgende week"
    r"|na proxima semana|semana que vem|nasta vecka)\b"
)

# Cues followed by the return date ("back on 8 December", "zurück am 8.12.").
_RETURN_CUES = re.compile(
    r"\b(?:back|return(?:ing|s)?|in(?:to)? the office|resum(?:e|ing)"
    r"|zuruck (?:am|ab|zum)|wieder (?:am|ab)"
    r"|de retour|retour|reprendrai"
    r"|regreso|regresare|de vuelta|vuelvo|volvere"
    r"|rientro|rientrero|di ritorno|ritorno|tornero|di nuovo in (?:ufficio|sede)"
    r"|terug (?:op|vanaf|per)|weer (?:op|vanaf)|ben ik (?:weer|terug)"
    r"|retorno|regresso|volto|voltarei|de volta|regressarei|retornarei"
    r"|tillbaka|ater (?:pa|den|i tjanst|pa kontoret)|pa plats igen|nas igen)\b"
)
# Cues that follow the date, as German, Dutch and Swedish word order puts them
# ("am 8.12. zurück", "ab dem 8.12. wieder erreichbar", "op 8 december weer terug").
_TRAILING_CUES = re.compile(
    r"\b(?:zuruck|wieder (?:da|im buro|erreichbar|zuruck|verfugbar|im haus)"
    r"|terug|weer (?:terug|aanwezig|bereikbaar|op kantoor|beschikbaar)"
    r"|tillbaka|pa plats igen|nabar igen)\b"
)
# Weaker cues followed by the date: "from" ("ab dem 8.12.", "à partir du 8 décembre").
_FROM_CUES = re.compile(
    r"\b(?:ab(?: dem)?|a partir (?:du|del|de|dal|do|da)|a compter du|des le|a partire dal"
    r"|dal|vanaf|fran och med|fr\.?o\.?m\.?|fran)\b"
)
_UNTIL_CUES = re.compile(
    r"\b(?:until|till|til|through|thru|bis|jusqu|hasta|fino|t/m|tot(?: en met)?|ate"
    r"|till och med|t\.?o\.?m\.?|fram till)\b"
)
_CUE_WINDOW = 50  # characters after a cue in which its date must start
_TRAILING_WINDOW = 25  # characters before a trailing cue in which its date must end
_WEEKDAY_DATE_GAP = 15  # "Monday, 8 December": a date this close after a weekday names it


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LANGUAGE_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "i am the until back office out of will be on returning return vacation leave thank "
        "you your message automatic reply away and currently access email"
    ),
    "de": _words(
        "ich bin der die das und nicht bis zum am ab wieder ihre nachricht buro abwesend "
        "abwesenheitsnotiz vielen dank mit freundlichen grussen zuruck urlaub erreichbar im "
        "einschliesslich"
    ),
    "fr": _words(
        "je suis le la les du au et retour absent absente bureau jusqu vous votre merci "
        "reponse automatique conges serai de"
    ),
    "es": _words(
        "el los y estoy estare hasta oficina fuera respuesta automatica gracias su mensaje "
        "vacaciones regreso del"
    ),
    "it": _words(
        "il sono fino al ufficio fuori sede risposta automatica grazie messaggio ferie rientro sara"
    ),
    "nl": _words(
        "ik ben het een tot en met afwezig afwezigheid terug kantoor bericht vakantie "
        "automatisch antwoord vanaf weer"
    ),
    "pt": _words(
        "eu estou ate o escritorio ferias resposta automatica obrigado mensagem ausencia "
        "retorno em fora"
    ),
    "sv": _words(
        "jag ar och till med tillbaka kontoret semester ledig franvarande automatiskt svar "
        "tack for ditt meddelande den pa"
    ),
}


def normalize_text(text: str) -> str:
    """Lower case, accents removed, dashes made plain, every run of whitespace (line breaks,
    no-break spaces) one space: what the rules match."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = re.sub(r"[\u2010-\u2015\u2212]", "-", plain)
    plain = plain.replace("\u2019", "'")
    return re.sub(r"\s+", " ", plain).lower()


def reads_day_first(text: str) -> bool:
    """True when the (normalized) text reads as a language that writes the day first (not
    English): "10/11" is then 10 November."""
    words = re.findall(r"[a-z]+", text)
    scores = {lang: sum(w in vocab for w in words) for lang, vocab in _LANGUAGE_WORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best != "en" and scores[best] > scores["en"]


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    when: date
    weekday_only: bool = False


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _resolve(month: int, day: int, year: str | None, reference: date) -> date | None:
    """The date, with the next occurrence on or after ``reference`` when the year is missing."""
    if year is not None:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _safe_date(full, month, day)
    for offset in range(9):  # 29 February needs up to eight years
        found = _safe_date(reference.year + offset, month, day)
        if found is not None and found >= reference:
            return found
    return None


def _next_day_of_month(day: int, reference: date) -> date | None:
    """The next date on or after ``reference`` with this day of the month ("the 14th")."""
    for months in range(3):
        index = reference.month - 1 + months
        found = _safe_date(reference.year + index // 12, index % 12 + 1, day)
        if found is not None and found >= reference:
            return found
    return None


def _sooner(readings: list[date], reference: date) -> date | None:
    """The first reading on or after ``reference``; if all are past, the latest one."""
    if not readings:
        return None
    future = [r for r in readings if r >= reference]
    return min(future) if future else max(readings)


def _candidates(text: str, reference: date, day_first: bool) -> list[_Candidate]:
    """Every date in ``text`` (already normalized), in order; overlapping matches dropped."""
    found: list[_Candidate] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], when: date | None, weekday_only: bool = False) -> None:
        start, end = match.span()
        if when is None or any(start < t_end and t_start < end for t_start, t_end in taken):
            return
        taken.append((start, end))
        found.append(_Candidate(start, end, when, weekday_only))

    for m in _ISO.finditer(text):
        add(m, _safe_date(int(m[1]), int(m[2]), int(m[3])))
    for m in _DAY_MONTH.finditer(text):
        add(m, _resolve(_MONTHS[m[2]], int(m[1]), m[3], reference))
    for m in _MONTH_DAY.finditer(text):
        day = int(m[3] or m[2])
        add(m, _resolve(_MONTHS[m[1]], day, m[4], reference))
    for m in _DOTTED.finditer(text):
        add(m, _resolve(int(m[2]), int(m[1]), m[3], reference))
    for pattern in (_SLASHED, _DASHED):
        for m in pattern.finditer(text):
            if m[0] == "24/7":  # "available 24/7"
                continue
            first, second = int(m[1]), int(m[2])
            day_month = _resolve(second, first, m[3], reference)
            month_day = _resolve(first, second, m[3], reference)
            if day_first and day_month is not None:
                add(m, day_month)
            else:
                add(m, _sooner([r for r in (day_month, month_day) if r is not None], reference))
    for m in _DAY_ONLY.finditer(text):
        number = int(next(g for g in m.groups() if g))
        add(m, _next_day_of_month(number, reference))
    for m in _IN_SPAN.finditer(text):
        count = int(m[1]) if m[1].isdigit() else _COUNT_WORDS[m[1]]
        unit = 1 if m[2].startswith(("day", "tag", "jour", "dia", "gior", "dag")) else 7
        add(m, reference + timedelta(days=count * unit))
    for m in _TOMORROW.finditer(text):
        add(m, reference + timedelta(days=1))
    for m in _NEXT_WEEK.finditer(text):
        add(m, reference + timedelta(days=7 - reference.weekday()))
    for m in _WEEKDAY.finditer(text):
        ahead = (_WEEKDAYS[m[1]] - reference.weekday() - 1) % 7 + 1  # strictly after
        add(m, reference + timedelta(days=ahead), weekday_only=True)
    found.sort(key=lambda c: c.start)
    # "Monday, 8 December": the weekday only decorates the date that follows it.
    return [
        c
        for c in found
        if not c.weekday_only
        or not any(not o.weekday_only and 0 <= o.start - c.end <= _WEEKDAY_DATE_GAP for o in found)
    ]


def _after_cue(text: str, cues: re.Pattern[str], found: list[_Candidate]) -> date | None:
    for cue in cues.finditer(text):
        for candidate in found:
            if cue.end() <= candidate.start <= cue.end() + _CUE_WINDOW:
                return candidate.when
    return None


def _before_cue(text: str, cues: re.Pattern[str], found: list[_Candidate]) -> date | None:
    for cue in cues.finditer(text):
        before = [c for c in found if 0 <= cue.start() - c.end <= _TRAILING_WINDOW]
        if before:
            return before[-1].when
    return None


def find_return_date(subject: str, body: str, reference: date) -> date | None:
    """The return date stated in an out-of-office message sent on ``reference``, if any."""
    subject_n, body_n = normalize_text(subject), normalize_text(body)
    day_first = reads_day_first(f"{subject_n} {body_n}")
    texts = (
        (subject_n, _candidates(subject_n, reference, day_first)),
        (body_n, _candidates(body_n, reference, day_first)),
    )
    rules = (
        (_after_cue, _RETURN_CUES),
        (_before_cue, _TRAILING_CUES),
        (_after_cue, _FROM_CUES),
        (_after_cue, _UNTIL_CUES),
    )
    for rule, cues in rules:
        for text, found in texts:
            when = rule(text, cues, found)
            if when is not None:
                return when
    body_found = texts[1][1]
    future = [c.when for c in body_found if not c.weekday_only and c.when >= reference]
    return max(future) if future else None
