"""Recording a contact's answer to an invite on its meeting, however it arrived: an iTIP REPLY
in the mail (:mod:`outreach.services.sync.run`) or their response on the user's calendar event
(:mod:`outreach.services.meetings.calendar_sync`).

A decline means the meeting will not be held (no thank-you; ``due`` proposes new times); an
accept or a tentative after a decline means they changed their mind, and the meeting stands
again. Runs inside the caller's transaction.
"""

from __future__ import annotations

from outreach.store import Store
from outreach.store.meetings import MeetingRow

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
