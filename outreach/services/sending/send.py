"""Sending drafted messages: explicit, capped, and at most once per message, ever.

Each send is claimed in its own committed transaction before the backend call. If the call
fails without an answer (a lost connection), its outcome is looked up at once: a sent copy in
the message's thread (by Message-ID, or, as a mail client may give the sent copy a Message-ID
of its own, by SENT label, recipient, subject and time since the claim) means it went out;
no sent copy while Gmail still holds the draft means nothing did, and it is tried again.
Otherwise the claim stays: the message is never sent a second time; `outreach sync` later
sees whether it really left.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from outreach.app import AppContext
from outreach.clock import iso
from outreach.errors import MailError, NotSentError, SendCapError, SendOutcomeUnknown
from outreach.mail.backend import MailBackend, SentRef
from outreach.store import MessageRow
from outreach.store.trouble import DatabaseTrouble

ProgressFn = Callable[[int], None]


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    uncertain: list[tuple[str, str]] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)  # left unsent, and why
    already: list[str] = field(default_factory=list)  # found sent from Gmail: not sent again
    stopped: str | None = None  # why the run stopped early (a full disk), said at once


def sendable(app: AppContext, refs: Sequence[str]) -> list[MessageRow]:
    """Drafted messages never claimed for sending, for the named contacts (or all)."""
    ids = [app.store.contacts.get(ref).id for ref in refs] if refs else None
    rows = app.store.messages.in_state("drafted", ids)
    return [row for row in rows if row.send_started_at is None and row.draft_id]


def split_stale(
    app: AppContext, rows: Sequence[MessageRow]
) -> tuple[list[MessageRow], list[tuple[str, str]]]:
    """(the rows that may be sent, (label, why not) for the stale ones)."""
    from outreach.services.drafting.staleness import stale_instruction, stale_reason

    facts = app.store.facts()
    fresh: list[MessageRow] = []
    stale: list[tuple[str, str]] = []
    for row in rows:
        reason = stale_reason(app, row, facts[row.contact_id])
        if reason is None:
            fresh.append(row)
            continue
        contact = app.store.contacts.get(row.contact_id)
        ref = contact.email or str(contact.id)
        stale.append((contact.label(), f"not sent: {stale_instruction(row, reason, ref)}"))
    return fresh, stale


def split_unattached(
    app: AppContext, rows: Sequence[MessageRow]
) -> tuple[list[MessageRow], list[tuple[str, str]]]:
    """(the rows that may go, (label, the sentence) for those that say they include something
    and carry nothing)."""
    from outreach.services.drafting.attaching import missing_attachment

    fine: list[MessageRow] = []
    refused: list[tuple[str, str]] = []
    for row in rows:
        claim = missing_attachment(app, row)
        if claim is None:
            fine.append(row)
        else:
            refused.append((app.store.contacts.get(row.contact_id).label(), claim))
    return fine, refused


def within_cap(
    app: AppContext, rows: Sequence[MessageRow], now: datetime
) -> tuple[list[MessageRow], list[MessageRow]]:
    """(as many rows as the cap allows now, oldest first; the rest, marked held so `due`
    lists them and they are re-planned before they go)."""
    from outreach.services.sending.held import cap_room

    ordered = sorted(rows, key=lambda row: (row.created_at, row.id))
    room = cap_room(app, now)
    now_rows, held = ordered[:room], ordered[room:]
    if held:
        with app.store.transaction():
            app.store.messages.hold([row.id for row in held], iso(now))
    return now_rows, held


def check_cap(app: AppContext, wanted: int, now: datetime) -> None:
    """Refuse a run that would pass the rolling-24-hour cap, saying when room frees up."""
    cap = app.config.mail.daily_send_cap
    recent = app.store.messages.sent_in_last_day(now)
    room = cap - len(recent)
    if wanted <= room:
        return
    if recent:
        frees_at = datetime.fromisoformat(recent[max(0, wanted - room - 1)]) + timedelta(days=1)
        when = frees_at.astimezone(app.config.user.zone).strftime("%a %d %b %H:%M %Z")
        wait = f"room for {wanted} frees up at {when}"
    else:
        wait = "the cap is lower than this run"
    raise SendCapError(
        f"Sending {wanted} message{'' if wanted == 1 else 's'} would pass your daily cap of {cap} "
        f"({len(recent)} sent in the last 24 hours, {max(room, 0)} left); {wait}.",
        hint="Send fewer with `outreach send CONTACT ...` or `--limit N`, or raise "
        "mail.daily_send_cap in config.toml.",
    )


def _sent_copy(
    backend: MailBackend, row: MessageRow, address: str | None, since: datetime
) -> SentRef | None:
    """The sent copy of ``row`` sent since ``since``, if Gmail has one; None when not found
    or when Gmail cannot be asked (the outcome then stays unknown)."""
    try:
        return backend.find_sent(
            row.message_id,
            row.thread_id,
            recipients=[address] if address else [],
            subject=row.subject,
            since=since,
        )
    except MailError:
        return None


SEND_ATTEMPTS = 3  # a send whose answer is lost is looked up, then tried again this often


def _draft_still_there(backend: MailBackend, draft_id: str) -> bool:
    try:
        return backend.draft_exists(draft_id)
    except MailError:
        return False


def _send(backend: MailBackend, row: MessageRow, address: str | None, now: datetime) -> SentRef:
    """Send the row's draft. When the answer is lost, find out instead of guessing: a sent
    copy means it went out; no sent copy while Gmail still holds the draft means nothing went
    out (a sent draft leaves the drafts), so it is sent again (up to SEND_ATTEMPTS times in
    all); anything else leaves the outcome unknown (MailError), and it is never sent again."""
    assert row.draft_id is not None
    for attempt in range(SEND_ATTEMPTS):
        try:
            return backend.send_draft(row.draft_id, now)
        except NotSentError:
            raise
        except SendOutcomeUnknown:  # the backend looked already; never retried blindly
            raise
        except MailError:
            sent = _sent_copy(backend, row, address, now)
            if sent is not None:
                return sent
            if attempt + 1 < SEND_ATTEMPTS and _draft_still_there(backend, row.draft_id):
                continue
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def send_messages(
    app: AppContext, rows: Sequence[MessageRow], *, progress: ProgressFn | None = None
) -> SendReport:
    """Send each row at most once; a stale one (see :mod:`outreach.services.drafting.staleness`) is
    left unsent, whoever asked for it. ``progress`` is advanced by one per message."""
    from outreach.services.sending.ledger import ensure_database_knows_the_mailbox

    store = app.store
    backend = app.mail()
    report = SendReport()
    if rows:
        ensure_database_knows_the_mailbox(app, "sent")
    fresh, report.stale = split_stale(app, rows)
    if progress and report.stale:
        progress(len(report.stale))
    for row in fresh:
        if progress:
            progress(1)
        contact = store.contacts.get(row.contact_id)
        label = contact.label()
        now = app.now()
        stamp = iso(now)
        with store.transaction():
            claimed = store.messages.claim_send(row.id, stamp)
        if not claimed:
            report.failed.append((label, "already sent (or a send was already attempted)"))
            continue
        try:
            result = _send(backend, row, contact.email, now)
        except OSError as exc:
            # The disk (or folder) refused the write: nothing of this message moved.
            why = f"{exc.strerror or exc} ({getattr(exc, 'filename', '') or 'the sent folder'})"
            with store.transaction():
                store.messages.release_claim(row.id, f"not sent: {why}", stamp)
            report.stopped = f"stopped at {label}: {why}"
            break
        except NotSentError as exc:
            # The draft may be gone because the user sent it in Gmail, at any time before.
            sent = _sent_copy(backend, row, contact.email, datetime.fromisoformat(row.created_at))
            with store.transaction():
                if sent is not None:
                    store.messages.mark_sent(
                        row.id, gmail_id=sent.message_id, thread_id=sent.thread_id, sent_at=stamp
                    )
                    report.already.append(label)
                    continue
                store.messages.release_claim(row.id, exc.message, stamp)
            report.failed.append((label, exc.message))
            continue
        except MailError as exc:  # looked up already: no sent copy, and the draft is gone
            with store.transaction():
                store.messages.set_error(row.id, f"send outcome unknown: {exc.message}", stamp)
            report.uncertain.append((label, exc.message))
            continue
        try:
            with store.transaction():
                store.messages.mark_sent(
                    row.id, gmail_id=result.message_id, thread_id=result.thread_id, sent_at=stamp
                )
        except (sqlite3.Error, OSError, DatabaseTrouble) as exc:
            # It went (or moved to sent/), but the disk refused to record it: said at once,
            # and the claim stays, so it is never sent again; `sync` records it.
            report.sent.append(label)
            why = exc.message if isinstance(exc, DatabaseTrouble) else str(exc)
            report.stopped = (
                f"{label} was sent but could not be recorded ({why.split(':')[0]}); once "
                "there is space, `outreach sync` records it"
            )
            break
        report.sent.append(label)
    _invited_on_calendar(app, [r for r in fresh if r.kind == "confirm" and r.meeting_id])
    return report


def _invited_on_calendar(app: AppContext, rows: Sequence[MessageRow]) -> None:
    """Invites that reached their contact make the contact a guest on the user's calendar
    event (Gmail backend); what fails here is caught up by the next sync."""
    if not rows or not app.mail_kind().calendar_guests:
        return
    from outreach.errors import OutreachError
    from outreach.services.meetings.calendar_sync import keep_in_step

    for row in rows:
        current = app.store.messages.by_id(row.id)
        if current.state != "sent" or current.meeting_id is None:
            continue
        meeting = app.store.meetings.by_id(current.meeting_id)
        try:
            keep_in_step(app, app.store.contacts.get(row.contact_id), meeting)
        except OutreachError:
            continue

