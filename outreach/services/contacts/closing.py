"""Closing a contact (with the reason: they declined, never answered, ...) and reopening one,
and what a corrected address after a bounce means for the conversation.

A closed contact is out of `due`; the reason shows in `status` and `contacts show`. A bounce
belongs to the address that bounced: when the contact gets a new address, the messages that
never arrived are set aside (kept in the history, state ``bounced``), so the contact is
reachable again and its first message goes out anew, in a new thread.
"""

from __future__ import annotations

from outreach.contacts.model import Contact
from outreach.store import Store
from outreach.track.model import Stage
from outreach.track.pipeline import stage

__all__ = ["REASONS", "close_contact", "readdress_after_bounce", "reopen_contact"]

# Reasons people use most; any other text is kept as written.
REASONS = ("declined", "no reply", "not now", "other")


def close_contact(store: Store, ref: str, reason: str, now: str) -> Contact:
    contact = store.contacts.get(ref)
    with store.transaction():
        store.contacts.update(
            contact.id, now, closed_at=now, closed_reason=" ".join(reason.split()).lower()
        )
    return store.contacts.get(contact.id)


def reopen_contact(store: Store, ref: str, now: str) -> Contact:
    contact = store.contacts.get(ref)
    with store.transaction():
        store.contacts.update(contact.id, now, closed_at=None, closed_reason="")
    return store.contacts.get(contact.id)


def readdress_after_bounce(store: Store, contact: Contact, new_email: str | None, now: str) -> int:
    """Before a contact's address changes: if the old one bounced, set its messages aside.

    Returns how many messages were set aside (0: the old address had not bounced). Call it
    inside the transaction that changes the address.
    """
    old = contact.email
    if not old or not new_email or new_email.casefold() == old.casefold():
        return 0
    if stage(store.facts(contact.id)[contact.id]) is not Stage.BOUNCED:
        return 0
    return store.messages.void_for_address(contact.id, old, now)
