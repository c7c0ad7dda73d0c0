"""Thread events seen by sync, and the per-account sync state (history id).

Times are stored as ISO 8601 with an offset; sync writes them in UTC. Code that orders times
written by different commands (and so perhaps with different offsets) compares them through
``julianday()``, never as strings.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
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
    message_id: str = ""  # the RFC Message-ID of the message, "<...>" ("" when unknown)
    address: str = ""  # the address it concerns: a bounce's failed recipient, else the sender
    reading: str | None = None  # what the reply said (JSON findings); None: not read
    first_line: str = ""  # the first line of the reply's own text, when it could be read
    sender_name: str = ""  # the From display name
    refs: str = ""  # its References header: Message-IDs, space-separated


def _event(row: sqlite3.Row) -> EventRow:
    return EventRow(**{key: row[key] for key in row.keys()})  # noqa: SIM118


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
        message_id: str = "",
        address: str = "",
        reading: str | None = None,
        first_line: str = "",
        sender_name: str = "",
        refs: str = "",
    ) -> bool:
        """Store an event once; False when this message was already recorded."""
        cursor = self.conn.execute(
            """INSERT OR IGNORE INTO thread_events (gmail_id, thread_id, contact_id, kind,
                   sender, subject, occurred_at, return_date, detail, message_id, address,
                   reading, first_line, sender_name, refs)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                gmail_id,
                thread_id,
                contact_id,
                kind,
                sender,
                subject,
                occurred_at,
                return_date,
                detail,
                message_id,
                address.casefold(),
                reading,
                first_line,
                sender_name,
                refs,
            ),
        )
        return cursor.rowcount == 1

    def latest_reply(self, contact_id: int) -> EventRow | None:
        """The contact's side's latest written reply (not an answer to an invite)."""
        row = self.conn.execute(
            "SELECT * FROM thread_events WHERE contact_id = ? AND kind = 'reply' "
            "ORDER BY julianday(occurred_at) DESC, id DESC LIMIT 1",
            (contact_id,),
        ).fetchone()
        return None if row is None else _event(row)

    def hand_over(self, from_contact: int, address: str, to_contact: int) -> int:
        """Events of ``from_contact`` written from ``address`` become ``to_contact``'s (a
        colleague who took the conversation over); how many moved."""
        cursor = self.conn.execute(
            "UPDATE thread_events SET contact_id = ? WHERE contact_id = ? AND address = ? "
            "AND kind IN ('reply', 'auto_reply', 'rsvp')",
            (to_contact, from_contact, address.casefold()),
        )
        return cursor.rowcount

    def set_reading(self, event_id: int, reading: str) -> None:
        """Record what a reply said (``outreach reply`` for a reply sync could not read)."""
        self.conn.execute("UPDATE thread_events SET reading = ? WHERE id = ?", (reading, event_id))

    def known(self, gmail_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM thread_events WHERE gmail_id = ?", (gmail_id,))
        return row.fetchone() is not None

    def known_ids(self, gmail_ids: Iterable[str]) -> set[str]:
        """Which of these message ids already have an event (one query per 500 ids)."""
        wanted = list(dict.fromkeys(gmail_ids))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows = self.conn.execute(
                f"SELECT gmail_id FROM thread_events WHERE gmail_id IN ({marks})",  # noqa: S608
                chunk,
            )
            found.update(row[0] for row in rows)
        return found

    def for_contact(self, contact_id: int) -> list[EventRow]:
        rows = self.conn.execute(
            "SELECT * FROM thread_events WHERE contact_id = ? ORDER BY julianday(occurred_at), id",
            (contact_id,),
        )
        return [_event(row) for row in rows]

    def all(self) -> list[EventRow]:
        rows = self.conn.execute("SELECT * FROM thread_events ORDER BY id")
        return [_event(row) for row in rows]

    def threads_by_message_id(self, prefix: str) -> dict[str, str]:
        """Message ids of events keyed ``<prefix><Message-ID>`` (``local:``, ``imap:``) -> their
        thread id, so a message answering a reply finds the thread too."""
        rows = self.conn.execute(
            "SELECT gmail_id, thread_id FROM thread_events WHERE gmail_id LIKE ? ESCAPE '\\'",
            (prefix.replace("%", "\\%").replace("_", "\\_") + "%",),
        )
        return {row[0][len(prefix) :]: row[1] for row in rows}

    def count(self, kind: str | None = None) -> int:
        if kind is None:
            row = self.conn.execute("SELECT COUNT(*) FROM thread_events")
        else:
            row = self.conn.execute("SELECT COUNT(*) FROM thread_events WHERE kind = ?", (kind,))
        return int(row.fetchone()[0])


@dataclass(frozen=True)
class SyncState:
    account: str
    history_id: str | None
    last_full_sync: str | None
    last_sync: str | None


@dataclass(frozen=True)
class TrackedMessage:
    """One of our messages rows, as sync needs it to match what it sees."""

    row_id: int
    contact_id: int
    thread_id: str | None
    message_id: str
    gmail_id: str | None
    state: str
    draft_id: str | None


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

    def set_baseline(self, account: str, history_id: str) -> bool:
        """Where sync starts reading the mailbox's history, recorded before our first draft
        (so the first sync sees everything since, in any thread); False if sync already has
        a position."""
        cursor = self.conn.execute(
            """INSERT INTO sync_state (account, history_id, last_full_sync, last_sync)
               VALUES (?, ?, NULL, NULL)
               ON CONFLICT(account) DO UPDATE SET history_id = excluded.history_id
               WHERE sync_state.history_id IS NULL""",
            (account, history_id),
        )
        return cursor.rowcount == 1

    def tracked_threads(self) -> dict[str, int]:
        """Thread id -> contact id for every thread holding a message of ours, or a message
        from a contact (who may answer in a thread of their own).

        A thread is the contact's of its first message (threads are never shared).
        """
        found: dict[str, int] = {}
        rows = self.conn.execute(
            "SELECT thread_id, contact_id FROM thread_events "
            "WHERE contact_id IS NOT NULL AND thread_id != '' "
            "AND kind IN ('reply', 'auto_reply', 'rsvp', 'own_send') ORDER BY id DESC"
        )
        found.update((row[0], row[1]) for row in rows)
        rows = self.conn.execute(
            "SELECT thread_id, contact_id FROM messages "
            "WHERE thread_id IS NOT NULL AND thread_id != '' ORDER BY id DESC"
        )
        found.update((row[0], row[1]) for row in rows)
        return found

    def tracked_messages(self) -> list[TrackedMessage]:
        """Every message row with a Message-ID, oldest first."""
        rows = self.conn.execute(
            "SELECT id, contact_id, thread_id, message_id, gmail_id, state, draft_id "
            "FROM messages "
            "WHERE message_id != '' ORDER BY id"
        )
        return [TrackedMessage(*tuple(row)) for row in rows]
