"""Promises made in a conversation ("send my résumé"): open until the user marks them done."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PromiseRow:
    id: int
    contact_id: int
    meeting_id: int | None
    text: str
    text_key: str
    created_at: str
    done_at: str | None


def promise_key(text: str) -> str:
    """Two spellings of one promise ("Send my CV", "send my  CV.") are the same promise."""
    return " ".join(text.split()).rstrip(".").casefold()


class PromiseRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(
        self, contact_id: int, meeting_id: int | None, texts: Iterable[str], now: str
    ) -> list[PromiseRow]:
        """Record promises; one already recorded for the same conversation is not doubled.
        Returns the rows that were new."""
        added: list[PromiseRow] = []
        for text in texts:
            clean = " ".join(text.split())
            if not clean:
                continue
            cursor = self.conn.execute(
                """INSERT OR IGNORE INTO promises (contact_id, meeting_id, text, text_key,
                       created_at) VALUES (?, ?, ?, ?, ?)""",
                (contact_id, meeting_id, clean, promise_key(clean), now),
            )
            if cursor.rowcount == 1:
                added.append(self.by_id(int(cursor.lastrowid or 0)))
        return added

    def by_id(self, promise_id: int) -> PromiseRow:
        row = self.conn.execute("SELECT * FROM promises WHERE id = ?", (promise_id,)).fetchone()
        return PromiseRow(**dict(row))

    def find(self, promise_id: int) -> PromiseRow | None:
        row = self.conn.execute("SELECT * FROM promises WHERE id = ?", (promise_id,)).fetchone()
        return None if row is None else PromiseRow(**dict(row))

    def for_contact(self, contact_id: int) -> list[PromiseRow]:
        rows = self.conn.execute(
            "SELECT * FROM promises WHERE contact_id = ? ORDER BY id", (contact_id,)
        )
        return [PromiseRow(**dict(row)) for row in rows]

    def for_meeting(self, meeting_id: int) -> list[PromiseRow]:
        rows = self.conn.execute(
            "SELECT * FROM promises WHERE meeting_id = ? ORDER BY id", (meeting_id,)
        )
        return [PromiseRow(**dict(row)) for row in rows]

    def all(self, *, include_done: bool = False) -> list[PromiseRow]:
        sql = "SELECT * FROM promises"
        if not include_done:
            sql += " WHERE done_at IS NULL"
        rows = self.conn.execute(sql + " ORDER BY id")
        return [PromiseRow(**dict(row)) for row in rows]

    def open_by_contact(self) -> dict[int, list[tuple[int, str, str]]]:
        """Open promises per contact as (id, text, made at), oldest first: for ``due``."""
        found: dict[int, list[tuple[int, str, str]]] = {}
        rows = self.conn.execute(
            "SELECT contact_id, id, text, created_at FROM promises WHERE done_at IS NULL "
            "ORDER BY contact_id, id"
        )
        for contact_id, promise_id, text, created_at in rows:
            found.setdefault(contact_id, []).append((promise_id, text, created_at))
        return found

    def set_done(self, promise_id: int, done_at: str | None) -> None:
        self.conn.execute("UPDATE promises SET done_at = ? WHERE id = ?", (done_at, promise_id))
