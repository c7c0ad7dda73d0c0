"""Prior contact: whom the user already wrote to and heard from, before outreach.

The first sync of a workspace reads every message of the sent mail and the inbox, headers only
(local: ``sent/`` and ``inbox/``; Gmail: messages.list over SENT and INBOX, then format=metadata
in paced batches), and keeps, for each address, when the user last wrote to it and last heard
from it. Messages outreach made itself (``<outreach.HEX@...>``) are not prior contact. `draft`
then says, before a "cold" first message, that the user already knows the person, and
`contacts show` says when they last exchanged mail.
"""

from __future__ import annotations

from outreach.app import AppContext
from outreach.clock import iso
from outreach.services.drafting.planning import PlannedMessage
from outreach.services.sending.ledger import made_by_outreach_id


def read_prior_contact(app: AppContext, *, dry_run: bool) -> int:
    """On the first sync (once per workspace): record prior contact; returns how many
    addresses. Nothing when done already or on a dry run."""
    store = app.store
    if dry_run or store.prior.read_already():
        return 0
    owner = app.config.user.email.casefold()
    found: dict[str, list[str | None]] = {}
    for exchange in app.mail().exchanges():
        if exchange.at is None or made_by_outreach_id(exchange.message_id):
            continue
        when = iso(exchange.at)
        slot = 0 if exchange.sent else 1
        for address in exchange.addresses:
            if address == owner:
                continue
            latest = found.setdefault(address, [None, None])
            if latest[slot] is None or when > str(latest[slot]):
                latest[slot] = when
    with store.transaction():
        store.prior.save({a: (s, r) for a, (s, r) in found.items()}, iso(app.now()))
    return len(found)


def note_prior_contact(app: AppContext, planned: list[PlannedMessage]) -> None:
    """Before a "cold" first message (a new thread of kind outreach) to someone the user
    already exchanged mail with: a reminder on the terminal (never in the message)."""
    first = [p for p in planned if p.kind == "outreach" and p.reply is None and p.contact.email]
    if not first:
        return
    known = app.store.prior.for_addresses(p.contact.email or "" for p in first)
    for plan in first:
        exchanged = known.get((plan.contact.email or "").casefold())
        if exchanged is None:
            continue
        sent, received = exchanged
        said = [
            f"you last wrote to them on {sent[:10]}" if sent else "",
            f"they last wrote to you on {received[:10]}" if received else "",
        ]
        plan.reminders.append(
            f"you already know them ({' and '.join(s for s in said if s)}): this first "
            "message reads as cold; say how you know them before sending"
        )
