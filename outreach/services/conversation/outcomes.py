"""What the user tells outreach about a conversation that went off the script: a meeting that
did not happen, a reply they have read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from outreach.app import AppContext
from outreach.clock import iso
from outreach.contacts.model import Contact
from outreach.errors import OutreachError
from outreach.store.meetings import MeetingRow

__all__ = ["MissedResult", "mark_missed", "mark_replies_seen"]


@dataclass(frozen=True)
class MissedResult:
    contact: Contact
    meeting: MeetingRow


def mark_missed(app: AppContext, ref: str) -> MissedResult:
    """Mark the contact's booked meeting, once it has started, as missed: never thanked; new
    times are due instead."""
    store = app.store
    contact = store.contacts.get(ref)
    now = app.now()
    with store.transaction():
        meeting = store.meetings.latest(contact.id)
        label = contact.email or str(contact.id)
        if meeting is None or meeting.state not in ("scheduled", "missed"):
            state = "nothing was booked" if meeting is None else f"the meeting is {meeting.state}"
            raise OutreachError(
                f"No booked meeting with {contact.label()} to mark missed: {state}.",
                hint=f"See `outreach contacts show {label}`.",
            )
        if datetime.fromisoformat(meeting.start) > now:
            raise OutreachError(
                f"The meeting with {contact.label()} has not started yet ({meeting.start}).",
                hint=f"To call it off, `outreach cancel {label}`.",
            )
        if meeting.state == "scheduled":
            store.meetings.update(meeting.id, iso(now), state="missed")
        return MissedResult(contact, store.meetings.by_id(meeting.id))


def mark_replies_seen(app: AppContext, ref: str) -> Contact:
    """The user read the contact's replies so far: `due` stops asking to read them."""
    store = app.store
    contact = store.contacts.get(ref)
    with store.transaction():
        store.contacts.mark_replies_seen(contact.id, iso(app.now()))
    return contact
