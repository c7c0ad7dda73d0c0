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

from collections.abc import Callable
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
]

SCOPE_NOTE = (
    "Your Google token does not allow outreach to put meetings on your Google Calendar (it "
    "lacks the calendar.events scope), so this meeting is only in the invite. To have your "
    "meetings on your calendar, kept in step and with the contact's answers read back, run "
    "`outreach auth login` again and allow calendar access. (This note is shown once.)"
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


def _wanted(meeting: MeetingRow) -> str | None:
    """What the meeting's event should say: its time, absent, or None (leave it alone: a
    meeting held or declined keeps its event, with the answer on it)."""
    if meeting.state == "scheduled":
        return f"{meeting.start}|{meeting.end}"
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
    body: dict[str, Any] = {
        "iCalUID": meeting.uid,
        "summary": _summary(app, contact),
        "description": _description(app, contact, meeting),
        "start": _when(app, meeting.start),
        "end": _when(app, meeting.end),
        "attendees": [_attendee(contact)],
        "transparency": "opaque",
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
    if wanted is None or meeting.calendar_synced == REMOVED:
        return CalendarStep(meeting)
    needs_link = wanted != ABSENT and wants_video and not meeting.join_url
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
    return CalendarStep(_save(app, meeting, calendar_synced=ABSENT))


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
    elif meeting.calendar_synced != wanted:
        event = calendar.patch(event_id, _moved_body(app, contact, meeting), conference=False)
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
    saved = _save(
        app, meeting, calendar_event_id=event_id, calendar_synced=wanted, join_url=join_url
    )
    return CalendarStep(saved)


def _times(meeting: MeetingRow) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(meeting.start), datetime.fromisoformat(meeting.end)


def _removed_by_user(app: AppContext, meeting: MeetingRow) -> CalendarStep:
    saved = _save(app, meeting, calendar_synced=REMOVED)
    return CalendarStep(
        saved,
        "The meeting's event was deleted from your Google Calendar by hand, so it is not put "
        "back; the meeting itself still stands.",
    )


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
    """Events not yet in step (Google was unreachable, access was missing, a Meet link was
    still being made): try again, quietly when access is still missing."""
    store = app.store
    since = iso(app.now() - READ_BACK)
    pending = store.calendar.out_of_step(since)
    if not pending:
        return
    noted = store.calendar.get(app.config.user.email).scope_note_at is not None
    calendar = app.calendar()
    if noted and (calendar.granted is None or not calendar.may_write):
        return  # told once already; a new login makes it work again
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
        times = event_times(event)
        if times is not None:
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


def read_answers(
    app: AppContext,
    *,
    full: bool = False,
    dry_run: bool = False,
    catch_up: Callable[[AppContext, CalendarReport], None] = _catch_up,
) -> CalendarReport:
    """Bring out-of-step events in step, then record the answers given on the calendar since
    the last sync. No request at all while no meeting of the tool is on the calendar.

    Failures of Google Calendar become notes: the mail part of sync is already recorded, and
    the next sync reads what this one could not.
    """
    report = CalendarReport()
    if not _gmail(app):
        return report
    store = app.store
    try:
        if not dry_run:
            catch_up(app, report)
        since = app.now() - READ_BACK
        meetings = store.calendar.on_calendar(iso(since))
        if not meetings:
            return report
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
    except CalendarNotAllowed:
        note = scope_note(app)
        if note:
            report.notes.append(note)
        return report
    except CalendarFailure as exc:
        report.notes.append(f"{exc.message} Answers on the calendar are read on the next sync.")
        return report
    by_id = {m.calendar_event_id: m for m in meetings}
    by_uid = {m.uid: m for m in meetings}
    next_token = pages[-1][1] if pages else None
    try:
        with store.transaction():
            for items, _ in pages:
                for event in items:
                    meeting = by_id.get(str(event.get("id"))) or by_uid.get(
                        str(event.get("iCalUID"))
                    )
                    if meeting is None:
                        continue
                    meeting = store.meetings.by_id(meeting.id)
                    contact = store.contacts.get(meeting.contact_id)
                    if contact.email:
                        _apply(app, event, meeting, contact, report)
            store.calendar.save_token(account, next_token, iso(app.now()))
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report
