"""The user's own notes beside a meeting on their Google Calendar (a prep brief).

The notes go into a companion event at the same time, with no guests, ``visibility:
private`` and shown as free (``transparency: transparent``), which
:mod:`outreach.services.meetings.calendar_sync` moves and removes with the meeting. Who can see
it, said truthfully (:data:`WHO_SEES`): Google shows a private event's details only to its
attendees (none) and to people with "Make changes to events" access or more to the calendar;
people who see the calendar's details or only its free/busy (a shared or public calendar) do
not see a private event, and one shown as free does not even mark the time busy (Calendar Help,
"What are private and public events?"; campus guides of the sharing levels).
"""

from __future__ import annotations

from typing import Any

from outreach.app import AppContext
from outreach.schedule.calendar_protocol import CalendarFailure, CalendarNotAllowed, is_cancelled
from outreach.services.meetings.calendar_sync import brief_times, gmail_backend, save, scope_note
from outreach.store.meetings import MeetingRow

__all__ = ["WHO_SEES", "set_private_brief"]

WHO_SEES = (
    "private and shown as free: you, and anyone you let make changes to your calendar, can "
    "open it; people you share it with otherwise, or a public calendar's visitors, do not see it"
)


def _brief_uid(meeting: MeetingRow) -> str:
    return f"prep-{meeting.uid}"


def set_private_brief(app: AppContext, meeting: MeetingRow, text: str) -> str:
    """Put ``text`` (say, a prep brief for the call) on the user's Google Calendar, in a
    private companion event ("Prep: <name>", :data:`WHO_SEES`); "" when done, else a note
    saying why not. It moves and goes with the meeting. Calling
    again replaces the text; an empty ``text`` removes the companion. Idempotent: a re-run
    finds the companion by its iCalUID instead of making a second one.
    """
    if not gmail_backend(app):
        return "Notes on the calendar need the Gmail backend."
    if meeting.state != "scheduled":
        return f"The meeting is {meeting.state}: nothing to add notes to."
    contact = app.store.contacts.get(meeting.contact_id)
    calendar = app.calendar()
    try:
        event_id = meeting.brief_event_id
        if not text.strip():
            if event_id:
                calendar.delete(event_id)
            save(app, meeting, brief_event_id=None)
            return ""
        body: dict[str, Any] = {
            "summary": f"Prep: {contact.name}",
            "description": text,
            **brief_times(app, meeting),
            "transparency": "transparent",
            "visibility": "private",
            "extendedProperties": {"private": {"outreachBriefFor": meeting.uid}},
        }
        event = calendar.patch(event_id, body, conference=False) if event_id else None
        if event is None:
            event = calendar.insert({"iCalUID": _brief_uid(meeting), **body}, conference=False)
        if event is None:  # made before: its answer was lost
            found = calendar.find(_brief_uid(meeting))
            if found is None or is_cancelled(found):
                return "The notes' event was deleted from your Google Calendar by hand."
            event = calendar.patch(str(found["id"]), body, conference=False)
        if event is None:
            return "The notes' event was deleted from your Google Calendar by hand."
    except CalendarNotAllowed:
        return scope_note(app) or "Your Google token does not allow calendar access."
    except CalendarFailure as exc:
        return exc.message
    save(app, meeting, brief_event_id=str(event["id"]))
    return ""
