"""What the store knows about the meetings' events on the user's Google Calendar.

The events themselves live on Google; here are the sync token that reads their attendees'
answers incrementally, whether the user was told their token cannot write to the calendar,
and the queries that pick which meetings need a Calendar call at all (none, when every event
is in step: an idle command makes no Calendar request).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from outreach.store.meetings import MeetingRow

# meetings.calendar_synced values other than "start|end"
ABSENT = "absent"  # we removed the event (the meeting was cancelled)
REMOVED = "removed"  # the user deleted it on their calendar: it is not put back
FREE = "|free"  # after "start|end": declined, the event stays with their answer, shown free


@dataclass(frozen=True)
class CalendarState:
    account: str
    sync_token: str | None
    synced_at: str | None
    scope_note_at: str | None


class CalendarRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, account: str) -> CalendarState:
        row = self.conn.execute(
            "SELECT account, sync_token, synced_at, scope_note_at FROM calendar_sync "
            "WHERE account = ?",
            (account,),
        ).fetchone()
        if row is None:
            return CalendarState(account, None, None, None)
        return CalendarState(*tuple(row))

    def _ensure(self, account: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO calendar_sync (account) VALUES (?)", (account,)
        )

    def save_token(self, account: str, sync_token: str | None, now: str) -> None:
        self._ensure(account)
        self.conn.execute(
            "UPDATE calendar_sync SET sync_token = ?, synced_at = ? WHERE account = ?",
            (sync_token, now, account),
        )

    def set_scope_note(self, account: str, when: str | None) -> None:
        """Record that the user was told the token cannot write to the calendar (None: the
        calendar works again, so a later loss of access is told again)."""
        self._ensure(account)
        self.conn.execute(
            "UPDATE calendar_sync SET scope_note_at = ? WHERE account = ?", (when, account)
        )

    def on_calendar(self, since: str) -> list[MeetingRow]:
        """Meetings whose event may carry an answer worth reading: scheduled or declined,
        with an event in step, ending after ``since``."""
        rows = self.conn.execute(
            "SELECT * FROM meetings WHERE state IN ('scheduled', 'declined') "
            "AND calendar_event_id IS NOT NULL AND calendar_synced NOT IN (?, ?, '') "
            "AND julianday(end) > julianday(?) ORDER BY id",
            (ABSENT, REMOVED, since),
        )
        return [MeetingRow(**dict(row)) for row in rows]

    def out_of_step(self, since: str) -> list[MeetingRow]:
        """Meetings whose event is not what the meeting says: scheduled (ending after
        ``since``) but not on the calendar at its time; declined but still blocking the time;
        cancelled but perhaps still there."""
        rows = self.conn.execute(
            "SELECT * FROM meetings WHERE calendar_synced != ? AND ("
            "(state = 'scheduled' AND julianday(end) > julianday(?) "
            " AND calendar_synced != start || '|' || end) "
            "OR (state = 'declined' AND calendar_event_id IS NOT NULL "
            " AND julianday(end) > julianday(?) "
            " AND calendar_synced != start || '|' || end || '|free') "
            "OR (state = 'cancelled' AND calendar_event_id IS NOT NULL "
            " AND calendar_synced != ?) "
            ") ORDER BY id",
            (REMOVED, since, since, ABSENT),
        )
        return [MeetingRow(**dict(row)) for row in rows]

    def in_step(self) -> list[MeetingRow]:
        """Scheduled meetings whose event on the calendar is at the meeting's time: Google's
        free/busy already reports them."""
        rows = self.conn.execute(
            "SELECT * FROM meetings WHERE state = 'scheduled' "
            "AND calendar_event_id IS NOT NULL AND calendar_synced = start || '|' || end"
        )
        return [MeetingRow(**dict(row)) for row in rows]
