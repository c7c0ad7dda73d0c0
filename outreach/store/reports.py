"""Aggregate queries for `outreach status`."""

from __future__ import annotations

import sqlite3


def first_sends_by_template(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    """(contact id, template, first send time) of each contact's first outreach message."""
    rows = conn.execute(
        """SELECT contact_id, template, MIN(sent_at) FROM messages
           WHERE kind = 'outreach' AND sent_at IS NOT NULL GROUP BY contact_id"""
    )
    return [(row[0], row[1], row[2]) for row in rows]


def first_replies(conn: sqlite3.Connection) -> dict[int, str]:
    """Each contact's first reply time."""
    rows = conn.execute(
        "SELECT contact_id, MIN(occurred_at) FROM thread_events WHERE kind = 'reply' "
        "AND contact_id IS NOT NULL GROUP BY contact_id"
    )
    return {row[0]: row[1] for row in rows}


def meetings_held(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM meetings WHERE met_at IS NOT NULL").fetchone()[0])
