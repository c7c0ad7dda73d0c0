"""The day's work as the web app's Today page shows it: each due item with what its buttons
act on (the drafted message a send button sends, the offered times a book button books).

The items and their order are :func:`outreach.services.reporting.due.due_items`, exactly
what `outreach due` prints; this only adds the rows the buttons need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from outreach.app import AppContext
from outreach.services.contacts.timeline import span_text
from outreach.services.meetings.availability import contact_zone_or_none
from outreach.services.reporting.due import DueItem, due_items
from outreach.services.sending.send import sendable

__all__ = ["Drafted", "Offered", "TodayItem", "today"]


@dataclass(frozen=True)
class Drafted:
    """A drafted, unsent message: what a send button names and sends."""

    id: int
    kind: str
    subject: str
    template: str


@dataclass(frozen=True)
class Offered:
    """A time offered to the contact that has not started yet."""

    slot: int
    when: str  # in both zones


@dataclass(frozen=True)
class TodayItem:
    item: DueItem
    due: str  # in the user's zone
    drafted: list[Drafted] = field(default_factory=list)
    offered: list[Offered] = field(default_factory=list)
    picked: int | None = None  # the slot their reply picked, when the reader found one
    evidence: str = ""  # the sentence of their reply a finding came from, when there is one


def today(app: AppContext) -> list[TodayItem]:
    """What is due now, overdue first, with what each item's buttons act on."""
    zone = app.config.user.zone
    now = app.now()
    waiting = sendable(app, [])
    result = []
    for item in due_items(app):
        contact_id = item.action.contact_id
        drafted = [
            Drafted(row.id, row.kind, row.subject, row.template)
            for row in waiting
            if row.contact_id == contact_id
        ]
        offered: list[Offered] = []
        if not item.action.drafted and item.command.startswith("outreach book"):
            offered = _offered(app, contact_id, now)
        picked = _found(item, "slot")
        evidence = _found(item, "evidence")
        result.append(
            TodayItem(
                item,
                item.action.due.astimezone(zone).strftime("%a %d %b %H:%M"),
                drafted,
                offered,
                picked if isinstance(picked, int) else None,
                evidence if isinstance(evidence, str) else "",
            )
        )
    return result


def _found(item: DueItem, name: str) -> object:
    """What the reply reader found for this item (on the item or its action), if anything."""
    value = getattr(item, name, None)
    return value if value is not None else getattr(item.action, name, None)


def _offered(app: AppContext, contact_id: int, now: datetime) -> list[Offered]:
    rows = app.store.proposals.for_contact(contact_id)
    if not rows:
        return []
    latest = max(rows, key=lambda p: (p.created_at, p.id))
    contact = app.store.contacts.by_id(contact_id)
    theirs = contact_zone_or_none(contact)
    return [
        Offered(p.slot_index, span_text(p.start, p.end, app.config.user.zone, theirs))
        for p in sorted(rows, key=lambda p: p.slot_index)
        if p.message_idem_key == latest.message_idem_key
        and datetime.fromisoformat(p.start) > now
    ]
