"""`outreach prep`: gather what the brief for a conversation says, from the store and config.

The layout is pure (:func:`outreach.compose.brief.brief_markdown`); this module collects the
values: who they are and how the user is connected (the referrer, and whether they may be
named), the thread so far (with what they wrote where the backend allows reading it), the
meeting in both zones with how to join, and questions fitted to their role from the bank.
:func:`brief_text` is the whole brief as Markdown for one contact, for a calendar event's
description as much as for the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path

from outreach.app import AppContext
from outreach.clock import iso
from outreach.compose.brief import Brief, ThreadEntry, brief_markdown
from outreach.compose.questions import Profile, load_bank, pick_questions
from outreach.contacts.model import Contact
from outreach.schedule.slots import Slot
from outreach.services.meetings.availability import contact_zone_or_none
from outreach.services.meetings.meeting_context import meeting_context
from outreach.store.meetings import MeetingRow

__all__ = [
    "QUESTIONS_FILE",
    "brief_text",
    "build_brief",
    "mark_prepared",
    "put_on_calendar",
    "questions_file",
]

QUESTIONS_FILE = "questions.toml"
# Columns that are about the import, not the person.
_SKIP_COLUMNS = frozenset({"connected_on", "connected on"})
_RSVP_TEXT = {
    "accepted": "They accepted the invite.",
    "tentative": "They answered the invite with a tentative yes.",
    "declined": "They declined this time: propose new times (`outreach due`).",
}


def questions_file(app: AppContext) -> Path:
    """The workspace's own questions, added to the shipped bank."""
    return app.workspace.root / QUESTIONS_FILE


def _when(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def _span(start: datetime, end: datetime, zone: tzinfo) -> str:
    if end <= start:
        end = start + timedelta(minutes=1)
    return Slot(start, end).format(zone)


def _connection(app: AppContext, contact: Contact) -> list[str]:
    """How the user knows them: the referrer (and whether to name them), the way they were
    found, where they came from."""
    store = app.store
    found: list[str] = []
    if contact.referred_by is not None:
        referrer = store.contacts.find(str(contact.referred_by))
        if referrer is not None:
            role = " at ".join(p for p in (referrer.title, referrer.org) if p)
            who = referrer.name + (f" ({role})" if role else "")
            found.append(f"Referred by {who}.")
            first = referrer.display_first_name
            if contact.mention_referrer is False:
                found.append(f"{first} would rather not be named: don't mention who suggested "
                             "you talk.")
            else:
                found.append(f"You may mention {first}: thank them for the introduction.")
    connection = str(contact.extra.get("connection", "")).strip()
    if connection:
        found.append(f"You found them through {connection}.")
    source = contact.source.casefold()
    if "linkedin" in source:
        found.append("A LinkedIn connection.")
    elif source and source not in ("manual", "referral", "csv"):
        found.append(f"From your {contact.source} contacts.")
    return found


def _thread(app: AppContext, contact: Contact) -> tuple[list[ThreadEntry], str]:
    """Our messages and theirs, oldest first, with their words where they can be read."""
    store = app.store
    zone = app.config.user.zone
    first = contact.display_first_name
    # (when, 1 for an answer of ours, the entry): within one second, our answer comes after
    # what it answers.
    entries: list[tuple[datetime, int, ThreadEntry]] = []
    own_ids: set[str] = set()
    for row in store.messages.for_contact(contact.id):
        if row.message_id:
            own_ids.add(row.message_id)
        if row.state != "sent" or row.sent_at is None:
            continue
        at = datetime.fromisoformat(row.sent_at)
        what = "sent the invite" if row.kind in ("confirm", "cancel") else "wrote"
        answers = 1 if row.in_reply_to else 0
        entries.append((at, answers, ThreadEntry(_when(at, zone), "You", what, row.subject)))
    events = store.events.for_contact(contact.id)
    readable = app.mail_kind().files_on_disk
    bodies: dict[str, str] = {}
    if readable:
        bodies = app.mail_kind().reply_bodies(
            app.workspace, [e.message_id for e in events if e.kind == "reply" and e.message_id]
        )
    for event in events:
        at = datetime.fromisoformat(event.occurred_at)
        if event.kind == "own_send":
            if event.message_id in own_ids:
                continue  # sync's record of a message above
            entry = ThreadEntry(_when(at, zone), "You", "wrote (outside outreach)", event.subject)
        elif event.kind == "reply":
            sender = event.sender if contact.email and event.sender != contact.email.casefold() \
                else first
            entry = ThreadEntry(
                _when(at, zone), sender, "replied", event.subject,
                bodies.get(event.message_id, ""),
            )
        elif event.kind == "rsvp":
            answer = event.detail.split(" the invite", 1)[0] or "answered"
            entry = ThreadEntry(_when(at, zone), first, f"{answer} the invite")
        elif event.kind == "auto_reply":
            back = f" (back {event.return_date})" if event.return_date else ""
            entry = ThreadEntry(_when(at, zone), first, f"was away: an automatic reply{back}")
        elif event.kind == "bounce":
            entry = ThreadEntry(_when(at, zone), "Mail", f"to {event.address} did not arrive")
        else:
            continue
        entries.append((at, 0, entry))
    entries.sort(key=lambda item: (item[0], item[1]))
    note = ""
    if not readable and any(e.kind == "reply" for e in events):
        note = (
            "With Gmail, outreach reads message headers only (the gmail.metadata scope): "
            "reread what they wrote in the thread in Gmail."
        )
    return [entry for _, _, entry in entries], note


@dataclass(frozen=True)
class _MeetingPart:
    when_yours: str = ""
    when_theirs: str = ""
    when_theirs_short: str = ""
    minutes: int = 0
    join: str = ""
    note: str = ""


def _meeting(app: AppContext, contact: Contact, meeting: MeetingRow | None) -> _MeetingPart:
    zone = app.config.user.zone
    ref = contact.email or str(contact.id)
    if meeting is None or meeting.state in ("cancelled",):
        note = (
            "Nothing is booked yet: `outreach book "
            f"{ref} --slot N` (or --at) books it and sends an invite."
            if meeting is None
            else f"The meeting was cancelled; nothing is booked (`outreach book {ref} --at ...`)."
        )
        return _MeetingPart(note=note)
    start = datetime.fromisoformat(meeting.start)
    end = datetime.fromisoformat(meeting.end)
    their_zone = contact_zone_or_none(contact)
    short = ""
    if their_zone is None:
        theirs = (
            f"unknown: their time zone is not set (`outreach contacts edit {ref} --tz "
            "Region/City`)"
        )
    else:
        theirs = f"{_span(start, end, their_zone)} ({contact.timezone})"
        short = _span(start, end, their_zone)
    context = meeting_context(app, contact) or {}
    note = _RSVP_TEXT.get(meeting.rsvp or "", "")
    if meeting.state == "held":
        note = f"Held; recorded {_when(datetime.fromisoformat(meeting.met_at), zone)}." if (
            meeting.met_at
        ) else "Held."
    return _MeetingPart(
        when_yours=_span(start, end, zone),
        when_theirs=theirs,
        when_theirs_short=short,
        minutes=max(1, int((end - start).total_seconds() // 60)),
        join=str(context.get("join") or ""),
        note=note,
    )


def build_brief(app: AppContext, ref: str) -> Brief:
    """Everything the brief for the conversation with ``ref`` says."""
    store = app.store
    contact = store.contacts.get(ref)
    user = app.config.user
    meeting = store.meetings.latest(contact.id)
    thread, note = _thread(app, contact)
    booked = _meeting(app, contact, meeting)
    columns = tuple(
        (key, str(value))
        for key, value in sorted(contact.extra.items())
        if str(value).strip() and key.casefold() not in _SKIP_COLUMNS and key != "connection"
    )
    profile = Profile(
        title=contact.title,
        org=contact.org,
        first_name=contact.display_first_name,
        field=user.extra.get("field", ""),
        columns={k: str(v) for k, v in contact.extra.items()},
    )
    questions = pick_questions(load_bank(questions_file(app)), profile)
    return Brief(
        name=contact.name,
        first_name=contact.display_first_name,
        title=contact.title,
        org=contact.org,
        email=contact.email or "",
        profile_url=contact.linkedin_url,
        notes=contact.notes,
        columns=columns,
        tags=tuple(contact.tags),
        connection=tuple(_connection(app, contact)),
        thread=tuple(thread),
        thread_note=note,
        questions=tuple(questions),
        pitch=user.extra.get("pitch", ""),
        your_field=user.extra.get("field", ""),
        record_command=f"outreach met {contact.email or contact.id}",
        when_yours=booked.when_yours,
        when_theirs=booked.when_theirs,
        when_theirs_short=booked.when_theirs_short,
        minutes=booked.minutes,
        join=booked.join,
        meeting_note=booked.note,
    )


def prepare(app: AppContext, ref: str, *, calendar: bool = True) -> tuple[str, str | None]:
    """What `outreach prep` does after printing: the brief read takes the prepare step out of
    `due`, and with Gmail it goes on the calendar. Returns (the brief, the calendar note as
    :func:`put_on_calendar` gives it)."""
    text = brief_text(app, ref)
    mark_prepared(app, ref)
    return text, put_on_calendar(app, ref, text) if calendar else None


def conversation(app: AppContext, ref: str) -> tuple[list[ThreadEntry], str]:
    """The thread so far, with their words where they can be read, and a note when they
    cannot (the web app's Contact page shows it as the brief does)."""
    return _thread(app, app.store.contacts.get(ref))


def brief_text(app: AppContext, ref: str) -> str:
    """The brief for ``ref`` as Markdown."""
    return brief_markdown(build_brief(app, ref))


def put_on_calendar(app: AppContext, ref: str, text: str) -> str | None:
    """With Gmail, the brief also goes on the user's own Google Calendar, beside the meeting,
    in a private event the contact never sees (:mod:`outreach.services.meetings.calendar_brief`).

    None when there is nothing to put it beside (the local backend, nothing booked, the
    meeting not on the calendar); "" when done; else a note saying why not.
    """
    if not app.mail_kind().calendar_guests:
        return None
    contact = app.store.contacts.get(ref)
    meeting = app.store.meetings.latest(contact.id)
    if meeting is None or meeting.state != "scheduled" or not meeting.calendar_event_id:
        return None
    from outreach.services.meetings.calendar_brief import set_private_brief

    return set_private_brief(app, meeting, text)


def mark_prepared(app: AppContext, ref: str) -> None:
    """The brief for the upcoming meeting was printed: the prepare action is done."""
    store = app.store
    contact = store.contacts.get(ref)
    meeting = store.meetings.latest(contact.id)
    if meeting is None or meeting.state != "scheduled" or meeting.prepared_at is not None:
        return
    with store.transaction():
        store.meetings.set_prepared(meeting.id, iso(app.now()))
