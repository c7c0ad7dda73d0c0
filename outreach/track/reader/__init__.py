"""The reply reader: what a reply says, read offline by rules, each finding with its sentence.

Pure (values in, values out; no I/O, no clock, no model). :func:`read_reply` takes the reply's
text, when it was sent (``sent_at``: the reference for "next Tuesday", "tomorrow" and for
which offered slots are still free), the sender's zone when known, the user's zone and the
slots we offered, and returns a :class:`Reading`. Rules, not a model, so that every finding
can show the sentence it came from and nothing leaves the machine:

1. :mod:`.quotes` cuts the text to the writer's own words (quoted history, Outlook header
   blocks, mobile footers, signatures after a closing) as Gmail, Outlook and Apple Mail lay
   them out, in English, German, French, Spanish, Italian, Dutch, Portuguese and Swedish;
2. :mod:`.sentences` splits them into sentences (the evidence) and :mod:`.clause` into
   clauses ("..., but ...", "except ..."), each with its days, times and polarity; the
   clauses that turn something down are read first, for the whole reply, so a slot turned
   down anywhere is never picked;
3. per clause, :mod:`.slots` finds a slot named by position ("the second one", "either of the
   first two": the earliest still free), and :mod:`.days`, :mod:`.hours` and :mod:`.zones`
   read day, time and zone phrases, which either match an offered slot (a pick) or are a
   time or range of their own (a proposal), resolved in the zone the writer states, else the
   sender's known zone, else the user's zone marked ``zone_assumed``. A clause that turns
   times down ("none of those work", "Thursday doesn't work") never yields a pick; several
   picks are one (the earliest, unless a later one corrects it); a window holding a time
   proposed beside it gives way to the time;
4. :mod:`.intents` reads a no, a deferral (and until when), and :mod:`.people` handoffs and
   referrals, with or without an address;
5. for auto-replies, :mod:`.returns` reads the return date (see
   :mod:`outreach.track.returndate`).

Whatever looks like a time but cannot be read with confidence (a weekday that does not match
the date written beside it, a bare "at 7", "next Thursday" said on a Wednesday, "11/12" in
English, two offered slots on the day named, a sentence read as both a pick and another time
that day) goes to ``Reading.unsure`` with its sentence rather than into a finding.

Measured on the corpus in ``tests/data/replies`` (``bench/bench_reader.py``; figures, and
those on batches written after the rules, in ``bench/README.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from outreach.track.reader.findings import (
    Decline,
    Deferral,
    Finding,
    Handoff,
    OfferedSlot,
    ProposedRange,
    ProposedTime,
    Reading,
    Referral,
    ReturnDate,
    SlotPick,
    TimesWanted,
)
from outreach.track.reader.jsonio import reading_from_json, reading_to_json

if TYPE_CHECKING:
    from outreach.track.reader.quotes import strip_quoted
    from outreach.track.reader.reader import read_reply


def __getattr__(name: str) -> Any:
    """The reader itself loads on first use: compiling its patterns (~80 ms) is no cost of
    the commands that only read what it found (``status``, ``due``, ``contacts list``)."""
    if name == "read_reply":
        from outreach.track.reader.reader import read_reply

        return read_reply
    if name == "strip_quoted":
        from outreach.track.reader.quotes import strip_quoted

        return strip_quoted
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "Decline",
    "Deferral",
    "Finding",
    "Handoff",
    "OfferedSlot",
    "ProposedRange",
    "ProposedTime",
    "Reading",
    "Referral",
    "ReturnDate",
    "SlotPick",
    "TimesWanted",
    "read_reply",
    "reading_from_json",
    "reading_to_json",
    "strip_quoted",
]
