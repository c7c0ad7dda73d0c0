"""What templates see as ``meeting``, built from the contact's latest meeting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach.app import AppContext
from outreach.compose.render import meeting_vars
from outreach.contacts.model import Contact
from outreach.schedule.slots import Slot
from outreach.services.availability import contact_zone


def format_span(app: AppContext, contact: Contact, start: datetime, end: datetime) -> str:
    """A time in both people's zones, e.g. "Tue 2 Dec, 10:00-10:20 EST / 15:00-15:20 GMT"."""
    return Slot(start, end).format(app.config.user.zone, contact_zone(contact))


def meeting_context(app: AppContext, contact: Contact) -> dict[str, Any] | None:
    """The contact's latest meeting as template variables, or None when there is none."""
    meeting = app.store.meetings.latest(contact.id)
    if meeting is None:
        return None
    start = datetime.fromisoformat(meeting.start)
    end = datetime.fromisoformat(meeting.end)
    referrals = [
        {"name": person.name, "email": person.email or ""}
        for person in app.store.contacts.referred_by(contact.id)
    ]
    when = format_span(app, contact, start, end) if end > start else start.isoformat()
    zone = app.config.user.zone
    values = meeting_vars(
        start=start.astimezone(zone).strftime("%a %-d %b, %H:%M %Z"),
        end=end.astimezone(zone).strftime("%H:%M %Z"),
        when=when,
        join=app.config.schedule.how_to_join,
        notes=meeting.notes,
        takeaways=meeting.takeaways,
        referrals=referrals,
    )
    values["sequence"] = meeting.sequence
    values["state"] = meeting.state
    return values
