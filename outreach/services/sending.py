"""Sending drafted messages: explicit, capped, and at most once per message, ever.

Each send is claimed in its own committed transaction before the backend call. If the call
fails without proof that nothing went out, the claim stays: the message is never sent a
second time; `outreach sync` later sees whether it really left.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from outreach.app import AppContext
from outreach.clock import iso
from outreach.errors import MailError, NotSentError, SendCapError
from outreach.store import MessageRow

ProgressFn = Callable[[int], None]


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    uncertain: list[tuple[str, str]] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)  # left unsent, and why


def sendable(app: AppContext, refs: Sequence[str]) -> list[MessageRow]:
    """Drafted messages never claimed for sending, for the named contacts (or all)."""
    ids = [app.store.contacts.get(ref).id for ref in refs] if refs else None
    rows = app.store.messages.in_state("drafted", ids)
    return [row for row in rows if row.send_started_at is None and row.draft_id]


_REDRAFT = {
    "outreach": "re-draft it with `outreach draft outreach {ref}`",
    "followup": "`outreach due` says what to do instead",
    "newtimes": "re-draft it with `outreach followup`",
    "confirm": "`outreach contacts show {ref}` shows the meeting",
    "cancel": "`outreach contacts show {ref}` shows the meeting",
}


def split_stale(
    app: AppContext, rows: Sequence[MessageRow]
) -> tuple[list[MessageRow], list[tuple[str, str]]]:
    """(the rows that may be sent, (label, why not) for the stale ones)."""
    from outreach.services.staleness import stale_reason

    facts = app.store.facts()
    fresh: list[MessageRow] = []
    stale: list[tuple[str, str]] = []
    for row in rows:
        reason = stale_reason(app, row, facts[row.contact_id])
        if reason is None:
            fresh.append(row)
            continue
        contact = app.store.contacts.get(row.contact_id)
        fix = _REDRAFT.get(row.kind, "`outreach due` says what to do now").format(
            ref=contact.email or contact.id
        )
        stale.append((contact.label(), f"{row.kind} not sent: {reason}; {fix}"))
    return fresh, stale


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


def send_messages(
    app: AppContext, rows: Sequence[MessageRow], *, progress: ProgressFn | None = None
) -> SendReport:
    """Send each row at most once; a stale one (see :mod:`outreach.services.staleness`) is
    left unsent, whoever asked for it. ``progress`` is advanced by one per message."""
    store = app.store
    backend = app.mail()
    report = SendReport()
    fresh, report.stale = split_stale(app, rows)
    if progress and report.stale:
        progress(len(report.stale))
    for row in fresh:
        if progress:
            progress(1)
        contact = store.contacts.get(row.contact_id)
        label = contact.label()
        stamp = iso(app.now())
        with store.transaction():
            claimed = store.messages.claim_send(row.id, stamp)
        if not claimed:
            report.failed.append((label, "already sent (or a send was already attempted)"))
            continue
        try:
            assert row.draft_id is not None
            result = backend.send_draft(row.draft_id)
        except NotSentError as exc:
            sent = backend.find_sent(row.message_id, row.thread_id)
            with store.transaction():
                if sent is not None:
                    store.messages.mark_sent(
                        row.id, gmail_id=sent.message_id, thread_id=sent.thread_id, sent_at=stamp
                    )
                    report.sent.append(label)
                    continue
                store.messages.release_claim(row.id, exc.message, stamp)
            report.failed.append((label, exc.message))
            continue
        except MailError as exc:
            with store.transaction():
                store.messages.set_error(row.id, f"send outcome unknown: {exc.message}", stamp)
            report.uncertain.append((label, exc.message))
            continue
        with store.transaction():
            store.messages.mark_sent(
                row.id, gmail_id=result.message_id, thread_id=result.thread_id, sent_at=stamp
            )
        report.sent.append(label)
    _invited_on_calendar(app, [r for r in fresh if r.kind == "confirm" and r.meeting_id])
    return report


def _invited_on_calendar(app: AppContext, rows: Sequence[MessageRow]) -> None:
    """Invites that reached their contact make the contact a guest on the user's calendar
    event (Gmail backend); what fails here is caught up by the next sync."""
    if not rows or app.config.mail.backend != "gmail":
        return
    from outreach.errors import OutreachError
    from outreach.services.calendar_sync import keep_in_step

    for row in rows:
        current = app.store.messages.by_id(row.id)
        if current.state != "sent" or current.meeting_id is None:
            continue
        meeting = app.store.meetings.by_id(current.meeting_id)
        try:
            keep_in_step(app, app.store.contacts.get(row.contact_id), meeting)
        except OutreachError:
            continue

