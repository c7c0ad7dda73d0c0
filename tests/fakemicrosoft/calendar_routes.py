"""The fake's calendar: events (with Outlook's own invitation mail when an event has
attendees), extended-property lookup, getSchedule and calendarView."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tests.fakemicrosoft.mailbox import Mailbox
from tests.fakemicrosoft.wire import Answer, Call, GraphFault, not_found

READ = frozenset({"Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite"})
WRITE = frozenset({"Calendars.ReadWrite"})
_FILTER = re.compile(
    r"^singleValueExtendedProperties/Any\(ep: ep/id eq '([^']+)' and ep/value eq '([^']*)'\)$"
)
EVENT_FIELDS = frozenset(
    {
        "subject", "body", "start", "end", "attendees", "isOnlineMeeting",
        "onlineMeetingProvider", "showAs", "transactionId", "singleValueExtendedProperties",
        "location", "isReminderOn", "responseRequested", "allowNewTimeProposals",
    }
)


def parse_when(value: Any, name: str) -> datetime:
    if not isinstance(value, dict) or "dateTime" not in value or "timeZone" not in value:
        raise GraphFault(400, "ErrorInvalidRequest", f"{name} needs dateTime and timeZone.")
    try:
        zone = UTC if value["timeZone"] == "UTC" else ZoneInfo(str(value["timeZone"]))
        moment = datetime.fromisoformat(str(value["dateTime"]).rstrip("Z")[:26])
    except (ZoneInfoNotFoundError, ValueError):
        raise GraphFault(400, "TimeZoneNotSupportedException",
                         f"A valid TimeZone value must be specified for {name}.") from None
    if moment.tzinfo is not None:
        raise GraphFault(400, "ErrorInvalidRequest", f"{name}.dateTime takes no offset.")
    return moment.replace(tzinfo=zone).astimezone(UTC)


def _wire(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"),
            "timeZone": "UTC"}


@dataclass
class Event:
    id: str
    data: dict[str, Any]
    start: datetime
    end: datetime
    ical_uid: str

    def resource(self) -> dict[str, Any]:
        out = {**self.data, "id": self.id, "iCalUId": self.ical_uid,
               "start": _wire(self.start), "end": _wire(self.end),
               "isCancelled": False, "type": "singleInstance"}
        out.setdefault("attendees", [])
        out.setdefault("isOnlineMeeting", False)
        if out.get("isOnlineMeeting"):
            out["onlineMeeting"] = {"joinUrl": f"https://teams.microsoft.com/l/meetup-join/{self.id}"}
        out.pop("singleValueExtendedProperties", None)
        return out


@dataclass
class Calendar:
    events: dict[str, Event] = field(default_factory=dict)
    busy: list[tuple[datetime, datetime]] = field(default_factory=list)
    invitations: list[tuple[str, str, str]] = field(default_factory=list)  # (to, kind, event)
    transactions: dict[str, str] = field(default_factory=dict)

    def attendees(self, event: Event) -> list[str]:
        return [str((a.get("emailAddress") or {}).get("address", ""))
                for a in event.data.get("attendees") or []]


class CalendarRoutes:
    def __init__(self, calendar: Calendar, box: Mailbox, now: Callable[[], datetime]) -> None:
        self.calendar = calendar
        self.box = box
        self.now = now

    def routes(self) -> list[tuple[str, str, frozenset[str], Callable[..., Answer]]]:
        e = r"(?P<event>[A-Za-z0-9_=-]+)"
        return [
            ("POST", r"/me/events", WRITE, self.create),
            ("GET", r"/me/events", READ, self.list),
            ("GET", rf"/me/events/{e}", READ, self.get),
            ("PATCH", rf"/me/events/{e}", WRITE, self.patch),
            ("DELETE", rf"/me/events/{e}", WRITE, self.delete),
            ("POST", r"/me/calendar/getSchedule", READ, self.schedule),
            ("GET", r"/me/calendarView", READ, self.view),
        ]

    def _event(self, event_id: str) -> Event:
        found = self.calendar.events.get(event_id)
        if found is None:
            raise not_found("event")
        return found

    def _check(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise GraphFault(400, "BadRequest", "Empty Payload. JSON content expected.")
        unknown = set(data) - EVENT_FIELDS
        if unknown:
            raise GraphFault(400, "BadRequest", f"The property '{sorted(unknown)[0]}' does not "
                             "exist on type 'microsoft.graph.event'.")
        return data

    def _mail_attendees(self, event: Event, kind: str) -> None:
        for address in self.calendar.attendees(event):
            self.calendar.invitations.append((address, kind, event.id))

    def create(self, call: Call) -> Answer:
        data = self._check(call.json())
        transaction = data.get("transactionId")
        if transaction and transaction in self.calendar.transactions:
            existing = self.calendar.events.get(self.calendar.transactions[transaction])
            if existing is not None:
                return Answer(201, existing.resource())
        start, end = parse_when(data.get("start"), "start"), parse_when(data.get("end"), "end")
        if end <= start:
            raise GraphFault(400, "ErrorInvalidRequest", "The end must be after the start.")
        event = Event("AAMkAGev" + secrets.token_hex(10), data, start, end,
                      "040000008200E00074C5B7101A82E008" + secrets.token_hex(16).upper())
        self.calendar.events[event.id] = event
        if transaction:
            self.calendar.transactions[transaction] = event.id
        self._mail_attendees(event, "invitation")
        return Answer(201, event.resource())

    def list(self, call: Call) -> Answer:
        flt = call.query.get("$filter")
        events = list(self.calendar.events.values())
        if flt is not None:
            match = _FILTER.match(flt)
            if match is None:
                raise GraphFault(400, "ErrorInvalidUrlQueryFilter", "The query filter contains "
                                 "one or more invalid nodes.")
            prop, value = match.groups()
            events = [e for e in events
                      if any(p.get("id") == prop and p.get("value") == value
                             for p in e.data.get("singleValueExtendedProperties") or [])]
        return Answer(200, {"value": [e.resource() for e in events]})

    def get(self, call: Call, event: str) -> Answer:
        return Answer(200, self._event(event).resource())

    def patch(self, call: Call, event: str) -> Answer:
        found = self._event(event)
        data = self._check(call.json())
        moved = "start" in data or "end" in data
        if "start" in data:
            found.start = parse_when(data["start"], "start")
        if "end" in data:
            found.end = parse_when(data["end"], "end")
        found.data.update({k: v for k, v in data.items() if k not in ("start", "end")})
        if moved:
            self._mail_attendees(found, "update")
        return Answer(200, found.resource())

    def delete(self, call: Call, event: str) -> Answer:
        found = self.calendar.events.pop(event, None)
        if found is None:
            raise not_found("event")
        self._mail_attendees(found, "cancellation")
        return Answer(204)

    def _window(self, call: Call) -> tuple[datetime, datetime]:
        try:
            start = datetime.fromisoformat(call.query["startDateTime"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(call.query["endDateTime"].replace("Z", "+00:00"))
        except KeyError:
            raise GraphFault(400, "ErrorInvalidParameter", "This request requires a time window "
                             "specified by the query string parameters StartDateTime and "
                             "EndDateTime.") from None
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        if end.tzinfo is None:
            end = end.replace(tzinfo=UTC)
        return start, end

    def _busy(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime, str]]:
        found = [(s, e, "busy") for s, e in self.calendar.busy if s < end and e > start]
        found += [(e.start, e.end, str(e.data.get("showAs", "busy")))
                  for e in self.calendar.events.values() if e.start < end and e.end > start]
        return sorted(found)

    def view(self, call: Call) -> Answer:
        start, end = self._window(call)
        rows = [{"id": f"busy{i}", "subject": "Busy", "start": _wire(s), "end": _wire(e),
                 "showAs": show, "isCancelled": False}
                for i, (s, e, show) in enumerate(self._busy(start, end))]
        return Answer(200, {"value": rows})

    def schedule(self, call: Call) -> Answer:
        data = call.json()
        if not isinstance(data, dict) or not data.get("schedules"):
            raise GraphFault(400, "ErrorInvalidParameter", "schedules is required.")
        start, end = parse_when(data.get("startTime"), "startTime"), parse_when(
            data.get("endTime"), "endTime")
        if end - start > timedelta(days=62):
            raise GraphFault(400, "ErrorInvalidParameter", "The requested time window exceeds "
                             "62 days.")
        items = [{"status": show, "start": _wire(s), "end": _wire(e)}
                 for s, e, show in self._busy(start, end) if show != "free"]
        return Answer(200, {"value": [
            {"scheduleId": who, "availabilityView": "", "scheduleItems": items
             if who.casefold() == self.box.address.casefold() else [],
             "workingHours": {}} for who in data["schedules"]]})
