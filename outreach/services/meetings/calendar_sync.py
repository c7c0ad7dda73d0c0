"""The meeting on the user's own Google Calendar, in step with its invite, and the contact's
answers read back from it (Gmail backend only).

- **When.** The event is made when the meeting is booked, so the time is blocked at once; it
  moves when the meeting moves and goes when it is cancelled (also when no invite had been
  sent yet). It carries the invite's UID, start and end, and is written with
  ``sendUpdates="none"``: the contact's invite is the tool's own, in the thread.
- **Nobody is a guest.** The event has no attendees, ever, and no write of the tool touches
  its attendees: the one invitation the contact (and anyone copied) gets is the tool's own, in
  the thread. A guest of a Google Calendar event may get Google's own invitation on top of it
  (``events.insert``: with ``sendUpdates="none"`` "some emails might still be sent"; a guest
  whose calendar adds invitations from known senders sees the event appear at once, with
  Google's SEQUENCE, not the invite's), so only the tool's invites carry the meeting to them.
  A guest someone else put on the event (the user, by hand) keeps their answer: it is read
  (:mod:`outreach.services.meetings.calendar_answers`), never overwritten.
- **Idempotent.** ``meetings.calendar_synced`` says what the event was last made to say; a
  step whose event already says it makes no call. A lost answer to an insert is found again by
  its iCalUID (Google answers a second insert with 409), so a re-run never makes a second
  event. What could not be done (Google unreachable, access missing) is caught up by the next
  ``sync``.
- **Video.** With a Meet link asked for (``book --video``, or ``[schedule] meet_link``), the
  event is made with ``conferenceData.createRequest``; the link is stored on the meeting before
  the invite is drafted, and goes into the invite, its ``.ics`` and the confirmation.
- **No access.** A token without the ``calendar.events`` scope books by email as before; the
  user is told once how to add the calendar (``outreach auth login`` again).
- **Answers** are read back by ``sync`` (:mod:`outreach.services.meetings.calendar_answers`);
private
  notes beside the meeting are :mod:`outreach.services.meetings.calendar_brief`.
- **Busy once.** Google's free/busy reports the tool's own events, and the store reports its
  scheduled meetings: :func:`counted_by_calendar` lets availability count each one once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from outreach.app import AppContext
from outreach.clock import iso
from outreach.contacts.model import Contact
from outreach.errors import ScheduleError
from outreach.schedule.calendar_protocol import (
    CalendarFailure,
    CalendarNotAllowed,
    EventCalendar,
    conference_request_id,
    event_times,
    is_cancelled,
    meet_link,
)
from outreach.schedule.intervals import Interval
from outreach.store.calendar import ABSENT, FREE, REMOVED
from outreach.store.meetings import MeetingRow

__all__ = [
    "SCOPE_NOTE",
    "CalendarStep",
    "MeetingRow",
    "calendar_line",
    "counted_by_calendar",
    "keep_in_step",
    "scope_note",
]

SCOPE_NOTE = (
    "Your Google token does not allow outreach to put meetings on your Google Calendar (it "
    "lacks the calendar.events scope), so meetings are booked by email only. To have them on "
    "your calendar, kept in step, with the contact's answers read back, run `outreach auth "
    "login` again and allow calendar access. (This note is shown once.)"
)


def calendar_line(meeting: MeetingRow) -> str | None:
    """Where the meeting stands on the user's Google Calendar, in words (None: not there)."""
    if not meeting.calendar_event_id:
        return None
    if meeting.calendar_synced == ABSENT:
        return "Removed from your Google Calendar."
    if meeting.calendar_synced == f"{meeting.start}|{meeting.end}":
        link = f", with a Google Meet link: {meeting.join_url}" if meeting.join_url else ""
        return f"On your Google Calendar{link}."
    return None


@dataclass
class CalendarStep:
    """What keeping one meeting's event in step did."""

    meeting: MeetingRow
    note: str = ""  # something the user should read (said once, or a warning)
    requests: int = 0
    trouble: bool = False  # the calendar could not be reached or written: try again later


def gmail_backend(app: AppContext) -> bool:
    """Whether the workspace has a calendar to keep: Google's (Gmail) or Outlook's
    (Microsoft; see :mod:`outreach.microsoft.calendar` for why its events have no
    attendees)."""
    return app.mail_kind().has_calendar


def _wanted(meeting: MeetingRow) -> str | None:
    """What the meeting's event should say: its time; its time shown free (declined: the
    event keeps their answer, and comes back if they change their mind); absent
    (cancelled); or None: leave it alone (held, or declined before it was ever there)."""
    times = f"{meeting.start}|{meeting.end}"
    if meeting.state == "scheduled":
        return times
    if meeting.state == "declined" and meeting.calendar_event_id:
        return times + FREE
    if meeting.state == "cancelled":
        return ABSENT
    return None


def scope_note(app: AppContext) -> str:
    """The note that the calendar cannot be written, the first time only."""
    store = app.store
    account = app.config.user.email
    if store.calendar.get(account).scope_note_at is not None:
        return ""
    with store.transaction():
        store.calendar.set_scope_note(account, iso(app.now()))
    return SCOPE_NOTE


def _calendar_works(app: AppContext) -> None:
    store = app.store
    account = app.config.user.email
    if store.calendar.get(account).scope_note_at is not None:
        with store.transaction():
            store.calendar.set_scope_note(account, None)


# --- the event's content ----------------------------------------------------------------


def _when(app: AppContext, moment: str) -> dict[str, str]:
    zone = app.config.user.zone
    return {
        "dateTime": datetime.fromisoformat(moment).astimezone(zone).isoformat(),
        "timeZone": app.config.user.timezone,
    }


def _summary(app: AppContext, contact: Contact) -> str:
    return f"Informational conversation, {app.config.user.name} / {contact.name}"


def _description(app: AppContext, contact: Contact, meeting: MeetingRow) -> str:
    org = f" ({contact.org})" if contact.org else ""
    text = (
        f"A {app.config.schedule.meeting_minutes}-minute informational conversation between "
        f"{app.config.user.name} and {contact.name}{org}: your path, your work, and your advice."
    )
    join = meeting.join_url or app.config.schedule.how_to_join
    return f"{text}\n\nHow to join: {join}" if join else text


def event_body(app: AppContext, contact: Contact, meeting: MeetingRow) -> dict[str, Any]:
    """The event as the meeting says it should be (what an insert sends)."""
    free = meeting.state == "declined"
    body: dict[str, Any] = {
        "iCalUID": meeting.uid,
        "summary": _summary(app, contact),
        "description": _description(app, contact, meeting),
        "start": _when(app, meeting.start),
        "end": _when(app, meeting.end),
        "transparency": "transparent" if free else "opaque",
        "status": "confirmed",
        "extendedProperties": {"private": {"outreachMeeting": meeting.uid}},
    }
    where = app.config.schedule.how_to_join
    if where and not meeting.video:
        body["location"] = where
    return body


def _moved_body(app: AppContext, contact: Contact, meeting: MeetingRow) -> dict[str, Any]:
    """A patch to the meeting's time (no attendees: a guest's answer is never overwritten)."""
    body = event_body(app, contact, meeting)
    del body["iCalUID"]
    del body["status"]  # never bring back an event the user deleted
    return body


def _conference(meeting: MeetingRow) -> dict[str, Any]:
    return {
        "createRequest": {
            "requestId": conference_request_id(meeting.uid),
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
        }
    }


# --- keeping one meeting in step ----------------------------------------------------------


def save(app: AppContext, meeting: MeetingRow, **changes: object) -> MeetingRow:
    """Write changes to the meeting at once (each step is its own transaction), re-read."""
    with app.store.transaction():
        app.store.meetings.update(meeting.id, iso(app.now()), **changes)
    return app.store.meetings.by_id(meeting.id)


def _video_wanted(app: AppContext, meeting: MeetingRow, video: bool | None) -> bool:
    if video is not None:
        return video
    if meeting.video:
        return True
    fresh = meeting.calendar_synced == "" and not meeting.calendar_event_id
    return fresh and meeting.state == "scheduled" and app.config.schedule.meet_link


def keep_in_step(
    app: AppContext, contact: Contact, meeting: MeetingRow, *, video: bool | None = None
) -> CalendarStep:
    """Make the meeting's event on the user's calendar say what the meeting says.

    ``video``: True asks for a Google Meet link (made before the invite is drafted), False
    asks for none, None keeps the meeting's choice (a new meeting takes
    ``[schedule] meet_link``).

    Raises:
        ScheduleError: a Meet link was asked for and cannot be made (no Gmail backend, no
            calendar access, Google failed or is still making it), or Google Calendar failed
            while a link was needed. Nothing was drafted; re-running finishes the booking.
    """
    wants_video = _video_wanted(app, meeting, video)
    if wants_video and not gmail_backend(app):
        raise ScheduleError(
            "A Google Meet link needs the Gmail backend ([mail] backend = \"gmail\").",
            hint="Book without --video, or say how to join in [schedule] how_to_join.",
        )
    if not gmail_backend(app):
        return CalendarStep(meeting)
    if bool(meeting.video) != wants_video and meeting.state == "scheduled":
        meeting = save(app, meeting, video=int(wants_video))
    wanted = _wanted(meeting)
    if wanted == ABSENT and meeting.calendar_synced == REMOVED and meeting.brief_event_id:
        return _remove_brief(app, meeting)  # the user deleted the event; its notes go too
    if wanted is None or meeting.calendar_synced == REMOVED:
        return CalendarStep(meeting)
    needs_link = wanted == f"{meeting.start}|{meeting.end}" and wants_video and not meeting.join_url
    if meeting.calendar_synced == wanted and not needs_link:
        return CalendarStep(meeting)  # already in step: no call
    calendar = app.calendar()
    before = calendar.requests
    try:
        if wanted == ABSENT:
            step = _remove(app, calendar, meeting)
        else:
            step = _place(app, calendar, contact, meeting, wanted, needs_link)
    except CalendarNotAllowed:
        if needs_link:
            raise ScheduleError(
                "A Google Meet link needs calendar access (the calendar.events scope), which "
                "your Google token does not have.",
                hint="Run `outreach auth login` again and allow calendar access, or book "
                "without --video.",
            ) from None
        return CalendarStep(meeting, scope_note(app), calendar.requests - before, trouble=True)
    except CalendarFailure as exc:
        if needs_link:
            raise
        note = (
            f"{exc.message} The meeting itself is not affected; its calendar event is put "
            "right by the next `outreach sync`."
        )
        return CalendarStep(meeting, note, calendar.requests - before, trouble=True)
    _calendar_works(app)
    step.requests = calendar.requests - before
    return step


def _remove(app: AppContext, calendar: EventCalendar, meeting: MeetingRow) -> CalendarStep:
    event_id = meeting.calendar_event_id
    if event_id is None:
        # Perhaps made by a run whose answer was lost; perhaps never (booked without access).
        found = calendar.find(meeting.uid)
        event_id = None if found is None or is_cancelled(found) else str(found["id"])
    if event_id is not None:
        calendar.delete(event_id)
    if meeting.brief_event_id:
        calendar.delete(meeting.brief_event_id)
    return CalendarStep(save(app, meeting, calendar_synced=ABSENT, brief_event_id=None))


def _place(
    app: AppContext,
    calendar: EventCalendar,
    contact: Contact,
    meeting: MeetingRow,
    wanted: str,
    needs_link: bool,
) -> CalendarStep:
    event: dict[str, Any] | None
    event_id = meeting.calendar_event_id
    if event_id is None:
        body = event_body(app, contact, meeting)
        if needs_link:
            body["conferenceData"] = _conference(meeting)
        event = calendar.insert(body, conference=needs_link)
        if event is None:  # 409: made before (a lost answer), or deleted by the user
            found = calendar.find(meeting.uid)
            if found is None or is_cancelled(found):
                return _removed_by_user(app, meeting)
            event_id = str(found["id"])
            event = found
            if event_times(found) != meeting_times(meeting):
                event = calendar.patch(
                    event_id, _moved_body(app, contact, meeting), conference=False
                )
    elif meeting.calendar_synced.removesuffix(FREE) != wanted.removesuffix(FREE):
        event = calendar.patch(event_id, _moved_body(app, contact, meeting), conference=False)
    elif meeting.calendar_synced != wanted:  # declined, or accepted again: busy or free
        free = {"transparency": "transparent" if wanted.endswith(FREE) else "opaque"}
        event = calendar.patch(event_id, free, conference=False)
    else:
        event = calendar.get(event_id)
    if event is None:
        return _removed_by_user(app, meeting)
    event_id = str(event["id"])
    join_url = meeting.join_url
    if needs_link:
        link = meet_link(event)
        if link.status == "":
            event = calendar.patch(
                event_id, {"conferenceData": _conference(meeting)}, conference=True
            )
            if event is None:
                return _removed_by_user(app, meeting)
        event = calendar.wait_for_meet(event)
        link = meet_link(event)
        if link.status != "success":
            save(app, meeting, calendar_event_id=event_id, calendar_synced=wanted)
            if link.status == "pending":
                raise ScheduleError(
                    "Google is still creating the Google Meet link; the invite is not drafted "
                    "yet, so that it carries the link.",
                    hint="Run the same command again in a minute: it finishes the booking.",
                )
            raise ScheduleError(
                f"Google could not create a Google Meet link (status: {link.status}); the "
                "invite is not drafted.",
                hint="Run the same command with --no-video, and say how to join in "
                "[schedule] how_to_join.",
            )
        join_url = link.url
    if meeting.brief_event_id and meeting.calendar_synced.removesuffix(FREE) != (
        wanted.removesuffix(FREE)
    ):
        calendar.patch(meeting.brief_event_id, brief_times(app, meeting), conference=False)
    saved = save(
        app, meeting, calendar_event_id=event_id, calendar_synced=wanted, join_url=join_url
    )
    return CalendarStep(saved)


def meeting_times(meeting: MeetingRow) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(meeting.start), datetime.fromisoformat(meeting.end)


def _remove_brief(app: AppContext, meeting: MeetingRow) -> CalendarStep:
    assert meeting.brief_event_id is not None
    calendar = app.calendar()
    before = calendar.requests
    try:
        calendar.delete(meeting.brief_event_id)
    except (CalendarNotAllowed, CalendarFailure):
        return CalendarStep(meeting, requests=calendar.requests - before, trouble=True)
    saved = save(app, meeting, brief_event_id=None)
    return CalendarStep(saved, requests=calendar.requests - before)


def _removed_by_user(app: AppContext, meeting: MeetingRow) -> CalendarStep:
    saved = save(app, meeting, calendar_synced=REMOVED)
    return CalendarStep(
        saved,
        "The meeting's event was deleted from your Google Calendar by hand, so it is not put "
        "back; the meeting itself still stands.",
    )


def brief_times(app: AppContext, meeting: MeetingRow) -> dict[str, Any]:
    return {"start": _when(app, meeting.start), "end": _when(app, meeting.end)}


# --- busy, once ---------------------------------------------------------------------------


def counted_by_calendar(app: AppContext) -> list[Interval]:
    """The spans of scheduled meetings whose event is on the user's calendar at their time:
    Google's free/busy reports them, and the store does too, so availability takes them out
    of Google's answer and counts them once, from the store (which also lets a meeting being
    moved not clash with its own event)."""
    if not gmail_backend(app):
        return []
    return [Interval(*meeting_times(m)) for m in app.store.calendar.in_step()]
