"""Answers to invites (iTIP ``METHOD:REPLY``, RFC 5546): accepted, declined or tentative.

Pure: a :class:`~outreach.track.meta.MessageMeta` in, the answer out. Read, best first:

1. the ``text/calendar`` part, when the body could be read: ``METHOD:REPLY``, the attendee's
   ``PARTSTAT``, and the ``UID`` and ``SEQUENCE`` it answers;
2. the subject prefix the attendee's calendar writes (Google Calendar, Outlook, Apple Calendar,
   Thunderbird), in English, German, French and Spanish: "Accepted: ...", "Angenommen: ...",
   "Refusé : ...", "Aceptado provisionalmente: ...";
3. a top-level ``text/calendar; method=REPLY`` Content-Type: an answer, but which one is
   "unknown" (it changes no meeting).
"""

from __future__ import annotations

import contextlib
import re

from outreach.track.meta import MessageMeta
from outreach.track.returndate import normalize_text

__all__ = ["itip_answer"]

# Subject prefixes calendars write on an attendee's answer, matched against normalize_text()
# output (lower case, accents removed). Tentative first: "accepte provisoirement" starts like
# an acceptance.
_RSVP_SUBJECTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (answer, re.compile(r"^\s*(?:" + pattern + r")\s*:"))
    for answer, pattern in (
        (
            "tentative",
            r"tentative|tentatively accepted|accepted tentatively|tentativ(?:e)? angenommen"
            r"|vorlaufig(?: angenommen)?|mit vorbehalt(?: angenommen)?|provisoire"
            r"|accepte(?:e)? provisoirement|provisional|aceptad[oa] provisionalmente"
            r"|aceptad[oa] (?:de forma|como) provisional",
        ),
        (
            "accepted",
            r"(?:invitation |invite )?accepted|accepte(?:e)?|invitation acceptee|angenommen"
            r"|einladung angenommen|zugesagt|aceptad[oa]|invitacion aceptada",
        ),
        (
            "declined",
            r"(?:invitation |invite )?declined|refuse(?:e)?|invitation refusee|decline(?:e)?"
            r"|abgelehnt|einladung abgelehnt|abgesagt|rechazad[oa]|invitacion rechazada",
        ),
    )
)
_PARTSTATS = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative"}


def _unfold(text: str) -> list[str]:
    return re.sub(r"\r?\n[ \t]", "", text).splitlines()


def _parse_reply(calendar: str) -> tuple[str, str | None, int | None] | None:
    """(answer, UID, SEQUENCE) of an iTIP REPLY, or None when it is not one."""
    lines = _unfold(calendar)
    if not any(line.strip().upper() == "METHOD:REPLY" for line in lines):
        return None
    uid: str | None = None
    sequence: int | None = None
    answer: str | None = None
    for line in lines:
        name, _, value = line.partition(":")
        key = name.split(";", 1)[0].strip().upper()
        if key == "UID" and uid is None:
            uid = value.strip()
        elif key == "SEQUENCE" and sequence is None:
            with contextlib.suppress(ValueError):
                sequence = int(value.strip())
        elif key == "ATTENDEE" and answer is None:
            found = re.search(r"PARTSTAT=\"?([A-Z-]+)", name.upper())
            if found:
                answer = _PARTSTATS.get(found.group(1))
    return None if answer is None else (answer, uid, sequence)


def itip_answer(meta: MessageMeta) -> tuple[str, str | None, int | None, str] | None:
    """(answer, UID, SEQUENCE, how it was recognised) when the message answers an invite."""
    if meta.calendar:
        parsed = _parse_reply(meta.calendar)
        if parsed is not None:
            return (*parsed, "its calendar part")
    subject = normalize_text(meta.subject)
    for answer, pattern in _RSVP_SUBJECTS:
        if pattern.match(subject):
            return answer, None, None, "its subject"
    content_type = (meta.header("Content-Type") or "").lower()
    declares_reply = re.search(r"method\s*=\s*\"?reply", content_type) is not None
    if content_type.startswith("text/calendar") and declares_reply:
        return "unknown", None, None, "a calendar reply whose answer cannot be read"
    return None
