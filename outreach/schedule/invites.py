"""iCalendar invites (RFC 5545 + iTIP, RFC 5546) for one agreed meeting, as bytes.

A REQUEST is what a calendar shows with Accept/Decline: ``METHOD:REQUEST``, a ``VTIMEZONE``
for the organiser's zone, and one ``VEVENT`` with UID, DTSTAMP, SEQUENCE, DTSTART/DTEND in that
zone, ORGANIZER and one ATTENDEE asked to reply (``RSVP=TRUE``), and a reminder. A reschedule is
another REQUEST with the same UID and ``SEQUENCE + 1``; a CANCEL carries the same UID,
``METHOD:CANCEL`` and ``STATUS:CANCELLED`` with the SEQUENCE the caller gives (the next one).

Escaping is icalendar's: TEXT values escape ``,`` ``;`` ``\\`` and newlines; parameter values
such as ``CN`` are double-quoted when they contain ``,`` ``;`` or ``:``, and a double quote in a
name is written as ``^'`` (RFC 6868). The output is deterministic: the same arguments give the
same bytes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress

from outreach.errors import ScheduleError
from outreach.schedule.vtimezone import vtimezone

__all__ = ["PRODID", "build_invite", "new_uid"]

PRODID = "-//outreach//outreach informational interviews//EN"
_EMAIL_RE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+$")

Method = Literal["REQUEST", "CANCEL"]


def new_uid(domain: str) -> str:
    """A fresh, globally unique event UID: ``<uuid4>@domain`` (RFC 5545 recommends the form).

    ``domain`` is usually the organiser's mail domain; internationalised names are fine.
    """
    host = domain.strip().lower()
    if not host or any(ch.isspace() or ch in '@<>"\\' or not ch.isprintable() for ch in host):
        raise ValueError(f"not a domain name for a UID: {domain!r}")
    return f"{uuid.uuid4()}@{host}"


def build_invite(
    *,
    uid: str,
    sequence: int,
    method: Method,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    organizer_name: str,
    organizer_email: str,
    attendee_name: str,
    attendee_email: str,
    summary: str,
    description: str,
    location_or_join: str,
    dtstamp: datetime,
    alarm_minutes: int | None = 10,
    copied: Sequence[str] = (),
) -> bytes:
    """The ``.ics`` bytes (CRLF lines, UTF-8) of a REQUEST or CANCEL for one meeting.

    ``start``/``end`` are aware and are written as wall-clock times in ``tz`` (the organiser's
    zone) with a matching ``VTIMEZONE``. ``dtstamp`` (when this version of the invite was made)
    is written in UTC. ``location_or_join`` goes into LOCATION and, as "How to join", at the end
    of DESCRIPTION. ``alarm_minutes`` of None or 0 leaves out the reminder; a CANCEL never has
    one. ``copied`` addresses (an assistant who keeps the attendee's calendar) are further
    ATTENDEEs after the attendee (ROLE=NON-PARTICIPANT, asked for no answer), so the
    invite lands on their calendar too.

    Raises:
        ScheduleError: an argument cannot make a valid invite (naming which).
    """
    _validate(uid, sequence, method, start, end, dtstamp, organizer_email, attendee_email)
    if alarm_minutes is not None and alarm_minutes < 0:
        raise ScheduleError(f"alarm_minutes must be 0 or more, got {alarm_minutes}.")

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", dtstamp.astimezone(UTC))
    event.add("sequence", sequence)
    event.add("dtstart", _in_zone(start, tz))
    event.add("dtend", _in_zone(end, tz))
    event.add("summary", _one_line(summary))
    details = _description(description, location_or_join)
    if details:
        event.add("description", details)
    if location_or_join.strip():
        event.add("location", _one_line(location_or_join))
    event.add("organizer", _address(organizer_email, organizer_name, organizer=True))
    event.add("attendee", _address(attendee_email, attendee_name, rsvp=method == "REQUEST"))
    for other in copied:
        _validate(uid, sequence, method, start, end, dtstamp, organizer_email, other)
        event.add("attendee", _address(other, "", copied=True))
    event.add("status", "CONFIRMED" if method == "REQUEST" else "CANCELLED")
    event.add("transp", "OPAQUE")
    if method == "REQUEST" and alarm_minutes:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", timedelta(minutes=-alarm_minutes))
        alarm.add("description", f"Reminder: {_one_line(summary)}")
        event.add_component(alarm)
    calendar.add_component(event)

    # The organiser's zone as a VTIMEZONE with yearly rules, checked against zoneinfo (see
    # outreach.schedule.vtimezone). UTC-like zones need none: icalendar writes those times with Z.
    if calendar.get_missing_tzids():
        calendar.subcomponents.insert(0, vtimezone(tz, start))
    return bytes(calendar.to_ical())


def _validate(
    uid: str,
    sequence: int,
    method: str,
    start: datetime,
    end: datetime,
    dtstamp: datetime,
    organizer_email: str,
    attendee_email: str,
) -> None:
    if method not in ("REQUEST", "CANCEL"):
        raise ScheduleError(f"Unknown invite method {method!r}; expected REQUEST or CANCEL.")
    if not uid.strip() or any(ch in uid for ch in "\r\n"):
        raise ScheduleError(f"Invalid invite UID {uid!r}.", hint="Use new_uid(domain).")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise ScheduleError(f"Invite SEQUENCE must be a whole number >= 0, got {sequence!r}.")
    for name, value in (("start", start), ("end", end), ("dtstamp", dtstamp)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ScheduleError(f"Invite {name} must be timezone-aware, got {value!r}.")
    if end <= start:
        raise ScheduleError(f"Invite ends ({end}) before it starts ({start}).")
    for role, email in (("organizer", organizer_email), ("attendee", attendee_email)):
        if not _EMAIL_RE.match(email.strip()):
            raise ScheduleError(f"Invalid {role} email address {email!r}.")


def _in_zone(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` as wall-clock time in ``tz``, or in UTC if that wall time happens twice (the
    repeated autumn hour): RFC 5545 reads such a TZID'd time as the first occurrence, and some
    readers (dateutil, so vobject) pick the second, so only UTC is unambiguous."""
    local = moment.astimezone(tz)
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return moment.astimezone(UTC)
    return local


def _address(
    email: str, name: str, *, organizer: bool = False, rsvp: bool = False, copied: bool = False
) -> vCalAddress:
    address = vCalAddress(f"mailto:{email.strip()}")
    # RFC 5545 has no escapes in parameter values, but some parsers (icalendar's among them)
    # read a backslash before , ; : or the end as one: a display name loses nothing by "/".
    common_name = _one_line(name).replace("\\", "/")
    if common_name:
        address.params["CN"] = common_name
    if not organizer:
        address.params["CUTYPE"] = "INDIVIDUAL"
        # Copied "for information purposes only" (RFC 5545 ROLE): asked for no answer.
        address.params["ROLE"] = "NON-PARTICIPANT" if copied else "REQ-PARTICIPANT"
        address.params["PARTSTAT"] = "NEEDS-ACTION"
        address.params["RSVP"] = "TRUE" if rsvp and not copied else "FALSE"
    return address


def _description(agenda: str, location_or_join: str) -> str:
    text = agenda.strip().replace("\r\n", "\n").replace("\r", "\n")
    where = location_or_join.strip()
    if where and where not in text:
        text = f"{text}\n\nHow to join: {where}" if text else f"How to join: {where}"
    return text


def _one_line(text: str) -> str:
    """Collapse whitespace (including newlines) in a name, summary or location."""
    return " ".join(text.split())
