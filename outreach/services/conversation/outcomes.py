"""What the user tells outreach about a conversation that went off the script: a meeting that
did not happen, a reply they have read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from outreach.app import AppContext
from outreach.clock import iso
from outreach.contacts.model import Contact
from outreach.errors import OutreachError
from outreach.store.meetings import MeetingRow
from outreach.track.reader import (
    Decline,
    Deferral,
    Finding,
    ProposedRange,
    ProposedTime,
    Reading,
    Referral,
    SlotPick,
)

__all__ = [
    "MissedResult",
    "SaidByHand",
    "mark_missed",
    "mark_replies_seen",
    "reading_by_hand",
    "record_reply_said",
]


@dataclass(frozen=True)
class MissedResult:
    contact: Contact
    meeting: MeetingRow


def mark_missed(app: AppContext, ref: str) -> MissedResult:
    """Mark the contact's booked meeting, once it has started, as missed: never thanked; new
    times are due instead."""
    store = app.store
    contact = store.contacts.get(ref)
    now = app.now()
    with store.transaction():
        meeting = store.meetings.latest(contact.id)
        label = contact.email or str(contact.id)
        if meeting is None or meeting.state not in ("scheduled", "missed"):
            state = "nothing was booked" if meeting is None else f"the meeting is {meeting.state}"
            raise OutreachError(
                f"No booked meeting with {contact.label()} to mark missed: {state}.",
                hint=f"See `outreach contacts show {label}`.",
            )
        if datetime.fromisoformat(meeting.start) > now:
            raise OutreachError(
                f"The meeting with {contact.label()} has not started yet ({meeting.start}).",
                hint=f"To call it off, `outreach cancel {label}`.",
            )
        if meeting.state == "scheduled":
            store.meetings.update(meeting.id, iso(now), state="missed")
        return MissedResult(contact, store.meetings.by_id(meeting.id))


def mark_replies_seen(app: AppContext, ref: str) -> Contact:
    """The user read the contact's replies so far: `due` stops asking to read them."""
    store = app.store
    contact = store.contacts.get(ref)
    with store.transaction():
        store.contacts.mark_replies_seen(contact.id, iso(app.now()))
    return contact


@dataclass(frozen=True)
class SaidByHand:
    """What the user says a reply said, for a reply outreach could not read."""

    picked: int | None = None
    proposes: str | None = None  # a time, ISO 8601 (without an offset: their zone, else
    # yours), or a range START/END
    later: str | None = None  # "" when no date was named, else YYYY-MM-DD
    no: bool = False
    referrals: tuple[str, ...] = ()  # "Name <email>" or "Name"


def _moment(app: AppContext, contact: Contact, text: str) -> tuple[datetime, bool]:
    """A time as the user typed it, and whether its zone was assumed."""
    from outreach.services.meetings.availability import contact_zone_or_none

    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        raise OutreachError(
            f"--proposes {text!r} is not a date and time.",
            hint="Use e.g. --proposes 2026-11-10T10:00+01:00 (without the offset: their time "
            "zone when known, else yours), or a range START/END.",
        ) from None
    if moment.tzinfo is not None:
        return moment, False
    zone = contact_zone_or_none(contact)
    return moment.replace(tzinfo=zone or app.config.user.zone), zone is None


def _proposed(app: AppContext, contact: Contact, text: str) -> ProposedTime | ProposedRange:
    """--proposes TIME, or START/END (ISO 8601's interval) for a range."""
    evidence = f"recorded by hand: proposes {text}"
    if "/" in text:
        first, _, second = text.partition("/")
        (start, assumed), (end, _) = _moment(app, contact, first), _moment(app, contact, second)
        if not start < end:
            raise OutreachError(
                f"--proposes {text!r}: the range ends before it starts.",
                hint="Write it START/END, e.g. 2026-03-09T09:00/2026-03-13T12:00.",
            )
        return ProposedRange(start, end, evidence, assumed)
    moment, assumed = _moment(app, contact, text)
    return ProposedTime(moment, evidence, assumed)


def reading_by_hand(app: AppContext, contact: Contact, said: SaidByHand) -> Reading:
    """The Reading the reader would have made of a reply that says what the user says."""
    from outreach.services.meetings.meetings_log import parse_referral

    findings: list[Finding] = []
    if said.picked is not None:
        from outreach.services.sync.reading import offered_slots

        numbers = [slot.number for slot in offered_slots(app.store, contact.id)]
        if said.picked not in numbers:
            offered = ", ".join(map(str, numbers)) if numbers else "none were offered"
            raise OutreachError(
                f"--picked {said.picked}: {contact.label()} was offered times {offered}.",
                hint=f"See them with `outreach contacts show {contact.email or contact.id}`.",
            )
        findings.append(SlotPick(said.picked, f"recorded by hand: picked time {said.picked}"))
    if said.proposes is not None:
        findings.append(_proposed(app, contact, said.proposes))
    if said.later is not None:
        until = None
        if said.later:
            try:
                until = date.fromisoformat(said.later)
            except ValueError:
                raise OutreachError(
                    f"--later {said.later!r} is not a date.",
                    hint="Use e.g. --later 2026-11-16, or --later alone when they named none.",
                ) from None
        findings.append(Deferral(until, "recorded by hand: they will answer later"))
    if said.no:
        findings.append(Decline("recorded by hand: they said no"))
    for text in said.referrals:
        record = parse_referral(text)
        findings.append(Referral(record.name, record.email, f"recorded by hand: {text}"))
    if not findings:
        raise OutreachError(
            "Say what their reply said.",
            hint=f"`outreach reply {contact.email or contact.id} --picked N | --proposes TIME | "
            '--later [DATE] | --no | --referral "Name <email>"`, or --seen once read.',
        )
    return Reading(tuple(findings))


def record_reply_said(app: AppContext, ref: str, said: SaidByHand) -> tuple[Contact, Reading]:
    """Store what the contact's latest reply said on its event, where the reader's findings
    go: `due` then acts on it through the same rules."""
    from outreach.services.sync.reading import reading_json

    store = app.store
    contact = store.contacts.get(ref)
    reading = reading_by_hand(app, contact, said)
    with store.transaction():
        event = store.events.latest_reply(contact.id)
        if event is None:
            raise OutreachError(
                f"No reply from {contact.label()} has been seen.",
                hint="Run `outreach sync` first.",
            )
        store.events.set_reading(event.id, reading_json(reading))
    return contact, reading
