"""Someone from the contact's side writes: a colleague who takes the conversation over, or an
assistant who answers for them. The user says which; this records it."""

from __future__ import annotations

from dataclasses import replace

from outreach.app import AppContext
from outreach.clock import iso
from outreach.contacts.model import Contact, ContactRecord
from outreach.errors import ContactError
from outreach.services.contacts.manage import add_contact

__all__ = ["add_assistant", "take_over"]


def take_over(app: AppContext, record: ContactRecord, from_ref: str) -> Contact:
    """Add the colleague as a contact referred by the original one, who inherits the thread:
    their messages there, the times still offered, and the next step (the original contact
    is not written to again)."""
    store = app.store
    original = store.contacts.get(from_ref)
    if original.email and record.email and original.email.casefold() == record.email.casefold():
        raise ContactError(
            f"{record.email} is {original.label()} themself.",
            hint="Give the address of the colleague who wrote.",
        )
    filled = replace(
        record,
        org=record.org or original.org,
        timezone=record.timezone or original.timezone,
    )
    with store.transaction():
        colleague = add_contact(
            store, filled, referred_by=str(original.id), now=iso(app.now())
        )
        store.contacts.hand_over(original.id, colleague.id)
        store.events.hand_over(original.id, colleague.email or "", colleague.id)
        store.proposals.hand_over(original.id, colleague.id)
    return colleague


def add_assistant(app: AppContext, email: str, of_ref: str) -> Contact:
    """Record the contact's assistant: copied on invites, updates and confirmations (the
    addresses `book --cc` remembers), and no longer someone new in `due`."""
    store = app.store
    contact = store.contacts.get(of_ref)
    if contact.email and contact.email.casefold() == email.casefold():
        raise ContactError(
            f"{email} is {contact.label()} themself.",
            hint="Give the assistant's own address.",
        )
    if "@" not in email:
        raise ContactError(f"{email!r} is not an email address.", hint="e.g. pa@example.org")
    with store.transaction():
        store.contacts.add_cc(contact.id, email.strip(), iso(app.now()))
    return contact
