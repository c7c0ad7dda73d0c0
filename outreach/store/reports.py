"""Aggregate queries for `outreach status`."""

from __future__ import annotations

import sqlite3
from datetime import datetime


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


def meetings_missed(conn: sqlite3.Connection) -> int:
    """Meetings marked missed (`outreach met --missed`): booked, and did not happen."""
    return int(
        conn.execute("SELECT COUNT(*) FROM meetings WHERE state = 'missed'").fetchone()[0]
    )


def first_meetings(conn: sqlite3.Connection) -> dict[int, str]:
    """Each contact's earliest meeting that was booked or held (not cancelled or declined):
    its start. Starts may carry different offsets, so the earliest is chosen by time."""
    earliest: dict[int, tuple[datetime, str]] = {}
    for contact_id, start in conn.execute(
        "SELECT contact_id, start FROM meetings WHERE state IN ('scheduled', 'held')"
    ):
        moment = datetime.fromisoformat(start)
        if contact_id not in earliest or moment < earliest[contact_id][0]:
            earliest[contact_id] = (moment, start)
    return {contact_id: start for contact_id, (_, start) in earliest.items()}
