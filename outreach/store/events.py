"""Thread events seen by sync, and the per-account sync state (history id)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class EventRow:
    id: int
    gmail_id: str
    thread_id: str
    contact_id: int | None
    kind: str
    sender: str
    subject: str
    occurred_at: str
    return_date: str | None
    detail: str


def _event(row: sqlite3.Row) -> EventRow:
    return EventRow(**{key: row[key] for key in row.keys()})


class EventRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def record(
        self,
        *,
        gmail_id: str,
        thread_id: str,
        contact_id: int | None,
        kind: str,
        sender: str,
        subject: str,
        occurred_at: str,
        return_date: str | None = None,
        detail: str = "",
    ) -> bool:
        """Store an event once; False when this message was already recorded."""
        cursor = self.conn.execute(
            """INSERT OR IGNORE INTO thread_events (gmail_id, thread_id, contact_id, kind,
                   sender, subject, occurred_at, return_date, detail)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (gmail_id, thread_id, contact_id, kind, sender, subject, occurred_at, return_date,
             detail),
        )
        return cursor.rowcount == 1

    def known(self, gmail_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM thread_events WHERE gmail_id = ?", (gmail_id,))
        return row.fetchone() is not None

    def for_contact(self, contact_id: int) -> list[EventRow]:
        rows = self.conn.execute(
            "SELECT * FROM thread_events WHERE contact_id = ? ORDER BY occurred_at, id",
            (contact_id,),
        )
        return [_event(row) for row in rows]

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM thread_events").fetchone()[0])


@dataclass(frozen=True)
class SyncState:
    account: str
    history_id: str | None
    last_full_sync: str | None
    last_sync: str | None


class SyncRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, account: str) -> SyncState:
        row = self.conn.execute("SELECT * FROM sync_state WHERE account = ?", (account,))
        found = row.fetchone()
        if found is None:
            return SyncState(account, None, None, None)
        return SyncState(
            found["account"], found["history_id"], found["last_full_sync"], found["last_sync"]
        )

    def save(self, account: str, history_id: str | None, now: str, full: bool) -> None:
        self.conn.execute(
            """INSERT INTO sync_state (account, history_id, last_full_sync, last_sync)
               VALUES (?, ?, ?, ?)
               ON CONFLICT(account) DO UPDATE SET history_id = excluded.history_id,
                   last_full_sync = COALESCE(excluded.last_full_sync, last_full_sync),
                   last_sync = excluded.last_sync""",
            (account, history_id, now if full else None, now),
        )
