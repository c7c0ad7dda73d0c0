"""Maildir files local sync has already read: name, size and mtime, and what it learnt.

With this index a local sync lists the folders, compares names, sizes and mtimes with what it
saw before, and reads only files that are new or changed. What a seen file said (its event id,
its Message-ID, the Message-IDs it points at, the conversation it was placed in) is kept, so a
message arriving later that answers it still finds the thread without re-reading it.
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
            "SELECT path, size, mtime_ns, message_key, message_id, referenced, thread_id "
            "FROM maildir_seen"
        )
        return {
            row[0]: SeenFile(
                row[0], row[1], row[2], row[3], row[4], tuple(json.loads(row[5])), row[6]
            )
            for row in rows
        }

    def save(self, files: Iterable[SeenFile]) -> None:
        self.conn.executemany(
            """INSERT INTO maildir_seen (path, size, mtime_ns, message_key, message_id,
                   referenced, thread_id)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(path) DO UPDATE SET size = excluded.size,
                   mtime_ns = excluded.mtime_ns, message_key = excluded.message_key,
                   message_id = excluded.message_id, referenced = excluded.referenced,
                   thread_id = excluded.thread_id""",
            [
                (
                    f.path,
                    f.size,
                    f.mtime_ns,
                    f.message_key,
                    f.message_id,
                    json.dumps(list(f.referenced)),
                    f.thread_id,
                )
                for f in files
            ],
        )

    def forget(self, paths: Iterable[str]) -> None:
        self.conn.executemany("DELETE FROM maildir_seen WHERE path = ?", [(p,) for p in paths])
