"""The one calendar protocol: the user's own copy of each meeting, whichever calendar holds
it (Google Calendar: :mod:`outreach.google.calendar_events`; Outlook:
:mod:`outreach.microsoft.calendar`). Events go in and come out in one shape (Calendar API
v3's: ``summary``, ``start.dateTime``, ``attendees``, ``conferenceData``, ...); an adapter
translates for its service. Pure: types and readers of that shape, no I/O."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from outreach.errors import ScheduleError


class CalendarNotAllowed(Exception):
    """The token may not write events (no calendar write scope or permission)."""


class SyncTokenExpired(Exception):
    """The calendar no longer accepts the stored sync token: list everything again."""


class CalendarFailure(ScheduleError):
    """The calendar failed in a way the user has to know about (after retries)."""


class EventCalendar(Protocol):
    @property
    def requests(self) -> int:
        """Requests made so far (for the figures sync and book print)."""
        ...

    @property
    def granted(self) -> frozenset[str] | None:
        """The token's scopes when known (None: only a call can tell)."""
        ...

    @property
    def may_write(self) -> bool: ...

    def insert(self, body: dict[str, Any], *, conference: bool) -> dict[str, Any] | None:
        """Create the event; None when one with its UID already exists (find it)."""
        ...

    def find(self, ical_uid: str) -> dict[str, Any] | None: ...

    def get(self, event_id: str) -> dict[str, Any] | None: ...

    def patch(
        self, event_id: str, body: dict[str, Any], *, conference: bool
    ) -> dict[str, Any] | None: ...

    def delete(self, event_id: str) -> bool: ...

    def wait_for_meet(self, event: dict[str, Any]) -> dict[str, Any]: ...

    def changes(
        self, sync_token: str | None, time_min: datetime
    ) -> Iterator[tuple[list[dict[str, Any]], str | None]]: ...


# --- reading an event (the one shape every calendar adapter gives) --------------------------


def conference_request_id(uid: str) -> str:
    """The createRequest id for a meeting's Meet link: the same for every try, so a retried
    request is ignored by Google instead of making a second conference."""
    return "outreach-" + hashlib.sha256(uid.encode("utf-8")).hexdigest()[:32]


# --- reading an event ----------------------------------------------------------------------


def is_cancelled(event: dict[str, Any]) -> bool:
    return event.get("status") == "cancelled"


def event_times(event: dict[str, Any]) -> tuple[datetime, datetime] | None:
    """(start, end) of a timed event; None for an all-day one or a tombstone."""
    try:
        start = datetime.fromisoformat(str(event["start"]["dateTime"]).replace("Z", "+00:00"))
        end = datetime.fromisoformat(str(event["end"]["dateTime"]).replace("Z", "+00:00"))
    except (KeyError, TypeError, ValueError):
        return None
    if start.tzinfo is None or end.tzinfo is None:
        return None
    return start, end


def attendee_answer(event: dict[str, Any], email: str) -> str | None:
    """The attendee's responseStatus (needsAction, accepted, declined, tentative), or None
    when they are not on the event."""
    wanted = email.casefold()
    for attendee in event.get("attendees") or []:
        if isinstance(attendee, dict) and str(attendee.get("email", "")).casefold() == wanted:
            return str(attendee.get("responseStatus") or "needsAction")
    return None


@dataclass(frozen=True)
class MeetLink:
    status: str  # success, pending, failure, or "" when none was asked for
    url: str = ""


def meet_link(event: dict[str, Any]) -> MeetLink:
    """The event's video link and the state of its creation."""
    data = event.get("conferenceData")
    if not isinstance(data, dict):
        return MeetLink("")
    url = ""
    for point in data.get("entryPoints") or []:
        if isinstance(point, dict) and point.get("entryPointType") == "video" and point.get("uri"):
            url = str(point["uri"])
            break
    url = url or str(event.get("hangoutLink") or "")
    request = data.get("createRequest") or {}
    status = str(((request.get("status") or {}).get("statusCode")) or "")
    if url:
        return MeetLink("success", url)
    return MeetLink(status or "pending")


def updated_at(event: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(event["updated"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
