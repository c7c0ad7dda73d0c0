"""Drafts that will not be sent: discarded on purpose, or deleted by hand.

`outreach discard CONTACT` removes the contact's unsent drafts from the outbox (or Gmail) and
what they held: the times they offered are free again, and the step they were for goes back
to "draft it" in `due` (a discarded message is part of no conversation). A draft the user
deleted in their mail client is noticed the same way (:func:`notice_gone_drafts`): unless a
sent copy shows it went out, it is discarded, so `due` and `send` never wait on a draft that
is not there. Invites belong to their meeting: `reschedule` or `cancel` change those (and an
invite deleted by hand is left to them too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from outreach.app import AppContext
from outreach.clock import iso
from outreach.errors import ContactError, MailError
from outreach.services.drafting.staleness import WHAT
from outreach.store import MessageRow

__all__ = ["DiscardReport", "discard_drafts", "notice_gone_drafts", "unsent_drafts"]

INVITE_KINDS = frozenset({"confirm", "cancel"})
@dataclass
class DiscardReport:
    label: str
    discarded: list[str] = field(default_factory=list)  # what each was ("new times")
    released: int = 0  # offered times made free again
    kept_invites: int = 0  # invites left (they belong to the meeting)


def unsent_drafts(app: AppContext, contact_ids: list[int] | None = None) -> list[MessageRow]:
    """Drafted messages whose send was never begun."""
    return [
        row
        for row in app.store.messages.in_state("drafted", contact_ids)
        if row.send_started_at is None
    ]


def _forget(app: AppContext, row: MessageRow, stamp: str, why: str) -> int:
    store = app.store
    store.messages.discard(row.id, stamp)
    store.messages.set_error(row.id, why, stamp)
    return store.proposals.drop_for_message(row.idem_key)


def discard_drafts(app: AppContext, ref: str) -> DiscardReport:
    """Remove the contact's unsent drafts (invites excepted) and free what they held."""
    store = app.store
    contact = store.contacts.get(ref)
    report = DiscardReport(contact.label())
    rows = unsent_drafts(app, [contact.id])
    invites = [row for row in rows if row.kind in INVITE_KINDS]
    rows = [row for row in rows if row.kind not in INVITE_KINDS]
    report.kept_invites = len(invites)
    if not rows:
        hint = (
            f"An invite belongs to its meeting: `outreach cancel {contact.email or contact.id}` "
            "cancels it, `outreach reschedule` moves it."
            if invites
            else "`outreach contacts show CONTACT` lists their messages."
        )
        raise ContactError(f"{contact.label()} has no unsent draft to discard.", hint=hint)
    backend = app.mail()
    stamp = iso(app.now())
    for row in rows:
        if row.draft_id:
            backend.delete_draft(row.draft_id)
        with store.transaction():
            report.released += _forget(app, row, stamp, "discarded by the user")
        report.discarded.append(WHAT.get(row.kind, row.kind))
    return report


def notice_gone_drafts(app: AppContext, *, look_for_sends: bool = True) -> list[str]:
    """Discard the drafts the user deleted by hand (their step goes back to "draft it");
    returns their contacts' labels. A draft that is gone because it was sent from the mail
    client is left for `sync` to record (looked up when ``look_for_sends``; without the
    lookup, as `due` runs offline, only the local outbox is checked)."""
    store = app.store
    rows = [row for row in unsent_drafts(app) if row.draft_id and row.kind not in INVITE_KINDS]
    if not rows:
        return []
    backend = app.mail()
    local = backend.kind.files_on_disk
    if not local and not look_for_sends:
        return []
    try:
        if local:  # a stat per draft, not a read
            present = {row.draft_id for row in rows if backend.draft_exists(str(row.draft_id))}
        else:  # one paged drafts.list
            present = set(backend.draft_versions([str(row.draft_id) for row in rows]))
    except MailError:
        return []
    gone_labels: list[str] = []
    stamp = iso(app.now())
    for row in rows:
        if row.draft_id in present:
            continue
        if not local:
            address = store.contacts.get(row.contact_id).email
            try:
                sent = backend.find_sent(
                    row.message_id,
                    row.thread_id,
                    recipients=[address] if address else [],
                    subject=row.subject,
                    since=datetime.fromisoformat(row.created_at),
                )
            except MailError:
                continue
            if sent is not None:
                continue  # sent from Gmail: `sync` records it
        with store.transaction():
            _forget(app, row, stamp, "deleted by hand before it was sent")
        gone_labels.append(store.contacts.get(row.contact_id).label())
    return gone_labels
