"""Recording a contact's answer to an invite on its meeting, however it arrived: an iTIP REPLY
in the mail (:mod:`outreach.services.sync.record`) or their response on the user's calendar
event (:mod:`outreach.services.meetings.calendar_answers`).

An emailed answer applies only to the meeting it answers (:func:`match_reply`):

- **By UID.** When its calendar part can be read, the REPLY's UID must be one of the contact's
  meetings; a REPLY with another UID, or none, answers some other invite (theirs, a colleague's,
  a webinar's), so it is not applied to the booked meeting and is kept as an ordinary reply to
  read. Without a readable calendar part (Gmail metadata: the subject only), it answers the
  contact's latest meeting.
- **By SEQUENCE.** An answer to an older version of the invite (a lower SEQUENCE; a missing
  SEQUENCE is 0, as RFC 5545 says) never undoes what the newer version stands at, nor does an
  answer older than the one already recorded.
- **From the contact.** An answer sent from another address in the thread (an assistant
  accepting for their own calendar) is recorded, never applied as the contact's.

A decline means the meeting will not be held (no thank-you; ``due`` proposes new times); an
accept or a tentative after a decline means they changed their mind, and the meeting stands
again. Runs inside the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from outreach.contacts.model import Contact
from outreach.store import Store
from outreach.store.meetings import MeetingRow

__all__ = ["ANSWERS", "ReplyMatch", "apply_match", "calendar_part_read", "match_reply",
           "record_answer"]

ANSWERS = ("accepted", "declined", "tentative")


def record_answer(store: Store, meeting: MeetingRow, answer: str, at: str, now: str) -> None:
    """Set the meeting's answer (one of :data:`ANSWERS`) given at ``at``, and its state."""
    if answer not in ANSWERS:
        raise ValueError(f"not an answer to an invite: {answer!r}")
    changes: dict[str, object] = {"rsvp": answer, "rsvp_at": at}
    if answer == "declined" and meeting.state == "scheduled":
        changes["state"] = "declined"
    elif answer != "declined" and meeting.state == "declined":
        changes["state"] = "scheduled"  # they changed their mind
    store.meetings.update(meeting.id, now, **changes)


def calendar_part_read(calendar: str | None) -> bool:
    """Whether a message's calendar part was there to read as an iTIP REPLY (then its UID,
    or the lack of one, says which invite it answers)."""
    if not calendar:
        return False
    return any(
        line.strip().upper().replace(" ", "") == "METHOD:REPLY" for line in calendar.splitlines()
    )


@dataclass(frozen=True)
class ReplyMatch:
    """Which of the contact's meetings an emailed answer is about, and what to do with it."""

    ours: bool  # it answers one of the contact's invites (else: an ordinary reply to read)
    text: str  # what sync says about it
    meeting: MeetingRow | None = None  # the meeting to record the answer on (None: do not)
    answer: str = ""


def match_reply(
    store: Store,
    contact: Contact,
    *,
    answer: str,
    uid: str | None,
    sequence: int | None,
    calendar_read: bool,
    sender: str,
    occurred_at: str,
) -> ReplyMatch:
    """The meeting an emailed iTIP answer applies to, if any (see the module docstring)."""
    meetings = store.meetings.for_contact(contact.id)
    meeting: MeetingRow | None
    if calendar_read:
        wanted = (uid or "").strip()
        meeting = next((m for m in meetings if wanted and m.uid == wanted), None)
        if meeting is None:
            which = f"UID {wanted}" if wanted else "no UID"
            return ReplyMatch(
                False,
                f"an answer ({answer}) to an invite that is not your meeting's ({which}): "
                "read it",
            )
        sequence = 0 if sequence is None else sequence
    else:
        meeting = store.meetings.latest(contact.id)
    said = "answered the invite" + ("" if answer == "unknown" else f": {answer}")
    if answer not in ANSWERS or meeting is None or meeting.state not in ("scheduled", "declined"):
        return ReplyMatch(True, said)
    if contact.email and sender.casefold() != contact.email.casefold():
        return ReplyMatch(True, f"{sender} {answer} the invite (for themselves; "
                                f"{contact.label()}'s answer is theirs to give)")
    if sequence is not None:
        stale = sequence < meeting.sequence
    else:
        sent = [r.sent_at for r in store.messages.invites_for(meeting.id) if r.sent_at]
        stale = bool(sent) and occurred_at < max(sent)
    if stale:
        return ReplyMatch(
            True, f"{answer} an earlier version of the invite (the meeting has moved since)"
        )
    if meeting.rsvp_at is not None and occurred_at < meeting.rsvp_at:
        return ReplyMatch(True, f"{answer} the invite, before the answer already recorded")
    return ReplyMatch(True, f"{answer} the invite", meeting, answer)


def apply_match(store: Store, match: ReplyMatch, at: str, now: str) -> str:
    """Record a matched answer on its meeting; the text sync prints."""
    if match.meeting is not None:
        record_answer(store, match.meeting, match.answer, at, now)
    return match.text
