"""`outreach due --ics FILE`: what is due as a calendar to import or subscribe to.

One event per due item, at its due time (an overdue one now, so it is not buried in the
past), fifteen minutes long, with the command that does it in the description. Each event's
UID is the contact and the action, so importing the file again (or a calendar subscribed to
it) updates the events instead of doubling them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from icalendar import Calendar, Event

from outreach.app import AppContext
from outreach.errors import OutreachError
from outreach.services.reporting.due import DueItem

__all__ = ["due_calendar", "due_calendar_now", "write_due_calendar"]

EVENT_MINUTES = 15


def _starts(item: DueItem, now: datetime) -> datetime:
    due = item.action.due
    return max(due, now).replace(second=0, microsecond=0)


def due_calendar(items: Sequence[DueItem], now: datetime, domain: str) -> bytes:
    """The iCalendar bytes (METHOD:PUBLISH) of the due items."""
    calendar = Calendar()
    calendar.add("prodid", "-//outreach//due//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "outreach: due")
    for item in items:
        start = _starts(item, now)
        event = Event()
        action = item.action.action.value
        which = f"{item.action.contact_id}-{action}-{item.action.item_id or 0}"
        event.add("uid", f"due-{which}@{domain}")
        event.add("dtstamp", now)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=EVENT_MINUTES))
        late = " (overdue)" if item.action.overdue else ""
        event.add("summary", f"{item.name}: {item.text}{late}")
        reason = f"{item.action.reason}\n\n" if item.action.reason else ""
        event.add("description", f"{reason}Run: {item.command}")
        event.add("categories", ["outreach", action])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical())


def _domain(app: AppContext) -> str:
    return app.config.user.email.rpartition("@")[2] or "outreach.local"


def due_calendar_now(app: AppContext) -> bytes:
    """What is due now as calendar bytes (the web app's subscribable feed of `due --ics`)."""
    from outreach.services.reporting.due import due_items

    return due_calendar(due_items(app), app.now(), _domain(app))


def write_due_calendar(app: AppContext, items: Sequence[DueItem], path: str) -> Path:
    """Write the calendar atomically (a subscribed calendar never reads half a file)."""
    target = Path(path).expanduser()
    data = due_calendar(items, app.now(), _domain(app))
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutreachError(
            f"Cannot write the due calendar to {target}: {exc.strerror or exc}.",
            hint="Name a file in a folder you can write to, e.g. `outreach due --ics due.ics`.",
        ) from None
    return target
