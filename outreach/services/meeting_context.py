"""What templates see as ``meeting``, built from the contact's latest meeting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach.app import AppContext
from outreach.compose.render import meeting_vars
from outreach.contacts.model import Contact
from outreach.schedule.slots import Slot
from outreach.services.availability import contact_zone_or_none


def _abbreviation(moment: datetime) -> str:
    return moment.tzname() or moment.strftime("%z")


def _day_clock(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b}, {moment:%H:%M} {_abbreviation(moment)}"


def format_span(app: AppContext, contact: Contact, start: datetime, end: datetime) -> str:
    """A time in both people's zones, e.g. "Tue 2 Dec, 10:00-10:20 EST / 15:00-15:20 GMT".

    A meeting recorded by `met` without a booking has no length: then just its start.
    """
    user_tz, contact_tz = app.config.user.zone, contact_zone_or_none(contact)
    if end > start:
        return Slot(start, end).format(user_tz, contact_tz)
    mine = _day_clock(start.astimezone(user_tz))
    if contact_tz is None or start.astimezone(contact_tz).utcoffset() == start.astimezone(
        user_tz
    ).utcoffset():
        return mine
    return f"{mine} / {_day_clock(start.astimezone(contact_tz))}"


def meeting_context(
    app: AppContext, contact: Contact, *, include_cancelled: bool = True
) -> dict[str, Any] | None:
    """The contact's latest meeting as template variables, or None when there is none (nor,
    unless ``include_cancelled``, when it did not take place: cancelled or declined)."""
    meeting = app.store.meetings.latest(contact.id)
    if meeting is None or (
        meeting.state in ("cancelled", "declined") and not include_cancelled
    ):
        return None
    start = datetime.fromisoformat(meeting.start)
    end = datetime.fromisoformat(meeting.end)
    zone = app.config.user.zone
    referrals = [
        {"name": person.name, "email": person.email or ""}
        for person in app.store.contacts.referred_by(contact.id)
    ]
    values = meeting_vars(
        start=_day_clock(start.astimezone(zone)),
        end=f"{end.astimezone(zone):%H:%M} {_abbreviation(end.astimezone(zone))}",
        when=format_span(app, contact, start, end),
        join=meeting.join_url or app.config.schedule.how_to_join,
        notes=meeting.notes,
        takeaways=meeting.takeaways,
        referrals=referrals,
    )
    values["sequence"] = meeting.sequence
    values["state"] = meeting.state
    values["rsvp"] = meeting.rsvp or ""
    return values
