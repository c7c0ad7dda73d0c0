"""Maildir files local sync has already read: name, size and mtime, and what it learnt.

With this index a local sync lists the folders, compares names, sizes and mtimes with what it
saw before, and reads only files that are new or changed. What a seen file said (its event id,
its Message-ID, the Message-IDs it points at, the addresses that could make it a contact's, the
conversation it was placed in) is kept, so a message arriving later that answers it, or a
contact added later who wrote it, still finds it without re-reading every file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SeenFile:
    path: str  # relative to the workspace, with forward slashes
    size: int
    mtime_ns: int
    message_key: str
    message_id: str
    referenced: tuple[str, ...]
    addresses: tuple[str, ...]  # its sender, or (the user's own mail) its recipients
    thread_id: str | None


class SeenFileRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def stamps(self) -> dict[str, tuple[int, int]]:
        """Path -> (size, mtime_ns): all a sync with nothing new needs."""
        rows = self.conn.execute("SELECT path, size, mtime_ns FROM maildir_seen")
        return {row[0]: (row[1], row[2]) for row in rows}

    def all(self) -> dict[str, SeenFile]:
        rows = self.conn.execute(
            "SELECT path, size, mtime_ns, message_key, message_id, referenced, addresses, "
            "thread_id FROM maildir_seen"
        )
        return {
            row[0]: SeenFile(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                tuple(json.loads(row[5])),
                tuple(json.loads(row[6])),
                row[7],
            )
            for row in rows
        }

    def save(self, files: Iterable[SeenFile]) -> None:
        self.conn.executemany(
            """INSERT INTO maildir_seen (path, size, mtime_ns, message_key, message_id,
                   referenced, addresses, thread_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(path) DO UPDATE SET size = excluded.size,
                   mtime_ns = excluded.mtime_ns, message_key = excluded.message_key,
                   message_id = excluded.message_id, referenced = excluded.referenced,
                   addresses = excluded.addresses, thread_id = excluded.thread_id""",
            [
                (
                    f.path,
                    f.size,
                    f.mtime_ns,
                    f.message_key,
                    f.message_id,
                    json.dumps(list(f.referenced)),
                    json.dumps(list(f.addresses)),
                    f.thread_id,
                )
                for f in files
            ],
        )

    def forget(self, paths: Iterable[str]) -> None:
        self.conn.executemany("DELETE FROM maildir_seen WHERE path = ?", [(p,) for p in paths])

    def _state(self, name: str) -> str | None:
        row = self.conn.execute("SELECT value FROM maildir_state WHERE name = ?", (name,))
        found = row.fetchone()
        return None if found is None else str(found[0])

    def address_book(self) -> str:
        """A counter the contacts' triggers bump whenever an address is added, changed or
        removed (migration 4)."""
        return self._state("address_book") or "0"

    def seen_address_book(self) -> tuple[str, str] | None:
        """The address book counter and the user's address as the last sync saw them."""
        book, owner = self._state("address_book_seen"), self._state("owner_seen")
        return None if book is None or owner is None else (book, owner)

    def saw_address_book(self, book: str, owner: str) -> None:
        self.conn.executemany(
            "INSERT INTO maildir_state (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            [("address_book_seen", book), ("owner_seen", owner)],
        )
