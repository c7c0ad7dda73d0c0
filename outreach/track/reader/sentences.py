"""Split the writer's own words into sentences, each kept as written (it is the evidence)."""

from __future__ import annotations

import re

__all__ = ["EXCEPT", "clauses", "sentences"]

_WRAP_WIDTH = 60  # a line at least this long without end punctuation was wrapped by the client
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:[a-z]\.[a-z]|mr|mrs|ms|dr|prof|st|e\.g|i\.e|etc|approx|vs|jan|feb|mar|apr|jun"
    r"|jul|aug|sep|sept|oct|nov|dec|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|no|nr|ca"
    r"|bzw|z\.b|u\.a|sr|sra|sig|dhr|mevr|sres)|\d)\.$",
    re.IGNORECASE,
)
_END = re.compile(r"(?<=[.!?…])\s+(?=[\"'(¿¡]?[A-ZÄÖÜÉÈÀÂÎÔÑÇÅ0-9])")
_BUT = re.compile(
    r"[,;]?\s+\b(?:but|however|though|although|whereas|aber|jedoch|doch|mais|cependant|pero"
    r"|sin embargo|ma|però|tuttavia|maar|echter|mas|porém|men|dock)\b\s*,?\s*",
    re.IGNORECASE,
)


def _paragraph_lines(text: str) -> list[str]:
    """Lines joined where the client wrapped them; short lines and punctuated ends stay."""
    out: list[str] = []
    carry = ""
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            if carry:
                out.append(carry)
                carry = ""
            continue
        carry = f"{carry} {line}" if carry else line
        if len(raw) < _WRAP_WIDTH or re.search(r"[.!?:;]$", line):
            out.append(carry)
            carry = ""
    if carry:
        out.append(carry)
    return out


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` in order; greetings stay attached to what follows them."""
    found: list[str] = []
    for line in _paragraph_lines(text):
        start = 0
        for match in _END.finditer(line):
            piece = line[start : match.start()]
            if _ABBREVIATIONS.search(piece):
                continue
            found.append(piece.strip())
            start = match.end()
        found.append(line[start:].strip())
    return [s for s in found if s]


# "Any of these is fine except Thursday": what follows "except" is turned down.
EXCEPT = re.compile(
    r"^\W*(?:except|apart from|other than|but not|ausser|außer|sauf|excepto|salvo|menos|tranne"
    r"|eccetto|tranne che|behalve|exceto|fora|utom|förutom|forutom)\b",
    re.IGNORECASE,
)
_EXCEPT_SPLIT = re.compile(
    r"[,;]?\s+(?=(?:except|apart from|other than|ausser|außer|sauf|excepto|salvo|tranne|eccetto"
    r"|behalve|exceto|utom|förutom)\b)",
    re.IGNORECASE,
)


def clauses(sentence: str) -> list[str]:
    """A sentence cut at "but" and its kin ("Thursday doesn't work but Friday does") and
    before "except" ("all three work except Friday")."""
    parts = [p for c in _BUT.split(sentence) for p in _EXCEPT_SPLIT.split(c)]
    return [p for p in parts if p.strip()]
