"""Which messages of the mailbox's sent mail the database knows (see services/sending/ledger)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


class LedgerRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def known(self, pairs: Iterable[tuple[str, str]]) -> set[str]:
        """Of (Message-ID, backend id) pairs, the Message-IDs the database records: as one of
        our messages sent (or being sent), by Message-ID, or as a send sync saw (an event), by
        backend id. Both lookups use an index."""
        found: set[str] = set()
        for message_id, backend_id in pairs:
            row = self.conn.execute(
                "SELECT 1 FROM messages WHERE message_id = ? "
                "AND (state = 'sent' OR send_started_at IS NOT NULL) "
                "UNION ALL SELECT 1 FROM thread_events WHERE gmail_id = ? LIMIT 1",
                (message_id, backend_id),
            ).fetchone()
            if row is not None:
                found.add(message_id)
        return found

    def drafted(self, message_ids: Iterable[str]) -> set[str]:
        """Of these Message-IDs, those of messages the database records in any state (sync
        itself sees a drafted one sent, in its thread)."""
        found: set[str] = set()
        for message_id in message_ids:
            row = self.conn.execute(
                "SELECT 1 FROM messages WHERE message_id = ? LIMIT 1", (message_id,)
            ).fetchone()
            if row is not None:
                found.add(message_id)
        return found

    def waiting_drafts(self, message_ids: Iterable[str]) -> dict[str, str]:
        """Of these Message-IDs, those of messages the database holds as drafted and not
        sent, with their draft ids."""
        found: dict[str, str] = {}
        for message_id in message_ids:
            row = self.conn.execute(
                "SELECT draft_id FROM messages WHERE message_id = ? AND state = 'drafted' "
                "AND draft_id IS NOT NULL AND send_started_at IS NULL LIMIT 1",
                (message_id,),
            ).fetchone()
            if row is not None:
                found[message_id] = str(row[0])
        return found
