"""Booking, moving and cancelling a meeting: one meeting, one invite, in the contact's thread.

Proposals are text; one real invite goes out once a time is agreed. A meeting has at most one
unsent invite (:mod:`outreach.services.meetings.invites`): moving a meeting before its invite was
sent
rewrites that draft, and cancelling it removes the draft and sends nothing. SEQUENCE rises only
over invites the contact actually received, so their calendar always applies the newest.

Times are checked before anything is written: a time in the past is refused, a time outside
either person's working hours or in the contact's night is asked about (``confirm``), and so is
a time that is no longer free. The meeting row is written first and the invite drafted through
the same idempotent path as every other message, so re-running an interrupted `book` finishes
it instead of booking twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from outreach.app import AppContext
from outreach.clock import iso
from outreach.contacts.model import Contact
from outreach.errors import ScheduleError
from outreach.schedule.checks import past_reason, time_concerns
from outreach.schedule.intervals import Interval
from outreach.schedule.invites import new_uid
from outreach.schedule.when import EXAMPLES, AtError, read_at
from outreach.services.drafting.drafts import DraftReport
from outreach.services.meetings.availability import contact_zone_or_none, gather_busy
from outreach.services.meetings.calendar_sync import keep_in_step
from outreach.services.meetings.copied import set_copied
from outreach.services.meetings.invites import issue_invite, withdraw_invites
from outreach.services.meetings.meeting_context import format_span
from outreach.services.meetings.their_times import they_proposed
from outreach.services.sending.send import SendReport
from outreach.store.meetings import MeetingRow, ProposalRow

Confirm = Callable[[str], bool]

__all__ = [
    "BookingResult",
    "PickZone",
    "ZoneQuestion",
    "book",
    "cancel",
    "offered_slots",
    "parse_when",
    "reschedule",
]


@dataclass
class BookingResult:
    meeting: MeetingRow
    when: str
    draft: DraftReport = field(default_factory=DraftReport)
    sent: SendReport | None = None
    subject: str = ""  # the invite's Subject as it goes on the wire
    copied: list[str] = field(default_factory=list)  # Cc on the invite (an assistant)
    withdrawn: bool = False  # cancelled before any invite was sent: nothing goes out
    calendar_note: str = ""  # about the meeting's event on the user's Google Calendar


@dataclass(frozen=True)
class ZoneQuestion:
    """A bare time that reads differently on each person's clock: which did the user mean?"""

    question: str  # "10:00 your time (16:00 for Ada) or 10:00 Ada's time (04:00 yours)?"
    yours: str  # "10:00 your time (16:00 for Ada)"
    theirs: str  # "10:00 Ada's time (04:00 yours)"


# Asks the user which reading they meant: "yours", "theirs", or None when it cannot ask.
PickZone = Callable[[ZoneQuestion], str | None]


def _never_asked(_: ZoneQuestion) -> str | None:
    return None


def _clock(moment: datetime, typed: datetime) -> str:
    """HH:MM, with the weekday when the day differs from the one typed."""
    day = "" if moment.date() == typed.date() else f"{moment:%a} "
    return f"{day}{moment:%H:%M}"


def parse_when(
    app: AppContext,
    text: str,
    contact: Contact | None = None,
    *,
    their_time: bool = False,
    pick: PickZone = _never_asked,
) -> datetime:
    """The instant ``text`` names (:func:`outreach.schedule.when.read_at`); a bare time that
    reads differently on the contact's clock is asked about (``pick``), never guessed."""
    user_zone = app.config.user.zone
    their_zone = contact_zone_or_none(contact) if contact is not None else None
    try:
        read = read_at(text, user_zone=user_zone, contact_zone=their_zone, their_time=their_time)
    except AtError as exc:
        raise ScheduleError(
            f"{text!r}: {exc}.", hint=f"Give the time with its zone, {EXAMPLES}."
        ) from None
    if isinstance(read, datetime):
        return read
    assert contact is not None and their_zone is not None
    name = contact.display_first_name or contact.name
    typed = read.yours.replace(tzinfo=None)
    yours = (
        f"{_clock(read.yours, typed)} your time "
        f"({_clock(read.yours.astimezone(their_zone).replace(tzinfo=None), typed)} for {name})"
    )
    theirs = (
        f"{_clock(read.theirs, typed)} {name}'s time "
        f"({_clock(read.theirs.astimezone(user_zone).replace(tzinfo=None), typed)} yours)"
    )
    answer = pick(ZoneQuestion(f"{yours} or {theirs}?", yours, theirs))
    if answer == "yours":
        return read.yours
    if answer == "theirs":
        return read.theirs
    stamp = f"{typed:%Y-%m-%d %H:%M}"
    raise ScheduleError(
        f"Not booked: {text} could be {yours} or {theirs}, and there is no terminal to ask "
        "which.",
        hint=f'Say which: --at "{stamp} {app.config.user.timezone}" for yours, or add '
        f"--their-time for {name}'s (--yes does not choose a zone).",
    )


def _ref(contact: Contact) -> str:
    return contact.email or str(contact.id)


def offered_slots(app: AppContext, contact: Contact) -> list[ProposalRow]:
    """The slots of the latest offer made to the contact, numbered as the message numbered
    them (whatever became of them since: booked, released, expired)."""
    rows = app.store.proposals.for_contact(contact.id)
    if not rows:
        return []
    latest = max(rows, key=lambda p: (p.created_at, p.id))
    return [p for p in rows if p.message_idem_key == latest.message_idem_key]


def _slot_time(app: AppContext, contact: Contact, number: int) -> tuple[datetime, datetime]:
    offer = offered_slots(app, contact)
    if not offer:
        raise ScheduleError(
            f"No times were proposed to {contact.label()}.",
            hint=f"Give the time: `outreach book {_ref(contact)} --at 2026-03-04T15:00`.",
        )
    chosen = [p for p in offer if p.slot_index == number]
    if not chosen:
        numbers = ", ".join(sorted({str(p.slot_index) for p in offer}))
        raise ScheduleError(
            f"{contact.label()} was offered slots {numbers}, not {number}.",
            hint=f"Pick one of those numbers (`outreach contacts show {_ref(contact)}` lists "
            "them).",
        )
    start, end = datetime.fromisoformat(chosen[-1].start), datetime.fromisoformat(chosen[-1].end)
    if start <= app.now():
        raise ScheduleError(
            f"Slot {number} ({format_span(app, contact, start, end)}) is already over.",
            hint=f"Propose new times: `outreach draft newtimes {_ref(contact)}`, or book "
            f"another time with `outreach book {_ref(contact)} --at ...`.",
        )
    return start, end


def _check_time(
    app: AppContext,
    contact: Contact,
    start: datetime,
    end: datetime,
    confirm: Confirm,
    own: MeetingRow | None = None,
) -> None:
    """Refuse a time that is over; ask about one that is odd or no longer free."""
    when = format_span(app, contact, start, end)
    past = past_reason(start, app.now())
    if past is not None:
        raise ScheduleError(
            f"{when} is in the past ({past}); nothing was booked.",
            hint=f"Give a future time, or see free times with `outreach slots --contact "
            f"{_ref(contact)}`.",
        )
    config = app.config
    concerns = time_concerns(
        start,
        end,
        config.schedule,
        config.user.zone,
        None if they_proposed(app, contact.id, start) else contact_zone_or_none(contact),
        contact.display_first_name or contact.name,
    )
    if concerns and not confirm(f"{when} is {' and '.join(concerns)}. Book it anyway?"):
        raise ScheduleError(
            f"Not booked: {when} is {concerns[0]}.",
            hint="Choose another time with --at, or pass --yes to book it as it is.",
        )
    _check_free(app, contact, start, end, confirm, own)


def _check_free(
    app: AppContext,
    contact: Contact,
    start: datetime,
    end: datetime,
    confirm: Confirm,
    own: MeetingRow | None,
) -> None:
    """Ask when the time is no longer free (busy, or offered to someone else)."""
    wanted = Interval(start, end)
    busy = [
        b
        for b in gather_busy(app, start - timedelta(hours=1), end + timedelta(hours=1))
        if b.start < wanted.end
        and wanted.start < b.end
        and not (own is not None and b.start == datetime.fromisoformat(own.start))
    ]
    offered = [
        p
        for p in app.store.proposals.held(iso(app.now()), exclude_contact=contact.id)
        if datetime.fromisoformat(p.start) < end and start < datetime.fromisoformat(p.end)
    ]
    if not busy and not offered:
        return
    why = "you are busy then" if busy else "that time is also offered to another contact"
    when = format_span(app, contact, start, end)
    if not confirm(f"{when} is no longer free ({why}). Book it anyway?"):
        raise ScheduleError(
            f"Not booked: {when} is no longer free ({why}).",
            hint="Choose another time with --at, or see free times with `outreach slots "
            f"--contact {_ref(contact)}`.",
        )


def _reachable(app: AppContext, ref: str) -> Contact:
    contact = app.store.contacts.get(ref)
    if not contact.email:
        raise ScheduleError(
            f"{contact.label()} has no email address to send an invite to.",
            hint=f"Add one: `outreach contacts edit {contact.id} --email ...`.",
        )
    return contact


def book(
    app: AppContext,
    ref: str,
    *,
    slot: int | None,
    at: str | None,
    send: bool,
    confirm: Confirm,
    video: bool | None = None,
    their_time: bool = False,
    pick: PickZone = _never_asked,
    cc: Sequence[str] | None = None,
) -> BookingResult:
    """Book a time with the contact; ``cc`` (when given) replaces who is copied on their
    invites from now on (:mod:`outreach.services.meetings.copied`)."""
    contact = _reachable(app, ref)
    if cc is not None:
        set_copied(app, contact, cc)
    if slot is not None:
        start, end = _slot_time(app, contact, slot)
    else:
        assert at is not None
        start = parse_when(app, at, contact, their_time=their_time, pick=pick)
        end = start + timedelta(minutes=app.config.schedule.meeting_minutes)
    existing = app.store.meetings.latest(contact.id)
    if existing is not None and existing.state == "scheduled":
        if datetime.fromisoformat(existing.start) != start:
            booked = format_span(
                app,
                contact,
                datetime.fromisoformat(existing.start),
                datetime.fromisoformat(existing.end),
            )
            raise ScheduleError(
                f"{contact.label()} already has a meeting on {booked}.",
                hint=f"Move it with `outreach reschedule {_ref(contact)} --at ...`, or "
                f"cancel it first with `outreach cancel {_ref(contact)}`.",
            )
        meeting = existing  # an interrupted booking of the same time: finish it
    else:
        _check_time(app, contact, start, end, confirm)
        domain = app.config.user.email.rpartition("@")[2] or "outreach.local"
        stamp = iso(app.now())
        with app.store.transaction():
            meeting = app.store.meetings.create(
                contact_id=contact.id,
                start=iso(start),
                end=iso(end),
                uid=new_uid(domain),
                now=stamp,
            )
            for proposal in app.store.proposals.for_contact(contact.id, "held"):
                booked_it = datetime.fromisoformat(proposal.start) == start
                app.store.proposals.set_state(proposal.id, "booked" if booked_it else "released")
    return _invite_at(app, contact, meeting, send=send, video=video)


def _invite_at(
    app: AppContext,
    contact: Contact,
    meeting: MeetingRow,
    *,
    send: bool,
    video: bool | None = None,
) -> BookingResult:
    """The meeting's calendar event first (its Meet link goes into the invite), then its one
    invite for the time it now has."""
    step = keep_in_step(app, contact, meeting, video=video)
    issued = issue_invite(app, contact, step.meeting, "REQUEST", send=send)
    start, end = datetime.fromisoformat(issued.meeting.start), datetime.fromisoformat(
        issued.meeting.end
    )
    return BookingResult(
        issued.meeting,
        format_span(app, contact, start, end),
        issued.draft,
        issued.sent,
        issued.subject,
        copied=app.store.meeting_cc.for_contact(contact.id),
        calendar_note=step.note,
    )


def _scheduled(app: AppContext, contact: Contact) -> MeetingRow:
    meeting = app.store.meetings.latest(contact.id)
    if meeting is None or meeting.state != "scheduled":
        raise ScheduleError(
            f"{contact.label()} has no booked meeting.",
            hint=f"Book one with `outreach book {_ref(contact)} --slot N` (or --at ...).",
        )
    return meeting


def reschedule(
    app: AppContext,
    ref: str,
    *,
    at: str,
    send: bool,
    confirm: Confirm,
    their_time: bool = False,
    pick: PickZone = _never_asked,
) -> BookingResult:
    contact = _reachable(app, ref)
    meeting = _scheduled(app, contact)
    start = parse_when(app, at, contact, their_time=their_time, pick=pick)
    end = start + (datetime.fromisoformat(meeting.end) - datetime.fromisoformat(meeting.start))
    if datetime.fromisoformat(meeting.start) != start:
        _check_time(app, contact, start, end, confirm, own=meeting)
        with app.store.transaction():
            app.store.meetings.update(
                meeting.id, iso(app.now()), start=iso(start), end=iso(end), rsvp=None
            )
        meeting = app.store.meetings.by_id(meeting.id)
    return _invite_at(app, contact, meeting, send=send)


def cancel(app: AppContext, ref: str, *, send: bool) -> BookingResult:
    contact = app.store.contacts.get(ref)
    meeting = app.store.meetings.latest(contact.id)
    if meeting is None or meeting.state not in ("scheduled", "cancelled"):
        raise ScheduleError(
            f"{contact.label()} has no booked meeting to cancel.",
            hint=f"`outreach contacts show {_ref(contact)}` shows their meetings.",
        )
    if meeting.state == "scheduled":
        with app.store.transaction():
            app.store.meetings.update(meeting.id, iso(app.now()), state="cancelled")
        meeting = app.store.meetings.by_id(meeting.id)
    start, end = datetime.fromisoformat(meeting.start), datetime.fromisoformat(meeting.end)
    when = format_span(app, contact, start, end)
    step = keep_in_step(app, contact, meeting)  # the event goes, whether or not invites went
    meeting = step.meeting
    if withdraw_invites(app, meeting):
        return BookingResult(
            app.store.meetings.by_id(meeting.id), when, withdrawn=True, calendar_note=step.note
        )
    issued = issue_invite(app, contact, meeting, "CANCEL", send=send)
    return BookingResult(
        issued.meeting,
        when,
        issued.draft,
        issued.sent,
        issued.subject,
        copied=app.store.meeting_cc.for_contact(contact.id),
        calendar_note=step.note,
    )
