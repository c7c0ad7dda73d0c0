"""The meeting on the user's own Google Calendar, in step with its invite, and the contact's
answers read back from it (Gmail backend only).

- **When.** The event is made when the meeting is booked, so the time is blocked at once; it
  moves when the meeting moves and goes when it is cancelled (also when no invite had been
  sent yet). It carries the invite's UID, start and end, the contact as attendee, and is
  written with ``sendUpdates="none"``: the contact's invite is the tool's own, in the thread.
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
- **Answers.** ``sync`` reads the events changed since the last sync (one ``events.list``
  with a sync token; none at all while no meeting is on the calendar) and records accept,
  decline and tentative like an emailed iTIP REPLY (:func:`outreach.services.rsvps.record_answer`).
- **Busy once.** Google's free/busy reports the tool's own events, and the store reports its
  scheduled meetings: :func:`counted_by_calendar` lets availability count each one once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from outreach.app import AppContext
from outreach.clock import iso
from outreach.contacts.model import Contact
from outreach.errors import ScheduleError
from outreach.google.calendar_events import (
    CalendarEvents,
    CalendarFailure,
    CalendarNotAllowed,
    SyncTokenExpired,
    attendee_answer,
    conference_request_id,
    event_times,
    is_cancelled,
    meet_link,
    updated_at,
)
from outreach.schedule.intervals import Interval
from outreach.services.rsvps import ANSWERS, record_answer
from outreach.store.calendar import ABSENT, REMOVED
from outreach.store.meetings import MeetingRow

__all__ = [
    "CalendarReport",
    "CalendarStep",
    "counted_by_calendar",
    "keep_in_step",
    "read_answers",
    "scope_note",
    "set_private_brief",
]

SCOPE_NOTE = (
    "Your Google token does not allow outreach to put meetings on your Google Calendar (it "
    "lacks the calendar.events scope), so meetings are booked by email only. To have them on "
    "your calendar, kept in step, with the contact's answers read back, run `outreach auth "
    "login` again and allow calendar access. (This note is shown once.)"
)
READ_BACK = timedelta(days=1)  # answers are read for meetings that ended up to this long ago


@dataclass
class CalendarStep:
    """What keeping one meeting's event in step did."""

    meeting: MeetingRow
    note: str = ""  # something the user should read (said once, or a warning)
    requests: int = 0
    trouble: bool = False  # the calendar could not be reached or written: try again later


@dataclass
class CalendarReport:
    """What sync learnt from the calendar."""

    requests: int = 0
    changes: list[tuple[int, str, datetime, str]] = field(default_factory=list)
    # (contact id, kind, when, text)
    notes: list[str] = field(default_factory=list)
    mode: str = ""  # "", incremental, full


def _gmail(app: AppContext) -> bool:
    return app.config.mail.backend == "gmail"


FREE = "|free"  # suffix: the event stays, with their decline on it, but no longer blocks time


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


def _attendee(contact: Contact) -> dict[str, str]:
    assert contact.email is not None
    return {"email": contact.email, "displayName": contact.name, "responseStatus": "needsAction"}


def event_body(app: AppContext, contact: Contact, meeting: MeetingRow) -> dict[str, Any]:
    """The event as the meeting says it should be (what an insert sends)."""
    free = meeting.state == "declined"
    body: dict[str, Any] = {
        "iCalUID": meeting.uid,
        "summary": _summary(app, contact),
        "description": _description(app, contact, meeting),
        "start": _when(app, meeting.start),
        "end": _when(app, meeting.end),
        "attendees": [_attendee(contact)],
        "transparency": "transparent" if free else "opaque",
        "status": "confirmed",
        "guestsCanInviteOthers": False,
        "extendedProperties": {"private": {"outreachMeeting": meeting.uid}},
    }
    where = app.config.schedule.how_to_join
    if where and not meeting.video:
        body["location"] = where
    return body


def _moved_body(app: AppContext, contact: Contact, meeting: MeetingRow) -> dict[str, Any]:
    """A patch to the meeting's time: their earlier answer was to the old time, so it is
    asked for again."""
    body = event_body(app, contact, meeting)
    del body["iCalUID"]
    return body


def _conference(meeting: MeetingRow) -> dict[str, Any]:
    return {
        "createRequest": {
            "requestId": conference_request_id(meeting.uid),
            "conferenceSolutionKey": {"type": "hangoutsMeet"},
        }
    }


# --- keeping one meeting in step ----------------------------------------------------------


def _save(app: AppContext, meeting: MeetingRow, **changes: object) -> MeetingRow:
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
    if wants_video and not _gmail(app):
        raise ScheduleError(
            "A Google Meet link needs the Gmail backend ([mail] backend = \"gmail\").",
            hint="Book without --video, or say how to join in [schedule] how_to_join.",
        )
    if not _gmail(app):
        return CalendarStep(meeting)
    if bool(meeting.video) != wants_video and meeting.state == "scheduled":
        meeting = _save(app, meeting, video=int(wants_video))
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


def _remove(app: AppContext, calendar: CalendarEvents, meeting: MeetingRow) -> CalendarStep:
    event_id = meeting.calendar_event_id
    if event_id is None:
        # Perhaps made by a run whose answer was lost; perhaps never (booked without access).
        found = calendar.find(meeting.uid)
        event_id = None if found is None or is_cancelled(found) else str(found["id"])
    if event_id is not None:
        calendar.delete(event_id)
    if meeting.brief_event_id:
        calendar.delete(meeting.brief_event_id)
    return CalendarStep(_save(app, meeting, calendar_synced=ABSENT, brief_event_id=None))


def _place(
    app: AppContext,
    calendar: CalendarEvents,
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
            if event_times(found) != _times(meeting):
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
            _save(app, meeting, calendar_event_id=event_id, calendar_synced=wanted)
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
        calendar.patch(meeting.brief_event_id, _brief_times(app, meeting), conference=False)
    saved = _save(
        app, meeting, calendar_event_id=event_id, calendar_synced=wanted, join_url=join_url
    )
    return CalendarStep(saved)


def _times(meeting: MeetingRow) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(meeting.start), datetime.fromisoformat(meeting.end)


def _remove_brief(app: AppContext, meeting: MeetingRow) -> CalendarStep:
    assert meeting.brief_event_id is not None
    calendar = app.calendar()
    before = calendar.requests
    try:
        calendar.delete(meeting.brief_event_id)
    except (CalendarNotAllowed, CalendarFailure):
        return CalendarStep(meeting, requests=calendar.requests - before, trouble=True)
    saved = _save(app, meeting, brief_event_id=None)
    return CalendarStep(saved, requests=calendar.requests - before)


def _removed_by_user(app: AppContext, meeting: MeetingRow) -> CalendarStep:
    saved = _save(app, meeting, calendar_synced=REMOVED)
    return CalendarStep(
        saved,
        "The meeting's event was deleted from your Google Calendar by hand, so it is not put "
        "back; the meeting itself still stands.",
    )


# --- notes only the user sees ------------------------------------------------------------


def _brief_uid(meeting: MeetingRow) -> str:
    return f"prep-{meeting.uid}"


def _brief_times(app: AppContext, meeting: MeetingRow) -> dict[str, Any]:
    return {"start": _when(app, meeting.start), "end": _when(app, meeting.end)}


def set_private_brief(app: AppContext, meeting: MeetingRow, text: str) -> str:
    """Put ``text`` (say, a prep brief for the call) on the user's Google Calendar where the
    contact never sees it; "" when done, else a note saying why not.

    Google shows an event's description to its guests, so the text does not go into the
    meeting's own event: it goes into a private companion event at the same time, with no
    guests and shown as free ("Prep: <name>"), which moves and goes with the meeting. Calling
    again replaces the text; an empty ``text`` removes the companion. Idempotent: a re-run
    finds the companion by its iCalUID instead of making a second one.
    """
    if not _gmail(app):
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
            _save(app, meeting, brief_event_id=None)
            return ""
        body: dict[str, Any] = {
            "summary": f"Prep: {contact.name}",
            "description": text,
            **_brief_times(app, meeting),
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
    _save(app, meeting, brief_event_id=str(event["id"]))
    return ""


# --- busy, once ---------------------------------------------------------------------------


def counted_by_calendar(app: AppContext) -> list[Interval]:
    """The spans of scheduled meetings whose event is on the user's calendar at their time:
    Google's free/busy reports them, and the store does too, so availability takes them out
    of Google's answer and counts them once, from the store (which also lets a meeting being
    moved not clash with its own event)."""
    if not _gmail(app):
        return []
    return [Interval(*_times(m)) for m in app.store.calendar.in_step()]


# --- sync: catch up, and read the answers -------------------------------------------------


def _catch_up(app: AppContext, report: CalendarReport) -> None:
    """Events not in step (Google was unreachable, access was missing, a Meet link was still
    being made, a decline to show free): try again, quietly when access is still missing."""
    store = app.store
    pending = store.calendar.out_of_step(iso(app.now() - READ_BACK))
    if not pending or _told_no_access(app):
        return
    for meeting in pending:
        contact = store.contacts.get(meeting.contact_id)
        if not contact.email:
            continue
        try:
            step = keep_in_step(app, contact, meeting)
        except ScheduleError as exc:
            report.notes.append(f"{contact.label()}: {exc.message}")
            continue
        report.requests += step.requests
        if step.note:
            report.notes.append(step.note)
        if step.trouble:
            return  # the rest would fail the same way


def _synced_times(meeting: MeetingRow) -> tuple[datetime, datetime] | None:
    """The times the event was last made to say (None when that is not known)."""
    parts = meeting.calendar_synced.split("|")
    try:
        return datetime.fromisoformat(parts[0]), datetime.fromisoformat(parts[1])
    except (IndexError, ValueError):
        return None


def _in_step(event: dict[str, Any], meeting: MeetingRow) -> bool:
    return event_times(event) == _times(meeting)


def _answer_time(app: AppContext, event: dict[str, Any]) -> datetime:
    """When they answered: the event's last change (never later than now)."""
    moment = updated_at(event) or app.now()
    return min(moment, app.now()).astimezone(UTC)


def _thread_of(app: AppContext, meeting: MeetingRow) -> str:
    for row in reversed(app.store.messages.invites_for(meeting.id)):
        if row.thread_id:
            return row.thread_id
    return ""


def _apply(
    app: AppContext,
    event: dict[str, Any],
    meeting: MeetingRow,
    contact: Contact,
    report: CalendarReport,
) -> None:
    store = app.store
    now = iso(app.now())
    if is_cancelled(event):
        if meeting.state in ("scheduled", "declined"):
            store.meetings.update(meeting.id, now, calendar_synced=REMOVED)
            report.changes.append(
                (
                    contact.id,
                    "calendar",
                    app.now(),
                    "its event was deleted from your Google Calendar; the meeting still "
                    f"stands (`outreach cancel {contact.email}` cancels it)",
                )
            )
        return
    if not _in_step(event, meeting):
        # An event we have yet to move (the next catch-up does) was not moved by the user.
        times = event_times(event)
        if times is not None and times != _synced_times(meeting):
            zone = app.config.user.zone
            report.changes.append(
                (
                    contact.id,
                    "calendar",
                    app.now(),
                    "its event was moved on your Google Calendar to "
                    f"{times[0].astimezone(zone):%a %d %b %H:%M}, but the invite says "
                    f"{datetime.fromisoformat(meeting.start).astimezone(zone):%a %d %b %H:%M}: "
                    f"`outreach reschedule {contact.email} --at ...` tells them",
                )
            )
        return  # an answer to another time is not an answer to the meeting
    assert contact.email is not None
    answer = attendee_answer(event, contact.email)
    if answer not in ANSWERS or answer == meeting.rsvp:
        return
    at = _answer_time(app, event)
    stored = store.events.record(
        gmail_id=f"calendar:{event['id']}:{event.get('updated', '')}:{answer}",
        thread_id=_thread_of(app, meeting),
        contact_id=contact.id,
        kind="rsvp",
        sender=contact.email.casefold(),
        subject="",
        occurred_at=iso(at),
        detail=f"{answer} the invite (on Google Calendar)",
        address=contact.email,
    )
    if not stored:
        return
    record_answer(store, meeting, answer, iso(at), now)
    report.changes.append((contact.id, "rsvp", at, f"{answer} the invite (on Google Calendar)"))


class _DryRun(Exception):
    pass


def read_answers(app: AppContext, *, full: bool = False, dry_run: bool = False) -> CalendarReport:
    """Record the answers given on the calendar since the last sync, then bring out-of-step
    events in step (a decline frees its time; what failed before is tried again). No
    request at all while no meeting of the tool is on the calendar.

    Failures of Google Calendar become notes: the mail part of sync is already recorded, and
    the next sync reads what this one could not.
    """
    report = CalendarReport()
    if not _gmail(app):
        return report
    try:
        _read(app, report, full=full, dry_run=dry_run)
        if not dry_run:
            _catch_up(app, report)
    except CalendarNotAllowed:
        note = SCOPE_NOTE if dry_run else scope_note(app)  # a dry run records nothing
        if note:
            report.notes.append(note)
    except CalendarFailure as exc:
        report.notes.append(f"{exc.message} The calendar is read again on the next sync.")
    return report


def _told_no_access(app: AppContext) -> bool:
    """The user was told the token cannot use the calendar, and only a call could tell
    whether that changed: stay quiet (and make no call) until a new login says its scopes."""
    noted = app.store.calendar.get(app.config.user.email).scope_note_at is not None
    calendar = app.calendar()
    return noted and (calendar.granted is None or not calendar.may_write)


def _read(app: AppContext, report: CalendarReport, *, full: bool, dry_run: bool) -> None:
    store = app.store
    since = app.now() - READ_BACK
    meetings = store.calendar.on_calendar(iso(since))
    if not meetings or _told_no_access(app):
        return
    calendar = app.calendar()
    account = app.config.user.email
    token = None if full else store.calendar.get(account).sync_token
    earliest = min(datetime.fromisoformat(m.end) for m in meetings)
    time_min = min(earliest, since) - timedelta(minutes=1)
    before = calendar.requests
    report.mode = "incremental" if token else "full"
    try:
        pages = list(calendar.changes(token, time_min))
    except SyncTokenExpired:
        report.mode = "full"
        pages = list(calendar.changes(None, time_min))
    finally:
        report.requests += calendar.requests - before
    by_id = {m.calendar_event_id: m for m in meetings}
    by_uid = {m.uid: m for m in meetings}
    next_token = pages[-1][1] if pages else None
    try:
        with store.transaction():
            for items, _ in pages:
                for event in items:
                    found = by_id.get(str(event.get("id"))) or by_uid.get(
                        str(event.get("iCalUID"))
                    )
                    if found is None:
                        continue
                    meeting = store.meetings.by_id(found.id)
                    contact = store.contacts.get(meeting.contact_id)
                    if contact.email:
                        _apply(app, event, meeting, contact, report)
            store.calendar.save_token(account, next_token, iso(app.now()))
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
