"""The one door services use to the user's own calendar (the meeting as an event kept in step,
answers read back): the methods of :class:`MeetingCalendar`. Google Calendar
(:class:`outreach.google.calendar_events.CalendarEvents`) implements it today; another calendar
(Outlook through Graph) implements the same methods.

Events travel in the shape of Google Calendar's Events resource (``id``, ``iCalUID``,
``start``/``end`` with ``dateTime``, ``attendees`` with ``responseStatus``, ``status``), the
richest of the shapes the services read; another calendar's adapter translates to and from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol

Event = dict[str, Any]


class MeetingCalendar(Protocol):
    granted: frozenset[str] | None  # what the sign-in allows, when known
    requests: int  # requests made so far (for `sync --json`)

    @property
    def may_write(self) -> bool:
        """False when the sign-in cannot change events (no request needed to know)."""
        ...

    def insert(self, body: Event, *, conference: bool) -> Event | None:
        """Create the event (sending no invitation); None when one with its iCalUID exists."""
        ...

    def find(self, ical_uid: str) -> Event | None:
        """The event with this iCalUID (a cancelled one included), or None."""
        ...

    def get(self, event_id: str) -> Event | None:
        """The event, or None when it is gone."""
        ...

    def patch(self, event_id: str, body: Event, *, conference: bool) -> Event | None:
        """Change the event; None when it is gone."""
        ...

    def delete(self, event_id: str) -> bool:
        """Remove the event; False when it was already gone."""
        ...

    def wait_for_meet(self, event: Event) -> Event:
        """The event once its video link exists (a bounded wait)."""
        ...

    def changes(
        self, sync_token: str | None, time_min: datetime
    ) -> Iterator[tuple[list[Event], str | None]]:
        """Pages of events changed since ``sync_token``, each with the next token."""
        ...
