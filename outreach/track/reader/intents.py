"""What a reply does to the conversation as a whole: a no, or a wait (with until when)."""

from __future__ import annotations

from collections.abc import Sequence

from outreach.track.reader.findings import Decline, Finding
from outreach.track.reader.lexicon import words
from outreach.track.returndate import normalize_text

__all__ = ["read_intents"]

_DECLINE = words(
    r"not a good time(?: for me)?|(?:i'm|i am|im) not able to help"
    r"|(?:can't|cannot|won't be able to) help|not interested"
    r"|(?:i'll|i will|i have to|i'll have to|going to|must) (?:pass|decline)"
    r"|no longer (?:able|available)|don't have (?:the )?(?:time|capacity|bandwidth)"
    r"|too busy|keine zeit|leider (?:nicht|keine)|kein interesse|pas le temps|pas disponible"
    r"|je (?:ne pourrai|ne peux) pas|no (?:tengo|dispongo de) tiempo|no puedo ayudar"
    r"|non (?:ho tempo|posso aiutar\w*)|geen tijd|kan (?:je|u) niet helpen|nao (?:tenho tempo"
    r"|posso ajudar)|har tyvarr inte tid|kan tyvarr inte"
)


def read_intents(said: Sequence[str]) -> list[Finding]:
    """Declines and deferrals, one per sentence that states one."""
    found: list[Finding] = []
    for sentence in said:
        plain = normalize_text(sentence)
        if _DECLINE.search(plain):
            found.append(Decline(sentence))
    return found
