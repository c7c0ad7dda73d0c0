"""Each contact's history summarised in one row (``contact_summary``), kept by triggers.

`status`, `due` and `contacts list` need per contact a few aggregates of its messages, events
and latest meeting (first and last send, last reply, bounce, what is drafted, ...). Computing
them on every run means grouped passes over every message and event (0.3-0.6 s at 50,000
contacts); kept per contact they are one indexed read. Nothing in a row depends on the clock
(``OUTREACH_NOW``): due dates and "overdue" are still computed at read time from these inputs.

The row is never written by the code that writes messages, events, meetings or contacts:
SQLite triggers (``migrations_summary``) recompute a contact's whole row from its own rows
whenever one of them changes, with the same query that builds every row at once
(:func:`summary_from_scratch`; :func:`rebuild_summary`, run by the migration), so the two
cannot disagree;
:func:`summary_drift` compares the kept rows with a fresh computation (the tests do after every
kind of write). A later migration that rebuilds one of these tables must create the triggers
again (``create_summary_triggers``), and one that changes :data:`SUMMARY_COLUMNS` must rebuild.
"""

from __future__ import annotations

import sqlite3
from typing import Any

# What the store keeps per contact, in the order of the table's columns after contact_id.
MESSAGE_COLUMNS = (
    "drafted", "first_sent_at", "last_sent_at", "followups_sent", "followup_drafted",
    "thankyou_sent_at", "thankyou_drafted", "last_keepintouch_at", "keepintouch_drafted",
    "newtimes_sent_at", "newtimes_drafted", "outreach_drafted", "congratulate_sent_at",
    "congratulate_drafted",
)
EVENT_COLUMNS = (
    "own_send_at", "last_reply_at", "bounced_at", "auto_reply_at", "last_message_at",
    "first_reply_at", "others_wrote_at",
)
MEETING_COLUMNS = (
    "meeting_state", "meeting_start", "meeting_end", "met_at", "meeting_rsvp",
    "meeting_changed_at", "meeting_prepared_at", "invite_drafted",
)
FIRST_COLUMNS = ("first_outreach_at", "first_outreach_template")
SUMMARY_COLUMNS = MESSAGE_COLUMNS + EVENT_COLUMNS + MEETING_COLUMNS + FIRST_COLUMNS

# Messages that were superseded before sending ('discarded') or went to an address that
# bounced and was since corrected ('bounced') are part of no conversation. A congratulation on
# a new job is not a send for the stage (it asks for nothing) but an exchange all the same
# (``congratulate_sent_at``). Every stored time is ISO 8601 in UTC, so MIN and MAX over the
# text are MIN and MAX over time.
_MESSAGES = """
SELECT {key}
  SUM(state = 'drafted' AND kind != 'congratulate') AS drafted,
  MIN(CASE WHEN kind = 'outreach' THEN sent_at END) AS first_sent_at,
  MAX(CASE WHEN kind != 'congratulate' THEN sent_at END) AS last_sent_at,
  SUM(kind = 'followup' AND sent_at IS NOT NULL) AS followups_sent,
  SUM(kind = 'followup' AND state = 'drafted') AS followup_drafted,
  MAX(CASE WHEN kind = 'thankyou' THEN sent_at END) AS thankyou_sent_at,
  SUM(kind = 'thankyou' AND state = 'drafted') AS thankyou_drafted,
  MAX(CASE WHEN kind = 'keepintouch' THEN sent_at END) AS last_keepintouch_at,
  SUM(kind = 'keepintouch' AND state = 'drafted') AS keepintouch_drafted,
  MAX(CASE WHEN kind = 'newtimes' THEN sent_at END) AS newtimes_sent_at,
  SUM(kind = 'newtimes' AND state = 'drafted') AS newtimes_drafted,
  SUM(kind = 'outreach' AND state = 'drafted') AS outreach_drafted,
  MAX(CASE WHEN kind = 'congratulate' THEN sent_at END) AS congratulate_sent_at,
  SUM(kind = 'congratulate' AND state = 'drafted') AS congratulate_drafted
FROM messages WHERE state NOT IN ('discarded', 'bounced') {and_where}
"""

# A bounce, and what we sent, belong to the address they concern: once a bounced contact has
# another address, neither makes them unreachable or "sent" (both stay in the history). Sync
# records the user's own messages in a tracked thread as ``own_send`` (any exchange resets
# keep-in-touch), except a congratulation, which is not a send for the stage. Someone other
# than the contact who wrote in their thread (``others_wrote_at``) may be someone new on their
# side: only those contacts' replies are read for that (``store.facts``).
_EVENTS = """
SELECT {key}
  MAX(CASE WHEN e.kind = 'own_send' AND (e.address = '' OR e.address = c.email_key)
      AND NOT (e.message_id != '' AND EXISTS (SELECT 1 FROM messages g
          WHERE g.message_id = e.message_id AND g.kind = 'congratulate'))
      THEN e.occurred_at END) AS own_send_at,
  MAX(CASE WHEN e.kind IN ('reply', 'rsvp') THEN e.occurred_at END) AS last_reply_at,
  MAX(CASE WHEN e.kind = 'bounce' AND (e.address = '' OR e.address = c.email_key)
      THEN e.occurred_at END) AS bounced_at,
  MAX(CASE WHEN e.kind = 'auto_reply' THEN e.occurred_at END) AS auto_reply_at,
  MAX(CASE WHEN e.kind = 'reply' THEN e.occurred_at END) AS last_message_at,
  MIN(CASE WHEN e.kind = 'reply' THEN e.occurred_at END) AS first_reply_at,
  MAX(CASE WHEN e.kind = 'reply' AND e.address != '' AND e.address != COALESCE(c.email_key, '')
      THEN e.occurred_at END) AS others_wrote_at
FROM thread_events e JOIN contacts c ON c.id = e.contact_id {where}
"""

# Each contact's latest meeting (the highest id), and whether its invite or cancellation is
# only drafted.
_MEETING = """
SELECT {key} state, start, end, met_at, rsvp, updated_at, prepared_at,
  (SELECT COUNT(*) FROM messages m WHERE m.meeting_id = meetings.id
     AND m.kind IN ('confirm', 'cancel') AND m.state = 'drafted') AS invite_drafted
FROM meetings WHERE {which}
"""


# The first outreach message sent (whatever became of it since: `status` rates templates by
# it) and its template, taken from that row (SQLite: a bare column beside a lone MIN).
_FIRST = """
SELECT {key} MIN(sent_at), template FROM messages
WHERE kind = 'outreach' AND sent_at IS NOT NULL {and_where}
"""

# Each part computed for every contact at once (one row per contact that has any)...
_GROUPED = {
    "messages": _MESSAGES.format(key="contact_id,", and_where="GROUP BY contact_id"),
    "events": _EVENTS.format(key="e.contact_id,", where="GROUP BY e.contact_id"),
    "meeting": _MEETING.format(
        key="contact_id,", which="id IN (SELECT MAX(id) FROM meetings GROUP BY contact_id)"
    ),
    "first": _FIRST.format(key="contact_id,", and_where="GROUP BY contact_id"),
}
# ... and for the contact of the summary row being updated (an aggregate over no rows, or no
# meeting, gives the NULLs the grouped form leaves for a contact without any).
_ONE = {
    "messages": _MESSAGES.format(key="", and_where="AND contact_id = contact_summary.contact_id"),
    "events": _EVENTS.format(key="", where="WHERE e.contact_id = contact_summary.contact_id"),
    "meeting": _MEETING.format(
        key="", which="id = (SELECT MAX(id) FROM meetings WHERE contact_id = "
        "contact_summary.contact_id)"
    ),
    "first": _FIRST.format(key="", and_where="AND contact_id = contact_summary.contact_id"),
}
_PART_COLUMNS = {
    "messages": MESSAGE_COLUMNS, "events": EVENT_COLUMNS, "meeting": MEETING_COLUMNS,
    "first": FIRST_COLUMNS,
}


def refresh_sql(part: str, ids: str) -> str:
    """The statement (in a trigger) that recomputes one part ("messages", "events",
    "meeting" or "first") of the rows of the contacts whose ids ``ids`` gives (an SQL list
    or query)."""
    columns = ", ".join(_PART_COLUMNS[part])
    return f"UPDATE contact_summary SET ({columns}) = ({_ONE[part]}) WHERE contact_id IN ({ids})"  # noqa: S608


def summary_from_scratch(conn: sqlite3.Connection) -> dict[int, tuple[Any, ...]]:
    """Every contact's summary computed from its rows now (what the kept rows must equal):
    the parts the triggers compute per contact, over everyone at once (joined in Python:
    SQLite's plan for them joined in SQL takes minutes at 50,000 contacts)."""
    parts = [
        ({row[0]: tuple(row[1:]) for row in conn.execute(_GROUPED[part])},
         (None,) * len(columns))
        for part, columns in _PART_COLUMNS.items()
    ]
    return {
        cid: tuple(value for found, empty in parts for value in found.get(cid, empty))
        for (cid,) in conn.execute("SELECT id FROM contacts")
    }


def rebuild_summary(conn: sqlite3.Connection) -> None:
    """Every contact's row computed afresh (the migration's backfill; a repair)."""
    names = ", ".join(("contact_id", *SUMMARY_COLUMNS))
    marks = ", ".join("?" * (1 + len(SUMMARY_COLUMNS)))
    rows = summary_from_scratch(conn)
    conn.execute("DELETE FROM contact_summary")
    conn.executemany(
        f"INSERT INTO contact_summary ({names}) VALUES ({marks})",  # noqa: S608
        ((cid, *values) for cid, values in rows.items()),
    )


def kept_summary(conn: sqlite3.Connection) -> dict[int, tuple[Any, ...]]:
    names = ", ".join(SUMMARY_COLUMNS)
    return {
        row[0]: tuple(row[1:])
        for row in conn.execute(f"SELECT contact_id, {names} FROM contact_summary")  # noqa: S608
    }


def summary_drift(conn: sqlite3.Connection) -> list[int]:
    """The contacts whose kept summary differs from a fresh computation (or is missing, or
    belongs to no contact): empty when the triggers did their job."""
    fresh, kept = summary_from_scratch(conn), kept_summary(conn)
    return sorted(cid for cid in fresh.keys() | kept.keys() if fresh.get(cid) != kept.get(cid))
