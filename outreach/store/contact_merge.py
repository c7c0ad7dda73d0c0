"""Merging two contacts who are one person: everything of one moves to the other."""

from __future__ import annotations

import sqlite3

__all__ = ["merge_contacts"]


def merge_contacts(conn: sqlite3.Connection, keep_id: int, other_id: int) -> None:
    """Move everything of ``other_id`` (messages, events, proposals, meetings, tags,
    referrals, aliases) to ``keep_id``, then delete it; its address and import key become
    aliases of the kept contact. Fields are the caller's to merge first."""
    other = conn.execute(
        "SELECT email_key, import_key FROM contacts WHERE id = ?", (other_id,)
    ).fetchone()
    for table in (
        "messages",
        "thread_events",
        "proposals",
        "meetings",
        "promises",
        "contact_changes",
    ):
        conn.execute(
            f"UPDATE {table} SET contact_id = ? WHERE contact_id = ?",  # noqa: S608
            (keep_id, other_id),
        )
    conn.execute(
        "INSERT OR IGNORE INTO tags (contact_id, tag) "
        "SELECT ?, tag FROM tags WHERE contact_id = ?",
        (keep_id, other_id),
    )
    conn.execute(
        "UPDATE contacts SET referred_by = ? WHERE referred_by = ? AND id != ?",
        (keep_id, other_id, keep_id),
    )
    conn.execute(
        "UPDATE contact_aliases SET contact_id = ? WHERE contact_id = ?", (keep_id, other_id)
    )
    conn.execute("DELETE FROM contacts WHERE id = ?", (other_id,))
    kept = conn.execute(
        "SELECT email_key, import_key FROM contacts WHERE id = ?", (keep_id,)
    ).fetchone()
    for column in ("email_key", "import_key"):
        if other[column] and other[column] != kept[column]:
            conn.execute(
                "INSERT OR REPLACE INTO contact_aliases (alias, contact_id) VALUES (?, ?)",
                (f"{column}:{other[column]}", keep_id),
            )
