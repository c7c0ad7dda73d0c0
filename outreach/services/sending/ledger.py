"""The mailbox is the last word on what was sent.

Before `draft` or `send` does anything, the newest messages of the mailbox's own sent mail
(``sent/`` for the local backend; Gmail's SENT label) are read, headers only. A message outreach
made (its Message-ID is ``<outreach.HEX@...>``) to one of the contacts, that the database does
not know, means the database is older than the mailbox: it was emptied, deleted and re-made, or
rolled back to an old backup. Drafting or sending from it could write to the same person a
second time, so both refuse, and say how to bring the database up to date.

Why refuse rather than rebuild: a backup holds far more than the sent mail can tell (notes,
meetings, proposals, promises, referrals). What the sent mail does say is recovered by the
first sync of a database (and by `outreach sync --full`): each send of ours to a contact that
the database lost becomes that contact's sent message again (:func:`record_unknown_sends`).
So the way back is `outreach restore` (the newest backup) then `outreach sync --full`, or,
with no backup, importing the contacts again then `outreach sync --full`.

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


def _ours_to_contacts(app: AppContext) -> list[tuple[SentHeaders, str]]:
    """(sent message, the contact's address) for the recent sends outreach made to contacts."""
    recent = [m for m in app.mail().recent_sent(LOOKBACK) if made_by_outreach(m)]
    if not recent:
        return []
    contacts = app.store.contacts.ids_by_email()
    return [
        (m, next(a for a in m.recipients if a in contacts))
        for m in recent
        if any(a in contacts for a in m.recipients)
    ]


def unknown_sends(app: AppContext) -> list[tuple[SentHeaders, str]]:
    """(sent message, the contact's address) for each recent send of ours to a contact that
    the database does not record, newest first."""
    to_contacts = _ours_to_contacts(app)
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
    """Refuse ``doing`` (e.g. "drafted") when the database is older than the mailbox.

    A message the database holds as drafted that the sent mail already has (the user sent it
    from their mail client, and no sync has run since) is known: drafting leaves it to the
    usual path (a sent draft is followed up, never rewritten); before a send it is recorded as
    sent, as sync would, so it is not sent a second time."""
    unknown = unknown_sends(app)
    if not unknown:
        return
    if doing == "sent":
        known = _record_sent_from_the_mail_client(app, unknown)
    else:
        known = set(app.store.ledger.unsent_rows(m.message_id for m, _ in unknown))
    unknown = [(m, address) for m, address in unknown if m.message_id not in known]
    if not unknown:
        return
    from outreach.store.trouble import restore_hint

    people = sorted({address for _, address in unknown})
    shown = ", ".join(people[:3]) + (f" and {len(people) - 3} more" if len(people) > 3 else "")
    where = app.mail().kind.sent_mail_shown
    raise DatabaseBehindMailbox(
        f"{where} holds {len(unknown)} message{'' if len(unknown) == 1 else 's'} outreach sent "
        f"that the database does not know (to {shown}): the database is older than the "
        f"mailbox (emptied, re-made or rolled back). Nothing was {doing}, so no one is "
        "written to twice.",
        hint=restore_hint(app.workspace.backups_dir)
        + " Then run `outreach sync --full`: it records the sends found in the mailbox "
        "against their contacts (with no backup, import your contacts again first).",
    )


def _record_sent_from_the_mail_client(
    app: AppContext, unknown: list[tuple[SentHeaders, str]]
) -> set[str]:
    rows = app.store.ledger.unsent_rows(m.message_id for m, _ in unknown)
    if not rows:
        return set()
    gmail = app.mail().kind.ids_in_history
    with app.store.transaction():
        for message, _ in unknown:
            row_id = rows.get(message.message_id)
            if row_id is not None:
                app.store.messages.mark_sent(
                    row_id,
                    gmail_id=message.backend_id if gmail else None,
                    thread_id=None,
                    sent_at=iso(message.sent_at or app.now()),
                )
    return set(rows)


def record_unknown_sends(app: AppContext, *, full: bool, dry_run: bool) -> int:
    """After a first or full sync (``full``): record each recent send of ours to a contact
    that the database does not know, as that contact's sent message (kind ``outreach`` for a
    first message, ``followup`` for one in a thread; template ``recovered``), so the contact is
    "sent" again and no first message is drafted to them twice. Returns how many."""
    if not full:
        return 0
    # Not unknown_sends: sync may have recorded such a send as an event (the user's mail to a
    # contact), which says "sent" but not "a first message was sent".
    unknown = _ours_to_contacts(app)
    ours = app.store.ledger.drafted(m.message_id for m, _ in unknown)
    unknown = [(m, address) for m, address in unknown if m.message_id not in ours]
    if dry_run or not unknown:
        return 0
    contacts = app.store.contacts.ids_by_email()
    gmail = app.mail().kind.ids_in_history
    recorded = 0
    with app.store.transaction():
        for message, address in unknown:
            recorded += app.store.ledger.recover_sent(
                contact_id=contacts[address],
                kind="followup" if message.is_reply else "outreach",
                subject=message.subject,
                message_id=message.message_id,
                backend=app.mail().name,
                backend_id=message.backend_id if gmail else None,
                thread_id=message.thread_id or message.message_id,
                sent_at=iso(message.sent_at or app.now()),
                recipient=address,
            )
    return recorded
