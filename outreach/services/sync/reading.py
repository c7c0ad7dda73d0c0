"""Reading a reply at sync: the reader's findings, stored on the reply's event as JSON.

The reader (:mod:`outreach.track.reader`) is pure; this module gathers what it needs from the
store (the slots offered in the contact's latest offer, their zone) and what `outreach reply`
records by hand goes through :func:`store_reading` too, so `due` acts on one shape.
"""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from outreach.contacts.model import Contact
from outreach.services.meetings.availability import contact_zone_or_none
from outreach.store import Store
from outreach.track.reader import OfferedSlot, Reading, read_reply, reading_to_json

__all__ = ["offered_slots", "read_text", "reading_json"]


def offered_slots(store: Store, contact_id: int) -> list[OfferedSlot]:
    """The slots of the contact's latest offer, numbered as `book --slot N` takes them."""
    rows = store.proposals.for_contact(contact_id)
    if not rows:
        return []
    latest = max(rows, key=lambda p: (p.created_at, p.id))
    return [
        OfferedSlot(p.slot_index, datetime.fromisoformat(p.start), datetime.fromisoformat(p.end))
        for p in sorted(rows, key=lambda p: p.slot_index)
        if p.message_idem_key == latest.message_idem_key
    ]


def reading_json(reading: Reading) -> str:
    return json.dumps(reading_to_json(reading), ensure_ascii=False, sort_keys=True)


def read_text(
    store: Store, contact: Contact, text: str, sent_at: datetime, user_zone: ZoneInfo
) -> str | None:
    """What a reply's text says, as stored JSON (None when there is no text to read)."""
    if not text.strip():
        return None
    reading = read_reply(
        text,
        sent_at=sent_at,
        sender_zone=contact_zone_or_none(contact),
        user_zone=user_zone,
        offered=offered_slots(store, contact.id),
    )
    return reading_json(reading)
