"""Busy intervals from the user's calendars: iCalendar (.ics) bytes and Google freebusy JSON.

Rules for iCalendar, in the order a reader would ask about them:

- Only ``VEVENT`` blocks time. Recurring series are expanded with ``recurring_ical_events``
  (RRULE, RDATE, EXDATE, and RECURRENCE-ID overrides, including an override that moves or
  cancels one instance).
- ``STATUS:CANCELLED`` and ``TRANSP:TRANSPARENT`` ("show me as free") do not block. Tentative
  events do block: better to offer one slot fewer than to double-book.
- An all-day event (``VALUE=DATE``) blocks its whole days, midnight to midnight in the user's
  zone; ``DTEND`` is exclusive, as RFC 5545 says.
- A floating time (no ``Z``, no ``TZID``) is a wall-clock time in the user's zone. A ``TZID``
  is honoured from the file's ``VTIMEZONE`` or, failing that, as an IANA (or Windows) name; an
  unknown ``TZID`` is an error rather than a silent guess.
- An event with a start and no end or duration takes no time (RFC 5545) and does not block.

Everything is pure except :func:`load_ics_busy`, which reads one file and names it in errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events

from outreach.errors import ScheduleError
from outreach.schedule.intervals import Interval, merge

__all__ = [
    "busy_from_freebusy",
    "busy_from_ics",
    "busy_union",
    "freebusy_request_body",
    "load_ics_busy",
]

# Properties whose breakage changes when an event happens; a broken DESCRIPTION does not matter.
_TIME_PROPERTIES = frozenset(
    {"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"}
)
# What a parser or the expansion may raise for malformed input.
_PARSE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError, OverflowError)

_ICS_HINT = (
    "Export the calendar again as an .ics file, or remove it from [schedule] busy in config.toml."
)


def busy_from_ics(
    data: bytes,
    start: datetime,
    end: datetime,
    user_tz: tzinfo,
    *,
    source: str = "calendar data",
) -> list[Interval]:
    """Busy intervals from iCalendar ``data`` that overlap ``[start, end)``, merged and sorted.

    Intervals are not clipped: an event straddling an edge of the window keeps its full span.
    Ask for a window that covers the buffer too (:func:`~outreach.schedule.slots.busy_query_window`
    does). ``source`` (usually the file name) is named in every error.

    Raises:
        ScheduleError: the bytes are not an iCalendar calendar, or an event in it is malformed.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    calendars = _parse_calendars(data, source)
    window = Interval(start, end)
    found: list[Interval] = []
    for calendar in calendars:
        try:
            _check_event_properties(calendar, source)
            query = recurring_ical_events.of(calendar)
            occurrences = query.between(start.astimezone(user_tz), end.astimezone(user_tz))
            for event in occurrences:
                interval = _event_interval(event, user_tz, source)
                if interval is not None and interval.overlaps(window):
                    found.append(interval)
        except ScheduleError:
            raise
        except _PARSE_ERRORS as exc:
            raise ScheduleError(
                f"{source}: an event cannot be read: {_describe(exc)}.", hint=_ICS_HINT
            ) from None
    return merge(found)


def load_ics_busy(
    path: str | Path, start: datetime, end: datetime, user_tz: tzinfo
) -> list[Interval]:
    """Read the .ics file at ``path`` and return its busy intervals in ``[start, end)``.

    Raises:
        ScheduleError: naming the file, if it cannot be read or is not a valid calendar.
    """
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise ScheduleError(
            f"{file}: calendar file not found.",
            hint="Fix the path in [schedule] busy in config.toml (relative to the workspace).",
        ) from None
    except OSError as exc:
        raise ScheduleError(
            f"{file}: calendar file cannot be read: {exc.strerror or exc}.",
            hint="Check the file's permissions, or remove it from [schedule] busy.",
        ) from None
    return busy_from_ics(data, start, end, user_tz, source=str(file))


def freebusy_request_body(
    start: datetime, end: datetime, calendar_ids: Sequence[str] = ("primary",)
) -> dict[str, Any]:
    """The JSON body of a Calendar API ``freebusy.query`` for ``[start, end)``.

    Times are sent in UTC (``...Z``); Google answers in UTC too. The API accepts at most 50
    calendars per query.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end <= start:
        raise ValueError(f"freebusy window ends before it starts: {start} >= {end}")
    ids = list(calendar_ids)
    if not ids or not all(isinstance(i, str) and i for i in ids):
        raise ValueError("freebusy needs at least one calendar id (e.g. 'primary')")
    return {
        "timeMin": _rfc3339_utc(start),
        "timeMax": _rfc3339_utc(end),
        "timeZone": "UTC",
        "items": [{"id": calendar_id} for calendar_id in ids],
    }


def busy_from_freebusy(response: Mapping[str, Any]) -> list[Interval]:
    """Busy intervals (merged, sorted) from a Calendar API ``freebusy.query`` response.

    A calendar that reports ``errors`` (not found, no access, too many requests) makes this
    raise: treating an unreadable calendar as free would double-book the user.

    Raises:
        ScheduleError: the response reports an error for a calendar, or has an unexpected shape.
    """
    calendars = response.get("calendars") if isinstance(response, Mapping) else None
    if not isinstance(calendars, Mapping):
        raise _freebusy_shape_error("no 'calendars' object")
    found: list[Interval] = []
    for calendar_id, entry in calendars.items():
        if not isinstance(entry, Mapping):
            raise _freebusy_shape_error(f"calendar {calendar_id!r} is not an object")
        errors = entry.get("errors") or []
        if errors:
            reasons = ", ".join(
                str(e.get("reason", "unknown")) if isinstance(e, Mapping) else str(e)
                for e in errors
            )
            raise ScheduleError(
                f"Google Calendar could not report busy times for {calendar_id!r}: {reasons}.",
                hint=(
                    "Check the calendar id and that your account can see its free/busy "
                    "information; or list an .ics export in [schedule] busy instead."
                ),
            )
        busy = entry.get("busy") or []
        if not isinstance(busy, list):
            raise _freebusy_shape_error(f"calendar {calendar_id!r} has a non-list 'busy'")
        for item in busy:
            found.append(_freebusy_interval(calendar_id, item))
    return merge(found)


# --- iCalendar helpers ----------------------------------------------------------------------


def _parse_calendars(data: bytes, source: str) -> list[icalendar.Calendar]:
    if not data.strip():
        raise ScheduleError(f"{source}: the calendar file is empty.", hint=_ICS_HINT)
    try:
        components = icalendar.Calendar.from_ical(data, multiple=True)
    except _PARSE_ERRORS as exc:
        raise ScheduleError(
            f"{source}: not a valid iCalendar file: {_describe(exc)}.", hint=_ICS_HINT
        ) from None
    calendars: list[icalendar.Calendar] = []
    for component in components:
        if not isinstance(component, icalendar.Calendar) or component.name != "VCALENDAR":
            raise ScheduleError(
                f"{source}: not an iCalendar calendar (found {component.name or 'nothing'} "
                "where BEGIN:VCALENDAR was expected).",
                hint=_ICS_HINT,
            )
        calendars.append(component)
    if not calendars:
        raise ScheduleError(
            f"{source}: no complete calendar (BEGIN:VCALENDAR ... END:VCALENDAR) found; "
            "is the file truncated?",
            hint=_ICS_HINT,
        )
    return calendars


def _check_event_properties(calendar: icalendar.Calendar, source: str) -> None:
    """Fail early, naming the event, when a property that decides its time is unparseable."""
    for event in calendar.walk("VEVENT"):
        for name, message in getattr(event, "errors", ()):
            if str(name).upper() in _TIME_PROPERTIES:
                raise ScheduleError(
                    f"{source}: event {_event_label(event)} has a bad {name}: {message}.",
                    hint=_ICS_HINT,
                )
        if "DTSTART" not in event:
            raise ScheduleError(
                f"{source}: event {_event_label(event)} has no DTSTART.", hint=_ICS_HINT
            )
        for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            prop = event.get(name)
            tzid = prop.params.get("TZID") if prop is not None else None
            value = getattr(prop, "dt", None)
            if tzid and isinstance(value, datetime) and value.tzinfo is None:
                raise ScheduleError(
                    f"{source}: event {_event_label(event)} uses unknown time zone {tzid!r} "
                    "(no VTIMEZONE for it and not an IANA name).",
                    hint="Export the calendar again with time zone definitions included.",
                )


def _event_interval(event: Any, user_tz: tzinfo, source: str) -> Interval | None:
    """The time an expanded occurrence blocks, or None if it does not block."""
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
        return None
    dtstart = event["DTSTART"]
    dtend = event.get("DTEND")
    begin = _as_aware(dtstart, user_tz, source, event)
    if dtend is not None:
        finish = _as_aware(dtend, user_tz, source, event)
    elif isinstance(dtstart.dt, datetime):
        finish = begin  # RFC 5545: a DATE-TIME start and no end takes no time
    else:
        finish = _midnight(dtstart.dt + timedelta(days=1), user_tz)
    if finish < begin:  # tolerate swapped ends rather than lose a busy time
        begin, finish = finish, begin
    if begin == finish:
        return None
    return Interval(begin, finish)


def _as_aware(prop: Any, user_tz: tzinfo, source: str, event: Any) -> datetime:
    value = prop.dt
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            return value
        # Floating: the user's wall clock. (An unknown TZID was rejected before expansion.)
        return value.replace(tzinfo=user_tz)
    if isinstance(value, date):
        return _midnight(value, user_tz)
    raise ScheduleError(
        f"{source}: event {_event_label(event)} has a time that is neither a date nor a "
        f"date-time: {value!r}.",
        hint=_ICS_HINT,
    )


def _midnight(day: date, user_tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=user_tz)


def _event_label(event: Any) -> str:
    uid = event.get("UID")
    summary = event.get("SUMMARY")
    if uid:
        return f"UID {str(uid)!r}"
    if summary:
        return f"{str(summary)!r}"
    return "(no UID)"


def _describe(exc: BaseException) -> str:
    """A short, printable one-line rendering of a parser's complaint."""
    text = str(exc).strip() or type(exc).__name__
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    if sum(not ch.isascii() for ch in text) > len(text) // 4:
        return "unreadable content (is this a binary file?)"
    return text if len(text) <= 160 else text[:157] + "..."


# --- freebusy helpers -----------------------------------------------------------------------


def _freebusy_interval(calendar_id: str, item: Any) -> Interval:
    if not isinstance(item, Mapping):
        raise _freebusy_shape_error(f"a busy entry of {calendar_id!r} is not an object")
    try:
        start = datetime.fromisoformat(str(item["start"]))
        end = datetime.fromisoformat(str(item["end"]))
        return Interval(start, end)
    except (KeyError, ValueError) as exc:
        raise _freebusy_shape_error(
            f"bad busy entry {dict(item)!r} for {calendar_id!r} ({_describe(exc)})"
        ) from None


def _freebusy_shape_error(detail: str) -> ScheduleError:
    return ScheduleError(
        f"Unexpected freebusy response from Google Calendar: {detail}.",
        hint="Retry; if it persists, list an .ics export in [schedule] busy instead.",
    )


def _rfc3339_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}")


def busy_union(*sources: Iterable[Interval]) -> list[Interval]:
    """All busy intervals from several sources (Google, .ics files), merged and sorted."""
    return merge(interval for source in sources for interval in source)
