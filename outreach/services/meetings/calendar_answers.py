"""The contacts' answers read back from the user's Google Calendar, by ``outreach sync``.

One ``events.list`` with the stored sync token per sync (none at all while no meeting of the
tool is on the calendar); the first time, or after Google expired the token (410), the
calendar is listed from the earliest open meeting on, deleted events included
(``showDeleted``), so an event the user deleted before the first read is noticed too.

Nobody is made a guest of these events (:mod:`outreach.services.meetings.calendar_sync`), so
the answers come by mail; a guest someone else put on the event (the user, by hand) has their
answer read here, once: an answer still on the event after the tool moved it is the one given
to the old time, and is not taken again. Each event of a meeting that is in step
gives the contact's ``responseStatus``: accepted, declined and tentative are recorded like an
emailed iTIP REPLY (:func:`outreach.services.meetings.rsvps.record_answer`, with a ``rsvp`` event,
so
``due`` sees an answer). An event the user deleted or moved by hand is reported, never undone.
Then meetings whose event is not in step (Google was unreachable, access was missing, a
decline to show free) are brought in step. The new sync token is stored in the same
transaction as the answers it covers; a dry run writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from outreach.app import AppContext
from outreach.clock import iso
from outreach.contacts.model import Contact
from outreach.errors import ScheduleError
from outreach.schedule.calendar_protocol import (
    CalendarFailure,
    CalendarNotAllowed,
    SyncTokenExpired,
    attendee_answer,
    event_times,
    is_cancelled,
    updated_at,
)
from outreach.services.meetings.calendar_sync import (
    SCOPE_NOTE,
    gmail_backend,
    keep_in_step,
    meeting_times,
    scope_note,
)
from outreach.services.meetings.rsvps import ANSWERS, record_answer
from outreach.store.calendar import REMOVED
from outreach.store.meetings import MeetingRow

__all__ = ["CalendarReport", "read_answers"]

READ_BACK = timedelta(days=1)  # answers are read for meetings that ended up to this long ago


@dataclass
class CalendarReport:
    """What sync learnt from the calendar."""

    requests: int = 0
    changes: list[tuple[int, str, datetime, str]] = field(default_factory=list)
    # (contact id, kind, when, text)
    notes: list[str] = field(default_factory=list)
    mode: str = ""  # "", incremental, full


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
    return event_times(event) == meeting_times(meeting)


def _answer_time(app: AppContext, event: dict[str, Any]) -> datetime:
    """When they answered: the event's last change (never later than now)."""
    moment = updated_at(event) or app.now()
    return min(moment, app.now()).astimezone(UTC)


def _note_stale_answer(
    app: AppContext, event: dict[str, Any], meeting: MeetingRow, contact: Contact
) -> None:
    """Remember a guest's answer seen on the event at another time than the meeting's: once
    the event is moved to the meeting's time, that answer (to the old time) is not taken."""
    assert contact.email is not None
    answer = attendee_answer(event, contact.email)
    if answer not in ANSWERS:
        return
    app.store.events.record(
        gmail_id=f"calendar:{event['id']}:{event.get('updated', '')}:{answer}",
        thread_id=_thread_of(app, meeting),
        contact_id=contact.id,
        kind="other",
        sender=contact.email.casefold(),
        subject="",
        occurred_at=iso(_answer_time(app, event)),
        detail=f"{answer} another time of the meeting (on Google Calendar): not taken",
        address=contact.email,
    )


def _last_read(app: AppContext, contact: Contact, event_id: str) -> str | None:
    """The guest's answer last read from this event (events are never written with
    attendees, so an answer still there after a move is the one given before it)."""
    prefix = f"calendar:{event_id}:"
    seen = [e for e in app.store.events.for_contact(contact.id) if e.gmail_id.startswith(prefix)]
    return seen[-1].gmail_id.rsplit(":", 1)[-1] if seen else None


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
        _note_stale_answer(app, event, meeting, contact)
        return  # an answer to another time is not an answer to the meeting
    assert contact.email is not None
    answer = attendee_answer(event, contact.email)
    if answer not in ANSWERS or answer == meeting.rsvp:
        return
    if answer == _last_read(app, contact, str(event["id"])):
        return  # the answer read before (to the time before a move): nothing new
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
    if not gmail_backend(app):
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
