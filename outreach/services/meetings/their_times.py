"""The time a contact proposed in their latest reply, as the reader read it.

Booking asks the user about a time outside the contact's working hours or in their night;
a time the contact proposed themselves is their choice, and is not asked about.
"""

from __future__ import annotations

import json
from datetime import datetime

from outreach.app import AppContext
from outreach.track.reader import ProposedTime, reading_from_json


def they_proposed(app: AppContext, contact_id: int, start: datetime) -> bool:
    """Their latest reply proposed exactly ``start``."""
    event = app.store.events.latest_reply(contact_id)
    if event is None or not event.reading:
        return False
    try:
        reading = reading_from_json(json.loads(event.reading))
    except ValueError:
        return False  # written by a later version: read as not read
    return any(isinstance(f, ProposedTime) and f.at == start for f in reading.findings)
