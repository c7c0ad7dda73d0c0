"""The first line of a reply worth showing in `due`: its own words, past the greeting."""

from __future__ import annotations

import re

from outreach.track.meta import own_words

FIRST_LINE_CHARS = 120
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|hallo|bonjour|hola|ciao|hej)"
    r"\b[^.!?]{0,40}[,!:]?$",
    re.IGNORECASE,
)


def first_line(written: str) -> str:
    """The first line of the writer's own text that is not a greeting ("" when none)."""
    for raw in written.splitlines():
        line = own_words(raw)
        if not line or line.startswith(">"):
            continue
        if own_words(written).find(line) < 0:
            break  # past the writer's own words (the quoted original starts here)
        if _GREETING.match(line):
            continue
        return line if len(line) <= FIRST_LINE_CHARS else line[: FIRST_LINE_CHARS - 1] + "…"
    return ""
