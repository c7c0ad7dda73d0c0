"""The reader: a reply's own words in, a :class:`Reading` out (see the package docstring)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from outreach.track.reader.findings import (
    Finding,
    OfferedSlot,
    Reading,
    SlotPick,
)
from outreach.track.reader.intents import read_intents
from outreach.track.reader.lexicon import NEGATION
from outreach.track.reader.quotes import strip_quoted
from outreach.track.reader.returns import read_return_date
from outreach.track.reader.sentences import clauses, sentences
from outreach.track.reader.slots import earliest_free, named_slots, rejects_all
from outreach.track.returndate import normalize_text

__all__ = ["read_reply"]


def _plain(clause: str) -> str:
    return normalize_text(clause)


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
    own = strip_quoted(text)
    said = sentences(own)
    findings: list[Finding] = []
    unsure: list[str] = []
    if auto_reply:
        back = read_return_date(said, sent_at.astimezone(sender_zone or user_zone).date())
        if back is not None:
            findings.append(back)
        return Reading(tuple(findings), ())
    for sentence in said:
        for clause in clauses(sentence):
            plain = _plain(clause)
            if rejects_all(plain):
                continue
            numbers = named_slots(plain, offered)
            if numbers and NEGATION.search(plain) is None:
                pick = earliest_free(numbers, offered, sent_at)
                if pick is None:
                    unsure.append(sentence)
                else:
                    findings.append(SlotPick(pick, sentence))
    findings.extend(read_intents(said))
    return Reading(tuple(findings), tuple(unsure))
