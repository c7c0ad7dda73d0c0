"""What `due`, `send` and `followup` say about the drafts themselves, in the same words.

Drafts held back by the daily cap, drafts that went stale while they waited (each with the
one instruction :func:`~outreach.services.drafting.staleness.stale_instruction` gives), and,
on the local backend, drafts deleted from the outbox by hand. Read-only: `due` writes
nothing; the next writing command (`send`, `followup`, `draft`, `sync`) discards a draft
deleted by hand (:func:`~outreach.services.drafting.discard.notice_gone_drafts`).
"""

from __future__ import annotations

from outreach.app import AppContext
from outreach.services.drafting.discard import INVITE_KINDS, unsent_drafts
from outreach.services.drafting.staleness import WHAT, stale_instruction, stale_reason
from outreach.store import MessageRow

__all__ = ["outbox_notes", "stale_drafts"]

FEW = 200
DUE_CHECKS_AT_MOST = 40  # drafts `due` checks for staleness (about 2 ms each)


def stale_drafts(
    app: AppContext, rows: list[MessageRow] | None = None, *, at_most: int | None = None
) -> list[tuple[str, str]]:
    """(contact label, instruction) for each unsent draft (of ``rows``, else all) that must
    not go as it is. Times that passed are left to `send` (it re-plans a held draft, and says
    what to do about any other); checking them costs a query per draft, and `due` must stay
    fast."""
    store = app.store
    rows = unsent_drafts(app) if rows is None else rows
    if not rows or (at_most is not None and len(rows) > at_most):
        return []
    # A few drafts: their contacts' facts only (all of them cost as much as `due` itself).
    facts = store.facts() if len(rows) > FEW else {}
    found: list[tuple[str, str]] = []
    for row in rows:
        if row.contact_id not in facts:
            facts.update(store.facts(row.contact_id))
        reason = stale_reason(app, row, facts[row.contact_id], check_times=False)
        if reason is None:
            continue
        contact = store.contacts.get(row.contact_id)
        found.append(
            (contact.label(), stale_instruction(row, reason, contact.email or str(contact.id)))
        )
    return found


def _gone_locally(app: AppContext, rows: list[MessageRow]) -> list[str]:
    """Drafts whose outbox file is gone (local backend only: no network from `due`)."""
    kind = app.mail_kind()
    if kind.offline_drafts is None:
        return []
    rows = [row for row in rows if row.draft_id and row.kind not in INVITE_KINDS]
    if not rows:
        return []
    # No backend object: `due` creates nothing.
    present = kind.drafts_present_offline(app.workspace, [str(row.draft_id) for row in rows])
    notes = []
    for row in rows:
        assert row.draft_id is not None
        if present is None or row.draft_id in present:
            continue
        contact = app.store.contacts.get(row.contact_id)
        ref = contact.email or str(contact.id)
        notes.append(
            f"{contact.label()}: the drafted {WHAT.get(row.kind, row.kind)} (deleted from "
            f"the outbox by hand): `outreach draft {row.template} {ref}` drafts it again"
        )
    return notes


def outbox_notes(app: AppContext) -> list[str]:
    """Lines for `due`: held drafts, drafts deleted by hand, stale drafts."""
    from outreach.services.sending.held import held_line

    rows = unsent_drafts(app)
    if not rows:
        return []
    notes: list[str] = []
    held = held_line(app) if any(row.held_at is not None for row in rows) else None
    if held:
        notes.append(held)
    notes.extend(_gone_locally(app, rows))
    # `due` stays fast: with many drafts waiting, `send` and `followup` name the stale ones.
    stale = stale_drafts(app, rows, at_most=DUE_CHECKS_AT_MOST)
    notes.extend(f"{label}: {instruction}" for label, instruction in stale)
    return notes
