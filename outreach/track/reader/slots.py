"""Which offered slot a clause names: by its number or position, or by its day and time.

"the second one", "option 2", "#2", "die zweite", "either of the first two" (the earliest
still free of those), "any of them" (the earliest still free), "the last one"; matching an
offered slot by day and time lives in :mod:`outreach.track.reader.reader`, which knows the
zones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from outreach.track.reader.findings import OfferedSlot
from outreach.track.reader.lexicon import ORDINALS, alternation, words

__all__ = ["earliest_free", "named_slots", "rejects_all"]

_ORDINAL = alternation(ORDINALS)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "zwei": 2, "drei": 3,
                 "deux": 2, "trois": 3, "dos": 2, "tres": 3, "due": 2, "tre": 3, "twee": 2,
                 "drie": 3, "dois": 2, "duas": 2, "tva": 2}
_COUNT = alternation(_NUMBER_WORDS) + r"|\d"

# "the first two", "the first 2", "die ersten beiden", "les deux premiers"
_FIRST_N = re.compile(
    rf"(?:first|ersten|primeros|primeras|primi|prime|eerste|primeiros|primeiras|forsta)\s+"
    rf"(?:({_COUNT})|beiden|both)|(?:les|os|as|de|i|le)\s+({_COUNT})\s+"
    r"(?:premiers|premieres|primeiros|primeiras|eerste|primi|prime)"
)
_EITHER = words(
    r"either(?: one| of (?:them|those|these|the \w+))?|any of (?:them|those|these|the \w+)"
    r"|any one|all (?:of them|three|of those|of these)|both(?: of them)?|whichever"
    r"|alle (?:termine|zeiten|vorschlage|optionen)|tous les creneaux|todos los horarios"
    r"|tutti gli orari|alle tijden|todos os horarios|alla tider"
    r"|beide|beiden|alle drei|jeder davon|l'un ou l'autre|n'importe lequel|tous les (?:deux|trois)"
    r"|cualquiera|ambos|ambas|todos|qualsiasi|entrambi|tutti e (?:due|tre)|allebei|alle drie"
    r"|elk van|qualquer um|ambos|todos|vilken som helst|bada|alla tre"
)
_LAST = words(r"last|latter|letzte|letzten|dernier|derniere|ultimo|ultima|laatste|sista")
_NUMBERED = re.compile(
    r"(?:option|slot|choice|number|no\.?|nr\.?|n[°o]|#|termin|vorschlag|creneau|opcion"
    r"|opzione|optie|opcao|alternativ|alternative|alternativa)\s*#?\s*(\d)\b"
)
_ORDINAL_RE = re.compile(r"(?<![\w-])(?:" + _ORDINAL + r")(?![\w-])")  # not "segunda-feira"
_ONE_OF_THEM = words(
    r"of (?:them|those|these|the (?:times|slots|options))|one|option|slot|time|termin|vorschlag"
    r"|creneau|option|opcion|horario|fecha|opzione|orario|optie|tijd|opcao|horario|alternativet"
    r"|tiden|der|die|das|le|la|el|il|lo|de|het|o|a|den|det"
)
_NONE_OF = words(
    r"none of (?:them|those|these|the (?:times|slots|options|above|proposed))|none works?"
    r"|neither(?: of them| works?| one)?|none of those work|keiner der (?:termine|vorschlage)"
    r"|keiner davon|keine der|keiner passt|aucun(?:e)? (?:de ces|des) (?:creneaux|horaires|dates)"
    r"|aucun ne|ninguno de (?:esos|estos|los)|ninguna de (?:esas|estas|las)|nessuno (?:di|dei)"
    r"|nessuna (?:di|delle)|geen van (?:deze|die|de)|nenhum (?:desses|destes|dos)"
    r"|nenhuma (?:dessas|destas|das)|ingen av (?:dem|dessa|tiderna)"
)


# A slot named by its bare number at the start of a clause: "2 works", "1 or 2 both fine".
_BARE = re.compile(
    r"^\W*(?:(?:option|number|nr|no|#)\s*)?([1-9])(?:\s*(?:or|and|,|/|oder|und|ou|et|o|y|e|of"
    r"|en|eller|och)\s*([1-9]))?(?=[\s.!,?]|$)(?!\s*(?:am|pm|h\b|uhr|uur|:|\.\d|st\b|nd\b"
    r"|rd\b|th\b|minutes?|mins?|hours?|weeks?|days?|people|o'clock|horas?|ore|tim))"
)


def rejects_all(clause: str) -> bool:
    """True for "none of those work", "keiner der Termine passt", ..."""
    return _NONE_OF.search(clause) is not None


def named_slots(clause: str, offered: Sequence[OfferedSlot]) -> tuple[int, ...]:
    """The numbers of the offered slots a normalized clause names by position, best first."""
    numbers = [slot.number for slot in offered]
    if not numbers:
        return ()
    first_n = _FIRST_N.search(clause)
    if first_n:
        raw = first_n.group(1) or first_n.group(2)
        count = 2 if raw is None else _NUMBER_WORDS.get(raw) or int(raw)
        return tuple(numbers[:count])
    bare = _BARE.match(clause)
    if bare:
        named = tuple(int(g) for g in bare.groups() if g and int(g) in numbers)
        if named:
            return named
    numbered = _NUMBERED.search(clause)
    if numbered and int(numbered.group(1)) in numbers:
        return (int(numbered.group(1)),)
    for match in _ORDINAL_RE.finditer(clause):
        after = clause[match.end() : match.end() + 25]
        before = clause[max(0, match.start() - 12) : match.start()]
        if re.match(r"\s*(?:of|de|du|del|di|van|av)?\s*(?:" + _ORDINAL + r"|week|month)", after):
            continue  # "the first of December", "first week"
        if _ONE_OF_THEM.search(after[:14]) or _ONE_OF_THEM.search(before) or not after.strip():
            number = ORDINALS[match.group(0)]
            if number in numbers:
                return (number,)
    if _LAST.search(clause) and (_ONE_OF_THEM.search(clause)):
        return (numbers[-1],)
    if _EITHER.search(clause) and re.search(
        r"\b(?:of (?:them|those|these|the)|works?|fine|good|is ok|passt|passen|gehen|geht|va"
        r"|me va|vont|conviennent|van bien|vanno bene|passam|funcionam|passar|fungerar"
        r"|vale|funziona|vanno|past|werkt|serve|funciona|passar|fungerar|funkar)\b",
        clause,
    ):
        return tuple(numbers)
    return ()


def earliest_free(
    numbers: Sequence[int], offered: Sequence[OfferedSlot], sent_at: datetime
) -> int | None:
    """Of the named slots, the earliest that had not started when the reply was sent."""
    free = [s for s in offered if s.number in numbers and s.start > sent_at]
    return min(free, key=lambda s: s.start).number if free else None
