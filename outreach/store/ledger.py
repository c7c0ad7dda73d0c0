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

    def unsent_rows(self, message_ids: Iterable[str]) -> dict[str, int]:
        """Message-ID -> row id of our messages the database still holds as unsent (drafted,
        or reserved) although the mailbox's sent mail has them: sent from the mail client."""
        found: dict[str, int] = {}
        for message_id in message_ids:
            row = self.conn.execute(
                "SELECT id FROM messages WHERE message_id = ? AND state IN ('drafted', 'pending') "
                "AND send_started_at IS NULL LIMIT 1",
                (message_id,),
            ).fetchone()
            if row is not None:
                found[message_id] = int(row[0])
        return found

    def recover_sent(
        self,
        *,
        contact_id: int,
        kind: str,
        subject: str,
        message_id: str,
        backend: str,
        backend_id: str | None,
        thread_id: str | None,
        sent_at: str,
        recipient: str,
    ) -> bool:
        """Record a message of ours found in the sent mail but lost by the database, as sent
        (template ``recovered``); False when a row with its Message-ID exists."""
        cursor = self.conn.execute(
            """INSERT INTO messages (contact_id, kind, template, idem_key, subject, message_id,
                   backend, gmail_id, thread_id, state, send_started_at, sent_at, created_at,
                   updated_at, recipient)
               SELECT ?, ?, 'recovered', ?, ?, ?, ?, ?, ?, 'sent', ?, ?, ?, ?, ?
               WHERE NOT EXISTS (SELECT 1 FROM messages WHERE message_id = ?)""",
            (
                contact_id,
                kind,
                f"recovered:{message_id}",
                subject,
                message_id,
                backend,
                backend_id,
                thread_id,
                sent_at,
                sent_at,
                sent_at,
                sent_at,
                recipient,
                message_id,
            ),
        )
        return cursor.rowcount == 1

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
