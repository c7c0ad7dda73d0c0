"""The day's work as the web app's Today page shows it: each due item with what its buttons
act on (the drafted message a send button sends, the offered times a book button books).

The items and their order are :func:`outreach.services.reporting.due.due_items`, exactly
what `outreach due` prints; this only adds the rows the buttons need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from outreach.app import AppContext
from outreach.schedule.delivery import WINDOWED_KINDS
from outreach.services.contacts.timeline import span_text
from outreach.services.meetings.availability import contact_zone_or_none
from outreach.services.reporting.due import DueItem, due_items
from outreach.services.sending.queue import queued_items, when_both
from outreach.services.sending.send import sendable

__all__ = ["Drafted", "Offered", "OutboxNote", "Queued", "TodayItem", "TodayPage", "today",
           "today_page"]


@dataclass(frozen=True)
class Drafted:
    """A drafted, unsent message: what a send button names and sends."""

    id: int
    kind: str
    subject: str
    template: str
    queued_at: str = ""  # when it goes from the delivery queue (both clocks), if queued
    windowed: bool = False  # `send` would queue it for the recipient's morning when outside it


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
    proposed: str = ""  # a time they proposed, in both zones ("book --at" / "reschedule --at")


@dataclass(frozen=True)
class Queued:
    """A message on the delivery queue: whose, what, and when it goes (both clocks)."""

    ref: str
    name: str
    kind: str
    when: str


@dataclass(frozen=True)
class OutboxNote:
    """A line `due` prints about the drafts (held by the cap, stale, deleted by hand); ``ref``
    is the contact whose drafts `outreach discard` would remove, when the line says so."""

    text: str
    discard_ref: str = ""


@dataclass(frozen=True)
class TodayPage:
    items: list[TodayItem]
    queued: list[Queued]
    notes: list[OutboxNote]


def today(app: AppContext) -> list[TodayItem]:
    """What is due now, overdue first, with what each item's buttons act on."""
    zone = app.config.user.zone
    now = app.now()
    waiting = sendable(app, [])
    window = app.config.mail.delivery_window
    queued = {q.message_row_id: q.deliver_at for q in app.store.queue.waiting()}
    result = []
    for item in due_items(app):
        contact_id = item.action.contact_id
        drafted = [
            Drafted(row.id, row.kind, row.subject, row.template,
                    when_both(app, row.contact_id, datetime.fromisoformat(queued[row.id]))
                    if row.id in queued else "",
                    window is not None and row.kind in WINDOWED_KINDS)
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
                _proposed(app, item),
            )
        )
    return result


def _found(item: DueItem, name: str) -> object:
    """What the reply reader found for this item (its action's details), if anything."""
    return item.action.detail(name)


def _proposed(app: AppContext, item: DueItem) -> str:
    """The time they proposed, as both people read it (empty when none, or unreadable)."""
    value = item.action.detail("proposed")
    if not isinstance(value, str):
        return ""
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        return ""
    if start.tzinfo is None:
        return ""
    end = start + timedelta(minutes=app.config.schedule.meeting_minutes)
    theirs = contact_zone_or_none(app.store.contacts.by_id(item.action.contact_id))
    return span_text(start.isoformat(), end.isoformat(), app.config.user.zone, theirs)


_DISCARD = re.compile(r"`outreach discard (\S+)`")


def today_page(app: AppContext) -> TodayPage:
    """Today as `outreach due` prints it: the queue's line, the drafts' lines, the items."""
    from outreach.services.drafting.outbox import outbox_notes

    queued = []
    for row in queued_items(app):
        contact = app.store.contacts.get(row.ref)
        queued.append(Queued(row.ref, contact.name, row.kind, when_both(app, contact.id, row.at)))
    notes = []
    for text in outbox_notes(app):
        found = _DISCARD.search(text)
        notes.append(OutboxNote(text, found.group(1) if found else ""))
    return TodayPage(today(app), queued, notes)


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
