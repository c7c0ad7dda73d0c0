"""The one calendar protocol: the user's own copy of each meeting, whichever calendar holds
it (Google Calendar: :mod:`outreach.google.calendar_events`; Outlook:
:mod:`outreach.microsoft.calendar`). Events go in and come out in one shape (Calendar API
v3's: ``summary``, ``start.dateTime``, ``attendees``, ``conferenceData``, ...); an adapter
translates for its service. Pure: types only, no I/O."""

from __future__ import annotations

from collections.abc import Iterator
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
