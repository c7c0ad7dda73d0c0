"""One meeting, one invite: the meeting's invite draft is rewritten, never added to.

A meeting's invites are message rows with its ``meeting_id`` (kinds ``confirm`` and ``cancel``).
At most one of them is unsent at any time:

- booking or moving the meeting rewrites that unsent draft (same row, same draft, same
  Message-ID), or writes a new one when every earlier invite was sent;
- cancelling before any invite was sent removes the draft and sends nothing; cancelling after
  one was sent turns the unsent draft (if any) into the cancellation;
- SEQUENCE is the number of invites the contact already received, so it rises only over
  invites they saw, and their calendar always applies the newest one.

An invite that looks unsent may have been sent from the mail client since the last sync
(Gmail's Send button, or a draft moved to ``sent/`` by hand): before it is rewritten or
removed, a failure to find its draft is checked against the sent mail, and a send found there
counts as received.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from outreach.app import AppContext
from outreach.clock import iso
from outreach.contacts.model import Contact
from outreach.errors import ScheduleError
from outreach.schedule.invites import build_invite
from outreach.services.drafting.drafts import DraftReport, draft_messages, plan_messages
from outreach.services.meetings.meeting_context import meeting_context
from outreach.services.sending.send import SendReport, check_cap, send_messages
from outreach.store import MessageRow
from outreach.store.meetings import MeetingRow

__all__ = ["Issued", "issue_invite", "withdraw_invites"]


@dataclass
class Issued:
    meeting: MeetingRow
    draft: DraftReport
    sent: SendReport | None
    subject: str


def _rows(app: AppContext, meeting: MeetingRow) -> tuple[list[MessageRow], list[MessageRow]]:
    """(invites the contact received, unsent invite drafts) of the meeting, oldest first."""
    rows = [r for r in app.store.messages.invites_for(meeting.id) if r.state != "discarded"]
    return [r for r in rows if r.reached_contact], [r for r in rows if not r.reached_contact]


def _found_sent(app: AppContext, row: MessageRow) -> bool:
    """Whether an unsent-looking invite was sent from the mail client; if so, record it."""
    sent = app.mail().find_sent(row.message_id, row.thread_id)
    if sent is None:
        return False
    with app.store.transaction():
        app.store.messages.mark_sent(
            row.id, gmail_id=sent.message_id, thread_id=sent.thread_id, sent_at=iso(app.now())
        )
    return True


def _discard(app: AppContext, row: MessageRow) -> bool:
    """Remove an unsent invite draft; False when it turned out to have been sent."""
    if row.draft_id and not app.mail().delete_draft(row.draft_id) and _found_sent(app, row):
        return False
    with app.store.transaction():
        app.store.messages.discard(row.id, iso(app.now()))
    return True


def withdraw_invites(app: AppContext, meeting: MeetingRow) -> bool:
    """Remove the meeting's unsent invite drafts; True when the contact never received an
    invite, so a cancellation has nothing to cancel."""
    received, pending = _rows(app, meeting)
    if received:
        return False
    return all(_discard(app, row) for row in pending)


def _summary(app: AppContext, contact: Contact, meeting: MeetingRow, method: str) -> str:
    user = app.config.user
    who = f"{user.name} / {contact.name}"
    if method == "CANCEL":
        return f"Cancelled: informational conversation, {who}"
    if meeting.sequence:
        return f"Informational conversation, {who} (moved)"
    return f"Informational conversation, {who}"


def _ics(
    app: AppContext, contact: Contact, meeting: MeetingRow, method: str, copied: list[str]
) -> bytes:
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
        summary=_summary(app, contact, meeting, method),
        description=agenda,
        location_or_join=meeting.join_url
        or app.config.schedule.how_to_join
        or "By phone or video, as we agree by email.",
        dtstamp=app.now(),
        copied=copied,
    )


def issue_invite(
    app: AppContext,
    contact: Contact,
    meeting: MeetingRow,
    method: str,
    *,
    send: bool,
    second_try: bool = False,
) -> Issued:
    """Draft (and with ``send``, send) the meeting's one invite for its current time, or its
    cancellation: the unsent draft is rewritten, or a new one written after a sent one."""
    store = app.store
    received, pending = _rows(app, meeting)
    for extra in pending[:-1]:  # left by an older version, which added a draft per change
        _discard(app, extra)
    pending = pending[-1:]
    all_rows = store.messages.invites_for(meeting.id)
    key = pending[0].idem_key if pending else f"invite:{meeting.id}:{len(all_rows) + 1}"
    with store.transaction():
        store.meetings.update(meeting.id, iso(app.now()), sequence=len(received))
    meeting = store.meetings.by_id(meeting.id)
    template = "cancel" if method == "CANCEL" else "confirm"
    planned, skipped = plan_messages(
        app,
        template,
        [contact],
        extra_vars=lambda c: {"meeting": meeting_context(app, c)},
        key_for=lambda c: key,
        meeting_id=meeting.id,
    )
    if not planned:
        reason = skipped[0][1] if skipped else "nothing to draft"
        raise ScheduleError(f"Cannot write to {contact.label()}: {reason}.")
    plan = planned[0]
    plan.cc = store.meeting_cc.for_contact(contact.id)  # an assistant: To them, Cc assistant
    plan.ics = _ics(app, contact, meeting, method, plan.cc)
    plan.ics_method = "CANCEL" if method == "CANCEL" else "REQUEST"
    report = draft_messages(app, planned)
    if report.failed and pending and not second_try and _found_sent(app, pending[0]):
        # The draft we meant to rewrite was sent from the mail client: write a new invite.
        return issue_invite(app, contact, meeting, method, send=send, second_try=True)
    sent: SendReport | None = None
    if send and not report.failed:
        check_cap(app, 1, app.now())
        row = store.messages.by_key(plan.idem_key)
        assert row is not None
        sent = send_messages(app, [row])
    return Issued(store.meetings.by_id(meeting.id), report, sent, plan.subject)
