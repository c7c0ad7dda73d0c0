"""Gathering busy times from the configured sources and proposing slots per contact.

Busy sources are read once per run. Slots proposed to one contact are held at once, so the
next contact in the same run (and any later run, until the hold expires or the meeting is
booked) is not offered the same time unless `share_held_slots` says otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from outreach.app import AppContext
from outreach.clock import iso
from outreach.contacts.model import Contact
from outreach.errors import ContactError, ScheduleError
from outreach.schedule.busy import load_ics_busy
from outreach.schedule.intervals import Interval, subtract
from outreach.schedule.slots import Slot, propose_slots


def contact_zone(contact: Contact) -> ZoneInfo | None:
    """The contact's zone: the one given, else a guess from country data, else None."""
    if not contact.zone_name:
        return None
    try:
        return ZoneInfo(contact.zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ContactError(
            f"{contact.label()} has an unknown time zone {contact.timezone!r}.",
            hint=f"Fix it: `outreach contacts edit {contact.id} --tz Europe/Berlin`.",
        ) from None


def contact_zone_or_none(contact: Contact) -> ZoneInfo | None:
    """The contact's zone, or None when it is unknown or not a valid zone name (reported
    where it matters: proposing slots)."""
    try:
        return contact_zone(contact)
    except ContactError:
        return None


def gather_busy(app: AppContext, start: datetime, end: datetime) -> list[Interval]:
    """Busy intervals from every configured source within [start, end)."""
    config = app.config
    busy: list[Interval] = []
    for source in config.schedule.busy:
        if source == "google":
            if config.mail.backend != "gmail":
                continue  # the local backend has no Google account to ask
            from outreach.google.calendar import fetch_busy
            from outreach.services.calendar_sync import counted_by_calendar

            # Google reports the tool's own events too: count those once, from the store.
            busy.extend(subtract(fetch_busy(app, start, end), counted_by_calendar(app)))
        else:
            busy.extend(load_ics_busy(app.workspace.resolve(source), start, end, config.user.zone))
    for meeting in app.store.meetings.scheduled():
        busy.append(
            Interval(datetime.fromisoformat(meeting.start), datetime.fromisoformat(meeting.end))
        )
    return busy


class SlotPlanner:
    """Proposes slots contact after contact, holding each contact's slots as it goes."""

    def __init__(self, app: AppContext, now: datetime) -> None:
        self.app = app
        self.now = now
        schedule = app.config.schedule
        window_end = now + timedelta(days=schedule.horizon_days + 1)
        self.busy = gather_busy(app, now, window_end)
        self.held_rows = app.store.proposals.held(iso(now))
        self.assigned: list[Interval] = []
        self.notes: dict[int, str] = {}  # contact id -> why its slots are not exclusive

    def held_for(self, contact: Contact) -> list[Interval]:
        if self.app.config.schedule.share_held_slots:
            return []
        return [
            Interval(datetime.fromisoformat(row.start), datetime.fromisoformat(row.end))
            for row in self.held_rows
            if row.contact_id != contact.id
        ] + self.assigned

    def slots_for(
        self, contact: Contact, count: int | None = None, *, fallback: bool = True
    ) -> list[Slot]:
        """Slots for one contact, held against everyone else's.

        When free time runs out (many contacts drafted at once), ``fallback`` first allows times
        already offered to others (most people will not pick the same one), then proposes none:
        the templates then ask for the contact's own times. Each fallback is noted.
        """
        config = self.app.config
        zone = contact_zone(contact)
        attempts = [self.held_for(contact), []] if fallback else [self.held_for(contact)]
        for number, held in enumerate(attempts):
            try:
                slots = propose_slots(
                    self.now, config.schedule, config.user.zone, zone, self.busy, held, count
                )
            except ScheduleError as exc:
                if number == len(attempts) - 1:
                    if not fallback:
                        raise
                    self.notes[contact.id] = f"no free slot, so it asks for their times ({exc})"
                    return []
                continue
            if number:
                self.notes[contact.id] = "not enough free time: some slots also offered to others"
            self.assigned.extend(Interval(slot.start, slot.end) for slot in slots)
            return slots
        return []
