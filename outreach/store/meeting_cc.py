"""Who is copied on a contact's invites (an assistant who keeps their calendar)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


class MeetingCcRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def for_contact(self, contact_id: int) -> list[str]:
        """The addresses copied on the contact's invites, in the order given."""
        rows = self.conn.execute(
            "SELECT email FROM meeting_cc WHERE contact_id = ? ORDER BY position, email_key",
            (contact_id,),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def replace(self, contact_id: int, emails: Sequence[str], now: str) -> None:
        """Copy exactly these addresses from now on (an empty list: nobody)."""
        self.conn.execute("DELETE FROM meeting_cc WHERE contact_id = ?", (contact_id,))
        seen: set[str] = set()
        for position, email in enumerate(emails):
            key = email.casefold()
            if key in seen:
                continue
            seen.add(key)
            self.conn.execute(
                "INSERT INTO meeting_cc (contact_id, email, email_key, position, added_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (contact_id, email, key, position, now),
            )
