"""A week of the calendar as the web app's Meetings page draws it: times offered to contacts
(held for them), meetings booked, and the busy time the slot engine avoids."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from outreach.app import AppContext
from outreach.clock import iso
from outreach.schedule.intervals import Interval
from outreach.services.contacts.timeline import span_text
from outreach.services.meetings.availability import contact_zone_or_none, gather_busy

__all__ = ["Block", "WeekView", "week_view"]


@dataclass(frozen=True)
class Block:
    """One span on one day, in the user's zone (minutes from midnight)."""

    day: date
    start_minute: int
    end_minute: int
    kind: str  # "busy", "offered" or "booked"
    label: str  # who, and when in both zones
    contact: str = ""  # the contact as a page links it (email or id)


@dataclass
class WeekView:
    monday: date
    days: list[date]
    zone: str
    first_hour: int
    last_hour: int
    blocks: list[Block] = field(default_factory=list)


def _split(start: datetime, end: datetime, app: AppContext) -> list[tuple[date, int, int]]:
    """A span cut at midnights, in the user's zone."""
    zone = app.config.user.zone
    first, last = start.astimezone(zone), end.astimezone(zone)
    pieces = []
    while first < last:
        midnight = datetime.combine(first.date() + timedelta(days=1), time(), zone)
        stop = min(last, midnight)
        begin = first.hour * 60 + first.minute
        finish = 24 * 60 if stop == midnight else stop.hour * 60 + stop.minute
        pieces.append((first.date(), begin, finish))
        first = stop
    return pieces


def week_view(app: AppContext, day: date | None = None) -> WeekView:
    """The week (Monday to Sunday, user's zone) holding ``day`` (default: today)."""
    zone = app.config.user.zone
    now = app.now()
    today = day or now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday, time(), zone)
    end = start + timedelta(days=7)
    hours = app.config.schedule.working_hours.split("-")
    first_hour = int(hours[0].split(":")[0])
    last_hour = min(24, int(hours[1].split(":")[0]) + 1)
    days = [monday + timedelta(days=n) for n in range(7)]
    view = WeekView(monday, days, app.config.user.timezone, first_hour, last_hour)
    store = app.store
    contacts = {c.id: c for c in store.contacts.all()}

    def add(span: Interval, kind: str, label: str, contact: str = "") -> None:
        for piece_day, begin, finish in _split(span.start, span.end, app):
            if start.date() <= piece_day < end.date():
                view.blocks.append(Block(piece_day, begin, finish, kind, label, contact))
                view.first_hour = min(view.first_hour, begin // 60)
                view.last_hour = max(view.last_hour, min(24, -(-finish // 60)))

    booked: set[tuple[str, str]] = set()
    for contact in contacts.values():
        for meeting in store.meetings.for_contact(contact.id):
            if meeting.state not in ("scheduled", "held", "met") and not meeting.met_at:
                continue
            booked.add((meeting.start, meeting.end))
            when = span_text(meeting.start, meeting.end, zone, contact_zone_or_none(contact))
            add(_interval(meeting.start, meeting.end), "booked", f"{contact.name}: {when}",
                contact.email or str(contact.id))
    for proposal in store.proposals.held(iso(now)):
        contact = contacts[proposal.contact_id]
        when = span_text(proposal.start, proposal.end, zone, contact_zone_or_none(contact))
        add(_interval(proposal.start, proposal.end), "offered",
            f"offered to {contact.name} (slot {proposal.slot_index}): {when}",
            contact.email or str(contact.id))
    for busy in gather_busy(app, start, end):
        if (iso(busy.start), iso(busy.end)) in booked:
            continue
        add(busy, "busy", "busy " + span_text(iso(busy.start), iso(busy.end), zone, None))
    view.blocks.sort(key=lambda b: (b.day, b.start_minute, b.kind))
    return view


def _interval(start: str, end: str) -> Interval:
    return Interval(datetime.fromisoformat(start), datetime.fromisoformat(end))
