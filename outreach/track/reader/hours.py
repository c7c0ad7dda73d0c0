"""Times of day in a clause: "10am", "3 p.m.", "10:00", "15h30", "15 Uhr", "at 3", "noon",
ranges ("10-11am", "between 2 and 4", "von 14 bis 16 Uhr") and parts of the day ("any
morning", "Dienstagnachmittag", "en la tarde").

A bare hour after "at" ("at 3") is read as office hours have it: 8 to 11 in the morning, 12 at
noon, 1 to 6 in the afternoon. "At 7" could be either, so it is a doubt, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

__all__ = ["HourPhrase", "clock_count", "hour_phrase"]

_AMPM = r"(a\.?\s?m\.?|p\.?\s?m\.?)(?![a-z])"
_CLOCK = re.compile(
    rf"(?<![\d/.:])(\d{{1,2}})(?:[:.h](\d{{2}}))?\s*{_AMPM}"  # 10am, 3:30 pm, 10.30am
    r"|(?<![\d/.:])(\d{1,2})[:h](\d{2})(?![\d/:])(?:\s*(?:uhr|h|uur|horas?|ore))?"  # 10:00, 15h30
    r"|(?<![\d/.:])(\d{1,2})\.(\d{2})\s*(?:uhr|h|uur)\b"  # 10.30 Uhr
    r"|(?<![\d/.:])(\d{1,2})\s*(?:uhr|h|uur|heures?|horas)(?![a-z])"  # 15 Uhr, 15h
    r"|\b(?:at|say|um|a las|a la|alle(?: ore)?|all'|om|as|a|kl\.?|klockan|gegen|around|ca\.?|vers"
    r"|sobre las|verso le|rond|por volta das)\s+(\d{1,2})(?:[.:](\d{2}))?(?![\d/:a-z]|\.\d)"
    r"(?!\s*(?:st|nd|rd|th|minutes|min|people|of|de|mins|person))"
)
_NOT_AFTERNOON = r"(?<!apres-)(?<!apres )"  # "après-midi" is the afternoon, not noon
_NOON = re.compile(r"\b(?:noon|midday|mittags?|12 uhr mittags|" + _NOT_AFTERNOON
                   + r"midi|mediodia|mezzogiorno"
                   r"|middag om 12|meio-dia|lunchtime|lunch)\b")
_RANGE_SEP = r"\s*(?:-|to|and|until|till|bis|a|et|e|y|tot|en|och|through|und)\s*"
_BETWEEN = re.compile(
    rf"(?:\b(?:between|zwischen|entre|tra le|fra le|tussen|mellan|von|from|de|dalle|van)\s+)?"
    rf"(?:las |les |le |as |de )?(?<![\d/.:])(\d{{1,2}})(?:[:.h](\d{{2}}))?\s*(?:uhr|h|{_AMPM})?"
    rf"{_RANGE_SEP}(?:las |les |le |as )?(\d{{1,2}})(?:[:.h](\d{{2}}))?(?![\d/])"
    rf"\s*(?:uhr|h|uur|{_AMPM})?"
)
_BETWEEN_WORD = re.compile(r"^(?:between|zwischen|entre|tra le|fra le|tussen|mellan|von|from"
                           r"|de|dalle|van)\b")
_AFTER = re.compile(r"\b(?:after|from|ab|apres|a partir de|despues de|dopo|na|depois d[ae]s?"
                    r"|efter|anytime after|any time after)\s*(?:las |les |le |as )?$")
_BEFORE = re.compile(r"\b(?:before|vor|avant|antes de|prima d(?:i|elle)|voor|fore|by|until"
                     r"|till|bis|jusqu'a|hasta|fino alle|tot|ate|till)"
                     r"\s*(?:las |les |le |as |a |om |kl\.? |um )?$")
_PARTS: tuple[tuple[str, time, time], ...] = (
    (r"morning|mornings|vormittags?|morgens|fruh|matin|matinee|(?:por|de|en) la manana"
     r"|las mananas|mattin[ao]|mattinata|ochtend|'s ochtends|(?:de|pela|na) manha|formiddag(?:en)?"
     r"|morgonen|am morgen", time(9), time(12)),
    (r"afternoon|afternoons|nachmittags?|apres-midi|(?:por|de|en|a) la tarde|(?:a|de|na|pela) tarde"
     r"|pomeriggio|'s middags|middag|eftermiddag(?:en)?", time(13), time(17)),
    (r"evening|abends?|soir|soiree|(?:por|de) la noche|sera|serata|avond|'s avonds|(?:a|de) noite"
     r"|kvall(?:en)?", time(17), time(19)),
    (r"lunch(?:time)?|mittagspause|" + _NOT_AFTERNOON
     + r"midi|mediodia|pausa pranzo|lunchpauze|almoco|lunchen",
     time(12), time(14)),
)


@dataclass(frozen=True)
class HourPhrase:
    """A time of day (``start``, and ``end`` for a window) and how confidently it was read."""

    start: time
    end: time | None = None  # a window: "10-11am", "in the morning", "after 2pm"
    doubt: str | None = None
    span: tuple[int, int] = (0, 0)


def _is_time_range(window: re.Match[str]) -> bool:
    """"2-4pm", "10:00-11:00", "14h et 16h", "between 2 and 4" are times; "5-9 November",
    "1 or 2" are not."""
    text = window.group(0)
    marked = any(window.group(i) for i in (2, 3, 5, 6)) or re.search(r"uhr|uur|h\b", text)
    return bool(marked) or _BETWEEN_WORD.match(text) is not None


def _hour(raw: str, minute: str | None, ampm: str | None) -> tuple[time | None, str | None]:
    hour = int(raw)
    mins = int(minute or 0)
    if mins > 59 or hour > 23:
        return None, None
    if ampm:
        if hour > 12 or hour == 0:
            return None, None
        pm = ampm.startswith("p")
        hour = hour % 12 + (12 if pm else 0)
        return time(hour, mins), None
    return time(hour, mins), None


def _office_hour(raw: str, minute: str | None) -> tuple[time | None, str | None]:
    """A bare hour ("at 3") read as office hours: 8-11 morning, 12 noon, 1-6 afternoon."""
    hour, mins = int(raw), int(minute or 0)
    if hour > 23 or mins > 59:
        return None, None
    if hour >= 13 or hour == 0:
        return time(hour, mins), None
    if 8 <= hour <= 12:
        return time(hour, mins), None
    if 1 <= hour <= 6:
        return time(hour + 12, mins), None
    return None, f"at {hour} could be morning or evening"


def _clock_hour(raw: str, minute: str) -> tuple[time | None, str | None]:
    """"15:30" is read as written; "3:30" is 15:30 (nobody meets at 3:30 at night); "7:30"
    could be either, a doubt."""
    hour = int(raw)
    if hour >= 13 or 8 <= hour <= 12:
        return _hour(raw, minute, None)
    if 1 <= hour <= 6:
        return time(hour + 12, int(minute)) if int(minute) < 60 else None, None
    return None, f"{raw}:{minute} could be morning or evening"


def clock_count(plain: str) -> int:
    """How many different clock times a clause writes outside a range ("at 10:30 ... so 10"
    is two; "10-11am" is one)."""
    window = next((w for w in _BETWEEN.finditer(plain) if _is_time_range(w)), None)
    rest = plain if window is None else plain[: window.start()] + " " + plain[window.end() :]
    return len({m.group(0).strip() for m in _CLOCK.finditer(rest)}) + (window is not None)


def hour_phrase(plain: str) -> HourPhrase | None:
    """The time of day a normalized clause names, or None."""
    window = next((w for w in _BETWEEN.finditer(plain) if _is_time_range(w)), None)
    if window:
        end_ampm = window[6]
        start, _ = _hour(window[1], window[2], window[3] or end_ampm)
        end, _ = _hour(window[4], window[5], end_ampm)
        if end_ampm is None and not window[3]:
            start, _ = _office_hour(window[1], window[2])
            end, _ = _office_hour(window[4], window[5])
        if start is not None and end is not None and end > start:
            return HourPhrase(start, end, span=window.span())
    clock = _CLOCK.search(plain)
    if clock:
        g = clock.groups()
        if g[0]:
            found, doubt = _hour(g[0], g[1], g[2])
        elif g[3]:
            found, doubt = _clock_hour(g[3], g[4])
        elif g[5]:
            found, doubt = _hour(g[5], g[6], None)
        elif g[7]:
            found, doubt = _office_hour(g[7], None) if int(g[7]) <= 12 else _hour(g[7], None, None)
        else:
            found, doubt = _office_hour(g[8], g[9])
        if found is None and doubt is None:
            return None
        if found is None:
            return HourPhrase(time(0), doubt=doubt, span=clock.span())
        before = plain[: clock.start()]
        if _AFTER.search(before):
            return HourPhrase(found, max(found, time(18)), doubt=doubt, span=clock.span())
        if _BEFORE.search(before):
            return HourPhrase(min(found, time(9)), found, doubt=doubt, span=clock.span())
        return HourPhrase(found, doubt=doubt, span=clock.span())
    noon = _NOON.search(plain)
    if noon and not noon[0].startswith("lunch"):
        return HourPhrase(time(12), span=noon.span())
    for pattern, start, end in _PARTS:
        part = re.search(rf"(?:\b|(?<=[a-z]))(?:{pattern})\b", plain)
        if part:
            return HourPhrase(start, end, span=part.span())
    return None
