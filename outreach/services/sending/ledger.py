"""The mailbox is the last word on what was sent.

Before `draft` or `send` does anything, the newest messages of the mailbox's own sent mail
(``sent/`` for the local backend; Gmail's SENT label) are read, headers only. A message outreach
made (its Message-ID is ``<outreach.HEX@...>``) to one of the contacts, that the database does
not know, means the database is older than the mailbox: it was emptied, deleted and re-made, or
rolled back to an old backup. Drafting or sending from it could write to the same person a
second time, so both refuse, and say how to bring the database up to date.

Why refuse rather than rebuild: a backup holds far more than the sent mail can tell (notes,
meetings, proposals, promises, referrals), and `outreach sync` already records a send found in
the mailbox against the contact it went to (an ``own_send`` event), which makes that contact
"sent" again; so the way back is `outreach restore` (the newest backup) then `outreach sync`,
or, with no backup, importing the contacts again then `outreach sync`. Nothing is guessed.

Only the newest :data:`LOOKBACK` sent messages are read (one Gmail list call and one batch; a
few files locally): a loss shows up there, because the lost sends are the newest ones.
"""

from __future__ import annotations

import re

from outreach.app import AppContext
from outreach.clock import iso
from outreach.errors import OutreachError
from outreach.mail.backend import SentHeaders

LOOKBACK = 50
_OURS = re.compile(r"^<outreach\.[0-9a-f]{32}@[^<>\s]+>$")


class DatabaseBehindMailbox(OutreachError):
    """The mailbox holds sends the database does not know: drafting or sending could double."""


def made_by_outreach_id(message_id: str) -> bool:
    """Whether a Message-ID is one outreach makes (``<outreach.HEX@domain>``)."""
    return bool(_OURS.match(message_id.strip()))


def made_by_outreach(message: SentHeaders) -> bool:
    return made_by_outreach_id(message.message_id)


def unknown_sends(app: AppContext) -> list[tuple[SentHeaders, str]]:
    """(sent message, the contact's address) for each recent send of ours to a contact that
    the database does not record, newest first."""
    recent = [m for m in app.mail().recent_sent(LOOKBACK) if made_by_outreach(m)]
    if not recent:
        return []
    contacts = app.store.contacts.ids_by_email()
    to_contacts = [
        (m, next(a for a in m.recipients if a in contacts))
        for m in recent
        if any(a in contacts for a in m.recipients)
    ]
    known = app.store.ledger.known((m.message_id, m.backend_id) for m, _ in to_contacts)
    # A draft of ours that the user sent from their mail app (Outlook and IMAP clients keep
    # its Message-ID) is gone from the drafts: known too, as send and sync find its sent copy.
    # One still in the drafts beside its sent copy is the database rolled back: refused.
    waiting = app.store.ledger.waiting_drafts(
        m.message_id for m, _ in to_contacts if m.message_id not in known
    )
    if waiting:
        present = app.mail().draft_versions(list(waiting.values()))
        known |= {mid for mid, draft_id in waiting.items() if draft_id not in present}
    return [(m, address) for m, address in to_contacts if m.message_id not in known]


def ensure_database_knows_the_mailbox(app: AppContext, doing: str) -> None:
    """Refuse ``doing`` (e.g. "draft") when the database is older than the mailbox."""
    unknown = unknown_sends(app)
    if not unknown:
        return
    from outreach.store.trouble import restore_hint

    people = sorted({address for _, address in unknown})
    shown = ", ".join(people[:3]) + (f" and {len(people) - 3} more" if len(people) > 3 else "")
    where = "Gmail's Sent mail" if app.mail().name == "gmail" else "sent/"
    raise DatabaseBehindMailbox(
        f"{where} holds {len(unknown)} message{'' if len(unknown) == 1 else 's'} outreach sent "
        f"that the database does not know (to {shown}): the database is older than the "
        f"mailbox (emptied, re-made or rolled back). Nothing was {doing}, so no one is "
        "written to twice.",
        hint=restore_hint(app.workspace.backups_dir)
        + " Then run `outreach sync --full`: it records the sends found in the mailbox "
        "against their contacts (with no backup, import your contacts again first).",
    )


def record_unknown_sends(app: AppContext, *, full: bool, dry_run: bool) -> int:
    """After a first or full sync (``full``): record each recent send of ours to a contact
    that the database does not know as that contact's send (an ``own_send`` event), so the
    contact is "sent" again and nothing is drafted to them twice. Returns how many."""
    if not full:
        return 0
    unknown = unknown_sends(app)
    ours = app.store.ledger.drafted(m.message_id for m, _ in unknown)
    unknown = [(m, address) for m, address in unknown if m.message_id not in ours]
    if dry_run or not unknown:
        return 0
    contacts = app.store.contacts.ids_by_email()
    recorded = 0
    with app.store.transaction():
        for message, address in unknown:
            when = message.sent_at or app.now()
            recorded += app.store.events.record(
                gmail_id=message.backend_id,
                thread_id=message.thread_id or message.message_id,
                contact_id=contacts[address],
                kind="own_send",
                sender=app.config.user.email.casefold(),
                subject=message.subject,
                occurred_at=iso(when),
                message_id=message.message_id,
                address=address,
                detail="found in the mailbox's sent mail, unknown to the database",
            )
    return recorded
