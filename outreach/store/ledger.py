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
