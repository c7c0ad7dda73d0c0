"""Prior contact: when the user last wrote to, and last heard from, each address, as the
mailbox showed it on the first sync (headers only; see services/sync/prior.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

_READ_MARK = "prior_contact_read"


class PriorContactRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def read_already(self) -> bool:
        row = self.conn.execute("SELECT 1 FROM maildir_state WHERE name = ?", (_READ_MARK,))
        return row.fetchone() is not None

    def save(self, found: dict[str, tuple[str | None, str | None]], now: str) -> None:
        """Merge ``address -> (last_sent, last_received)`` and mark the mailbox read."""
        self.conn.executemany(
            """INSERT INTO prior_contact (address, last_sent, last_received) VALUES (?, ?, ?)
               ON CONFLICT(address) DO UPDATE SET
                   last_sent = MAX(COALESCE(last_sent, ''), COALESCE(excluded.last_sent, '')),
                   last_received = MAX(COALESCE(last_received, ''),
                                       COALESCE(excluded.last_received, ''))""",
            [(address, sent, received) for address, (sent, received) in found.items()],
        )
        self.conn.execute(
            "UPDATE prior_contact SET last_sent = NULLIF(last_sent, ''), "
            "last_received = NULLIF(last_received, '')"
        )
        self.conn.execute(
            "INSERT INTO maildir_state (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (_READ_MARK, now),
        )

    def for_addresses(self, addresses: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
        """``address -> (last_sent, last_received)`` for those of ``addresses`` known."""
        found: dict[str, tuple[str | None, str | None]] = {}
        for address in {a.casefold() for a in addresses if a}:
            row = self.conn.execute(
                "SELECT last_sent, last_received FROM prior_contact WHERE address = ?",
                (address,),
            ).fetchone()
            if row is not None:
                found[address] = (row[0], row[1])
        return found

    def exchanged(self, contact_id: int, address: str | None) -> tuple[str | None, str | None]:
        """(last sent, last received) with a contact: the prior mailbox and everything since
        (our sends, and what sync recorded)."""
        prior = self.for_addresses([address] if address else []).get(
            (address or "").casefold(), (None, None)
        )
        sent = self.conn.execute(
            "SELECT MAX(at) FROM (SELECT MAX(sent_at) AS at FROM messages "
            "WHERE contact_id = ? AND state = 'sent' UNION ALL SELECT MAX(occurred_at) "
            "FROM thread_events WHERE contact_id = ? AND kind = 'own_send')",
            (contact_id, contact_id),
        ).fetchone()[0]
        received = self.conn.execute(
            "SELECT MAX(occurred_at) FROM thread_events WHERE contact_id = ? "
            "AND kind IN ('reply', 'auto_reply', 'rsvp')",
            (contact_id,),
        ).fetchone()[0]
        return _latest(prior[0], sent), _latest(prior[1], received)


def _latest(a: str | None, b: str | None) -> str | None:
    values = [v for v in (a, b) if v]
    return max(values) if values else None
