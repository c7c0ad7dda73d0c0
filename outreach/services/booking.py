"""Booking, moving and cancelling a meeting, each with an invite in the contact's thread.

Proposals are text; one real invite goes out once a time is agreed. The meeting row (UID,
SEQUENCE) is written first and the confirmation is drafted through the same idempotent path as
every other message, so re-running an interrupted `book` finishes it instead of booking twice.
Reschedule keeps the UID and bumps SEQUENCE; cancel sends METHOD:CANCEL with SEQUENCE + 1.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from outreach.app import AppContext
from outreach.clock import iso
from outreach.contacts.model import Contact
from outreach.errors import ScheduleError
from outreach.schedule.intervals import Interval
from outreach.schedule.invites import build_invite, new_uid
from outreach.services.availability import gather_busy
from outreach.services.drafting import DraftReport, draft_messages, plan_messages
from outreach.services.meeting_context import format_span, meeting_context
from outreach.services.sending import SendReport, check_cap, send_messages
from outreach.store.meetings import MeetingRow

Confirm = Callable[[str], bool]


@dataclass
class BookingResult:
    meeting: MeetingRow
    when: str
    draft: DraftReport
    sent: SendReport | None


def parse_when(app: AppContext, text: str) -> datetime:
    """An ISO 8601 time; without an offset it is in the user's time zone."""
    cleaned = text.strip().replace(" ", "T", 1)
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ScheduleError(
            f"{text!r} is not a date and time.",
            hint="Use e.g. --at 2026-03-04T15:00 (your time zone) or 2026-03-04T15:00+01:00.",
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=app.config.user.zone)
    return moment


def _slot_time(app: AppContext, contact: Contact, number: int) -> tuple[datetime, datetime]:
    # "booked" too: re-running an interrupted `book --slot N` must find the same slot.
    held = [p for p in app.store.proposals.for_contact(contact.id) if p.state in ("held", "booked")]
    if not held:
        raise ScheduleError(
            f"No proposed slots are held for {contact.label()}.",
            hint=f"Give the time: `outreach book {contact.email or contact.id} --at "
            "2026-03-04T15:00`.",
        )
    chosen = [p for p in held if p.slot_index == number]
    if not chosen:
        numbers = ", ".join(sorted({str(p.slot_index) for p in held}))
        raise ScheduleError(
            f"{contact.label()} was offered slots {numbers}, not {number}.",
            hint="Pick one of those numbers (see `outreach contacts show`).",
        )
    return datetime.fromisoformat(chosen[-1].start), datetime.fromisoformat(chosen[-1].end)


def _check_free(
    app: AppContext, contact: Contact, start: datetime, end: datetime, confirm: Confirm
) -> None:
    """Warn and ask when the time is no longer free (busy, or offered to someone else)."""
    wanted = Interval(start, end)
    clashes = [b for b in gather_busy(app, start - timedelta(hours=1), end + timedelta(hours=1))]
    now = iso(app.now())
    own_meeting = app.store.meetings.latest(contact.id)
    busy = [
        b
        for b in clashes
        if b.start < wanted.end
        and wanted.start < b.end
        and not (
            own_meeting is not None
            and own_meeting.state == "scheduled"
            and b.start == datetime.fromisoformat(own_meeting.start)
        )
    ]
    offered = [
        p
        for p in app.store.proposals.held(now, exclude_contact=contact.id)
        if datetime.fromisoformat(p.start) < end and start < datetime.fromisoformat(p.end)
    ]
    if not busy and not offered:
        return
    why = "you are busy then" if busy else "that time is also offered to another contact"
    when = format_span(app, contact, start, end)
    if not confirm(f"{when} is no longer free ({why}). Book it anyway?"):
        raise ScheduleError(
            f"Not booked: {when} is no longer free.",
            hint="Choose another time with --at, or see free times with `outreach slots "
            f"--contact {contact.email or contact.id}`.",
        )


def _invite_for(app: AppContext, contact: Contact, meeting: MeetingRow, method: str) -> bytes:
    user = app.config.user
    assert contact.email is not None
    org = f" ({contact.org})" if contact.org else ""
    agenda = (
        f"A {app.config.schedule.meeting_minutes}-minute informational conversation between "
        f"{user.name} and {contact.name}{org}: your path, your work, and your advice."
    )
    return build_invite(
        uid=meeting.uid,
        sequence=meeting.sequence,
        method="CANCEL" if method == "CANCEL" else "REQUEST",
        start=datetime.fromisoformat(meeting.start),
        end=datetime.fromisoformat(meeting.end),
        tz=user.zone,
        organizer_name=user.name,
        organizer_email=user.email,
        attendee_name=contact.name,
        attendee_email=contact.email,
        summary=f"{user.name} / {contact.name}: informational conversation",
        description=agenda,
        location_or_join=app.config.schedule.how_to_join
        or "By phone or video, as we agree by email.",
        dtstamp=app.now(),
    )


def _draft_invite(
    app: AppContext,
    contact: Contact,
    meeting: MeetingRow,
    template: str,
    method: str,
    send: bool,
) -> tuple[DraftReport, SendReport | None]:
    planned, skipped = plan_messages(
        app, template, [contact], extra_vars=lambda c: {"meeting": meeting_context(app, c)}
    )
    if not planned:
        reason = skipped[0][1] if skipped else "nothing to draft"
        raise ScheduleError(f"Cannot write to {contact.label()}: {reason}.")
    planned[0].ics = _invite_for(app, contact, meeting, method)
    planned[0].ics_method = method
    report = draft_messages(app, planned)
    if report.failed:
        return report, None
    if not send:
        return report, None
    check_cap(app, 1, app.now())
    row = app.store.messages.by_key(planned[0].idem_key)
    assert row is not None
    return report, send_messages(app, [row])


def book(
    app: AppContext,
    ref: str,
    *,
    slot: int | None,
    at: str | None,
    send: bool,
    confirm: Confirm,
) -> BookingResult:
    contact = app.store.contacts.get(ref)
    if not contact.email:
        raise ScheduleError(f"{contact.label()} has no email address to send an invite to.")
    if slot is not None:
        start, end = _slot_time(app, contact, slot)
    else:
        assert at is not None
        start = parse_when(app, at)
        end = start + timedelta(minutes=app.config.schedule.meeting_minutes)
    existing = app.store.meetings.latest(contact.id)
    stamp = iso(app.now())
    if existing is not None and existing.state == "scheduled":
        if datetime.fromisoformat(existing.start) != start:
            raise ScheduleError(
                f"{contact.label()} already has a meeting at {existing.start}.",
                hint=f"Move it with `outreach reschedule {contact.email} --at ...`, or "
                "cancel it first.",
            )
        meeting = existing  # an interrupted booking of the same time: finish it
    else:
        _check_free(app, contact, start, end, confirm)
        domain = app.config.user.email.rpartition("@")[2] or "outreach.local"
        with app.store.transaction():
            meeting = app.store.meetings.create(
                contact_id=contact.id,
                start=iso(start),
                end=iso(end),
                uid=new_uid(domain),
                now=stamp,
            )
            for proposal in app.store.proposals.for_contact(contact.id, "held"):
                booked = datetime.fromisoformat(proposal.start) == start
                app.store.proposals.set_state(proposal.id, "booked" if booked else "released")
    report, sent = _draft_invite(app, contact, meeting, "confirm", "REQUEST", send)
    return BookingResult(meeting, format_span(app, contact, start, end), report, sent)


def _scheduled(app: AppContext, contact: Contact) -> MeetingRow:
    meeting = app.store.meetings.latest(contact.id)
    if meeting is None or meeting.state != "scheduled":
        raise ScheduleError(
            f"{contact.label()} has no booked meeting.",
            hint=f"Book one with `outreach book {contact.email or contact.id} --slot N`.",
        )
    return meeting


def reschedule(
    app: AppContext, ref: str, *, at: str, send: bool, confirm: Confirm
) -> BookingResult:
    contact = app.store.contacts.get(ref)
    meeting = _scheduled(app, contact)
    start = parse_when(app, at)
    end = start + (datetime.fromisoformat(meeting.end) - datetime.fromisoformat(meeting.start))
    if datetime.fromisoformat(meeting.start) != start:
        _check_free(app, contact, start, end, confirm)
        with app.store.transaction():
            app.store.meetings.update(
                meeting.id,
                iso(app.now()),
                start=iso(start),
                end=iso(end),
                sequence=meeting.sequence + 1,
            )
        meeting = app.store.meetings.by_id(meeting.id)
    report, sent = _draft_invite(app, contact, meeting, "confirm", "REQUEST", send)
    return BookingResult(meeting, format_span(app, contact, start, end), report, sent)


def cancel(app: AppContext, ref: str, *, send: bool) -> BookingResult:
    contact = app.store.contacts.get(ref)
    meeting = app.store.meetings.latest(contact.id)
    if meeting is None or meeting.state not in ("scheduled", "cancelled"):
        raise ScheduleError(f"{contact.label()} has no booked meeting to cancel.")
    if meeting.state == "scheduled":
        with app.store.transaction():
            app.store.meetings.update(
                meeting.id, iso(app.now()), state="cancelled", sequence=meeting.sequence + 1
            )
        meeting = app.store.meetings.by_id(meeting.id)
    report, sent = _draft_invite(app, contact, meeting, "cancel", "CANCEL", send)
    start, end = datetime.fromisoformat(meeting.start), datetime.fromisoformat(meeting.end)
    return BookingResult(meeting, format_span(app, contact, start, end), report, sent)
