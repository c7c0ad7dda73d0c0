"""The delivery queue: drafted messages waiting for the recipient's morning.

A queued message is still a draft; the queue only says when it is to go. Sending stays
claimed on the message row (:meth:`MessageRepo.claim_send`), so however many processes
deliver the queue, each message goes once. A message the mail server holds until its time
(``held_id`` set) is claimed already; `watch` leaves it to the server.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class QueuedMessage:
    message_row_id: int
    contact_id: int
    kind: str
    deliver_at: str
    queued_at: str
    held_id: str | None = None  # the server's id of the message it holds, else None


_SELECT = (
    "SELECT q.message_row_id, m.contact_id, m.kind, q.deliver_at, q.queued_at, q.held_id "
    "FROM delivery_queue q JOIN messages m ON m.id = q.message_row_id "
)


class QueueRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def put(self, message_row_id: int, deliver_at: str, now: str) -> None:
        """Queue a message, or move its time (the first queuing time is kept)."""
        self.conn.execute(
            "INSERT INTO delivery_queue (message_row_id, deliver_at, queued_at) VALUES (?, ?, ?) "
            "ON CONFLICT(message_row_id) DO UPDATE SET deliver_at = excluded.deliver_at",
            (message_row_id, deliver_at, now),
        )

    def put_held(self, message_row_id: int, deliver_at: str, now: str, held_id: str) -> None:
        """Record a message the server holds until ``deliver_at``."""
        self.conn.execute(
            "INSERT INTO delivery_queue (message_row_id, deliver_at, queued_at, held_id) "
            "VALUES (?, ?, ?, ?) ON CONFLICT(message_row_id) DO UPDATE SET "
            "deliver_at = excluded.deliver_at, held_id = excluded.held_id",
            (message_row_id, deliver_at, now, held_id),
        )

    def remove(self, message_row_id: int) -> bool:
        cursor = self.conn.execute(
            "DELETE FROM delivery_queue WHERE message_row_id = ?", (message_row_id,)
        )
        return cursor.rowcount == 1

    def forget_finished(self) -> int:
        """Drop entries whose message was sent or is no longer a draft, and local entries
        claimed for sending (a held one is claimed from the start: it stays until it is
        recorded sent)."""
        cursor = self.conn.execute(
            "DELETE FROM delivery_queue WHERE message_row_id IN (SELECT id FROM messages "
            "WHERE state != 'drafted') OR (held_id IS NULL AND message_row_id IN "
            "(SELECT id FROM messages WHERE send_started_at IS NOT NULL))"
        )
        return cursor.rowcount

    def waiting(self, contact_ids: list[int] | None = None) -> list[QueuedMessage]:
        """Every draft queued on this machine not yet claimed for sending, soonest first."""
        rows = self.conn.execute(
            _SELECT + "WHERE m.state = 'drafted' AND m.send_started_at IS NULL "
            "AND q.held_id IS NULL ORDER BY q.deliver_at, q.message_row_id"
        )
        return _only(rows, contact_ids)

    def held_by_server(self, contact_ids: list[int] | None = None) -> list[QueuedMessage]:
        """Messages the server holds, not yet recorded sent, soonest first."""
        rows = self.conn.execute(
            _SELECT + "WHERE m.state = 'drafted' AND q.held_id IS NOT NULL "
            "ORDER BY q.deliver_at, q.message_row_id"
        )
        return _only(rows, contact_ids)

    def deliver_at(self, message_row_id: int) -> str | None:
        row = self.conn.execute(
            "SELECT deliver_at FROM delivery_queue WHERE message_row_id = ?", (message_row_id,)
        ).fetchone()
        return None if row is None else str(row[0])


def _only(rows: Iterable[Any], contact_ids: list[int] | None) -> list[QueuedMessage]:
    found = [QueuedMessage(*row) for row in rows]
    if contact_ids is not None:
        wanted = set(contact_ids)
        found = [item for item in found if item.contact_id in wanted]
    return found


class WatchStateRepo:
    """Small named facts `watch` keeps between runs (e.g. the day of the last summary)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, name: str) -> str | None:
        row = self.conn.execute("SELECT value FROM watch_state WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set(self, name: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO watch_state (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (name, value),
        )
