"""Who is copied on a contact's invites: an assistant who keeps their calendar.

Remembered per contact (``book --cc``, ``contacts edit --cc`` / ``--no-cc``): the invite, its
updates (moved, cancelled) and the confirmations go To the contact with the assistant in Cc,
and the ``.ics`` lists the assistant as an ATTENDEE too (copied for information, asked for no
answer: the answer that counts is the contact's). Not the user's Google Calendar event: the
contact is never a guest there, nor is their assistant (README, "Your meetings on your Google
Calendar").
"""

from __future__ import annotations

from collections.abc import Sequence

from outreach.app import AppContext
from outreach.clock import iso
from outreach.contacts.model import Contact
from outreach.contacts.validate import normalise_email
from outreach.errors import ContactError

__all__ = ["set_copied"]


def set_copied(app: AppContext, contact: Contact, addresses: Sequence[str]) -> list[str]:
    """Copy exactly ``addresses`` on the contact's invites from now on (empty: nobody); the
    addresses kept, in order.

    Raises:
        ContactError: an address is not valid, or is the contact's own or the user's.
    """
    kept: list[str] = []
    own = {(contact.email or "").casefold(), app.config.user.email.casefold()}
    for given in addresses:
        try:
            address = normalise_email(given)
        except ContactError as exc:
            raise ContactError(
                f"--cc for {contact.label()}: {exc.message}",
                hint="Give the assistant's address, e.g. --cc joan@example.org.",
            ) from None
        if address.casefold() in own:
            raise ContactError(
                f"--cc {address}: that address is already on every invite (the contact's or "
                "yours).",
                hint="Give the address of the person to copy (their assistant).",
            )
        if address.casefold() not in {k.casefold() for k in kept}:
            kept.append(address)
    with app.store.transaction():
        app.store.meeting_cc.replace(contact.id, kept, iso(app.now()))
    return kept
