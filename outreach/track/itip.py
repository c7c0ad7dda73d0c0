"""Answers to invites (iTIP ``METHOD:REPLY``, RFC 5546): accepted, declined or tentative.

Pure: a :class:`~outreach.track.meta.MessageMeta` in, the answer out. Read, best first:

1. the ``text/calendar`` part, when the body could be read: ``METHOD:REPLY``, the attendee's
   ``PARTSTAT``, and the ``UID`` and ``SEQUENCE`` it answers;
2. the subject prefix the attendee's calendar writes (Google Calendar, Outlook and Exchange,
   Apple Calendar, Thunderbird and the old Lightning compatible reply), in English, German,
   French, Spanish, Italian, Dutch, Portuguese and Swedish: "Accepted: ...", "Angenommen:
   ...", "Refusé : ...", "Einladung abgelehnt: ...", "Proposée : ...", "Event Invitation
   Reply (Accepted): ..."; Thunderbird's answer-less "Einladungsantwort: ..." is an answer
   whose kind is "unknown";
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
# output (lower case, accents removed, no-break spaces made plain: French Outlook writes
# "Accepté\u00a0: ..."). Where each comes from is cited in tests/test_rsvp_clients.py:
# Google Calendar, Outlook and Exchange ("Accepted:", "Angenommen:", "Mit Vorbehalt
# angenommen:", "Refusé :"), Apple Calendar ("Invitation Accepted:"), Thunderbird in each
# language (its calendar-itip.ftl: "Akzeptiert:", "Einladung abgelehnt:", "Vorläufig:",
# "Acceptée :", "Proposée :", "Invitación declinada:", "Da confermare:", "Geaccepteerd:",
# "Aceite:", ...) and the old Lightning compatible reply ("Event Invitation Reply
# (Accepted): ..."). Tentative first: "accepte provisoirement" starts like an acceptance.
_TENTATIVE = (
    r"tentative|tentatively accepted|accepted tentatively"
    r"|tentativ(?:e)? angenommen|vorlaufig(?: angenommen)?|mit vorbehalt(?: angenommen)?"
    r"|provisoire|accepte(?:e)? provisoirement|proposee|provisional|provisorio|provisoria"
    r"|aceptad[oa] provisionalmente|aceptad[oa] (?:de forma|como) provisional|tentativ[oa]"
    r"|da confermare|provvisori[oa]|accettat[oa] provvisoriamente|voorlopig(?: geaccepteerd)?"
    r"|aceit[oea] provisoriamente|preliminart|preliminar"
)
_ACCEPTED = (
    r"(?:invitation |invite )?accepted|accepte(?:e)?|invitation acceptee|angenommen"
    r"|einladung angenommen|akzeptiert|zugesagt|aceptad[oa]|invitacion aceptada"
    r"|accettat[oa]|invito accettato|geaccepteerd|uitnodiging geaccepteerd|aceit[oea]"
    r"|convite aceit[oe]|accepterat|accepterad"
)
_DECLINED = (
    r"(?:invitation |invite )?declined|refuse(?:e)?|invitation refusee|decline(?:e)?"
    r"|abgelehnt|einladung abgelehnt|abgesagt|rechazad[oa]|invitacion rechazada"
    r"|invitacion declinada|declinad[oa]|rifiutat[oa]|invito rifiutato|declinat[oa]"
    r"|geweigerd|uitnodiging geweigerd|afgewezen|afgeslagen|recusad[oa]|convite recusado"
    r"|avbojt|avbojd|tackat nej"
)
# Thunderbird's subject when it names no answer ("Invitation Reply:", "Einladungsantwort:"):
# an answer, which one only its calendar part says.
_GENERIC = (
    r"invitation reply|event invitation reply|einladungsantwort|reponse a l'invitation"
    r"|respuesta a (?:la )?invitacion|respuesta de la invitacion|risposta all'invito"
    r"|antwoord op uitnodiging|resposta ao convite|svar pa inbjudan"
)
# An answer sent with a comment: "Declined with note: ...", "Abgelehnt mit Notiz: ...".
_NOTE = r"(?:\s+(?:with (?:a )?(?:note|comment)|mit (?:notiz|kommentar)|avec (?:une )?note))?"
_RSVP_SUBJECTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # the old Lightning compatible reply: "Event Invitation Reply (Accepted): ..."
    ("tentative", re.compile(rf"^\s*(?:{_GENERIC})\s*\((?:{_TENTATIVE})\)\s*:")),
    ("accepted", re.compile(rf"^\s*(?:{_GENERIC})\s*\((?:{_ACCEPTED})\)\s*:")),
    ("declined", re.compile(rf"^\s*(?:{_GENERIC})\s*\((?:{_DECLINED})\)\s*:")),
    ("tentative", re.compile(rf"^\s*(?:{_TENTATIVE}){_NOTE}\s*:")),
    ("accepted", re.compile(rf"^\s*(?:{_ACCEPTED}){_NOTE}\s*:")),
    ("declined", re.compile(rf"^\s*(?:{_DECLINED}){_NOTE}\s*:")),
    ("unknown", re.compile(rf"^\s*(?:{_GENERIC})\s*:")),
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
