"""Words the reader matches, in English, German, French, Spanish, Italian, Dutch, Portuguese
and Swedish, against ``normalize_text`` output (lower case, accents removed)."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["ORDINALS", "alternation", "has", "words"]


def alternation(items: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True))


def words(pattern: str) -> re.Pattern[str]:
    """A pattern matched on word boundaries."""
    return re.compile(r"(?<![\w])(?:" + pattern + r")(?![\w])")


def has(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.search(text) is not None


# Ordinal words naming an offered slot ("the second one", "die zweite", "la deuxieme").
ORDINALS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "first 1st erste ersten erster premier premiere 1er 1re primero primera primer primo"
        " prima eerste primeiro primeira forsta",
        "second 2nd zweite zweiten zweiter deuxieme second seconde 2e 2eme segundo segunda"
        " secondo seconda tweede andra",
        "third 3rd dritte dritten dritter troisieme 3e 3eme tercero tercera tercer terzo terza"
        " derde terceiro terceira tredje",
        "fourth 4th vierte vierten vierter quatrieme 4e cuarto cuarta quarto quarta vierde"
        " fjarde",
        "fifth 5th funfte funften cinquieme quinto quinta vijfde femte",
    ),
    start=1,
):
    for _name in _names.split():
        ORDINALS.setdefault(_name, _number)

# Negation and unavailability: a clause with one of these turns a time down.
NEGATION = words(
    r"not|no|never|none|neither|nor|cannot|can't|cant|won't|wont|don't|dont|doesn't|doesnt"
    r"|isn't|isnt|aren't|wouldn't|couldn't|unable|unfortunately not|impossible|busy|booked"
    r"|travell?ing|away|out of (?:the )?office|off|conflict|clash|nicht|nie|kein|keine|keiner"
    r"|leider nicht|ne|pas|jamais|aucun|aucune|ni|nunca|ninguno|ninguna|ningun|non|nessuno"
    r"|nessuna|niet|geen|nooit|geen van|nao|nenhum|nenhuma|inte|ingen|aldrig|kann nicht"
    r"|unterwegs|verreist|occupe|occupee|ocupado|ocupada|occupato|occupata|bezet|ocupad[oa]"
    r"|upptagen|belegt"
)
