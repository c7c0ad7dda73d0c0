"""Summarise each contact's messages, events and meetings into ContactFacts, in a few queries.

Stages and due actions are derived from these facts by pure rules, never stored. The last send
counts messages the user wrote in a tracked thread outside outreach (sync records them as
``own_send`` events): any exchange resets keep-in-touch. Stored times
carry an offset, and different commands may write different offsets (sync writes UTC, other
commands the offset of "now"), so the latest or earliest time is chosen with ``julianday()``,
never by comparing strings.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from outreach.track.model import ContactFacts


def _latest(table: str, column: str, where: str, first: bool = False) -> str:
    """A subquery: the contact's latest (or earliest) ``column`` among rows matching ``where``."""
    alias = "m" if table == "messages" else "e"
    order = "ASC" if first else "DESC"
    # Every part is a constant of this module.
    sql = f"(SELECT {column} FROM {table} {alias} WHERE {alias}.contact_id = c.id "  # noqa: S608
    return sql + (
        f"AND {column} IS NOT NULL AND {where} ORDER BY julianday({column}) {order} LIMIT 1)"
    )


_FACTS_SQL = f"""
SELECT c.id, c.email, c.name, c.referred_by, c.closed_at, c.created_at,
  (SELECT COUNT(*) FROM messages m WHERE m.contact_id = c.id AND m.state = 'drafted') AS drafted,
  {_latest("messages", "sent_at", "m.kind = 'outreach'", first=True)} AS first_sent_at,
  (SELECT t FROM (SELECT sent_at AS t FROM messages m WHERE m.contact_id = c.id
          AND sent_at IS NOT NULL
      UNION ALL SELECT occurred_at FROM thread_events e WHERE e.contact_id = c.id
          AND e.kind = 'own_send')
      ORDER BY julianday(t) DESC LIMIT 1) AS last_sent_at,
  (SELECT COUNT(*) FROM messages m WHERE m.contact_id = c.id AND m.kind = 'followup'
      AND m.sent_at IS NOT NULL) AS followups_sent,
  (SELECT COUNT(*) FROM messages m WHERE m.contact_id = c.id AND m.kind = 'followup'
      AND m.state = 'drafted') AS followup_drafted,
  {_latest("thread_events", "occurred_at", "e.kind = 'reply'")} AS last_reply_at,
  {_latest("thread_events", "occurred_at", "e.kind = 'bounce'")} AS bounced_at,
  {_latest("thread_events", "occurred_at", "e.kind = 'auto_reply'")} AS auto_reply_at,
  (SELECT return_date FROM thread_events e WHERE e.contact_id = c.id AND e.kind = 'auto_reply'
      ORDER BY julianday(occurred_at) DESC, e.id DESC LIMIT 1) AS auto_reply_return,
  {_latest("messages", "sent_at", "m.kind = 'thankyou'")} AS thankyou_sent_at,
  (SELECT COUNT(*) FROM messages m WHERE m.contact_id = c.id AND m.kind = 'thankyou'
      AND m.state = 'drafted') AS thankyou_drafted,
  {_latest("messages", "sent_at", "m.kind = 'keepintouch'")} AS last_keepintouch_at,
  (SELECT COUNT(*) FROM messages m WHERE m.contact_id = c.id AND m.kind = 'keepintouch'
      AND m.state = 'drafted') AS keepintouch_drafted
FROM contacts c
"""  # noqa: S608 - built from constants

_MEETING_SQL = """
SELECT contact_id, state, start, end, met_at FROM meetings
WHERE id IN (SELECT MAX(id) FROM meetings GROUP BY contact_id)
"""


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value[:10])


def contact_facts(
    conn: sqlite3.Connection, contact_id: int | None = None
) -> dict[int, ContactFacts]:
    """Facts for every contact (or one), keyed by contact id."""
    sql, params = _FACTS_SQL, ()
    if contact_id is not None:
        sql, params = _FACTS_SQL + " WHERE c.id = ?", (contact_id,)  # type: ignore[assignment]
    meetings = {row["contact_id"]: row for row in conn.execute(_MEETING_SQL)}
    facts: dict[int, ContactFacts] = {}
    for row in conn.execute(sql, params):
        meeting = meetings.get(row["id"])
        facts[row["id"]] = ContactFacts(
            contact_id=row["id"],
            email=row["email"],
            name=row["name"],
            referred_by=row["referred_by"],
            closed=row["closed_at"] is not None,
            created_at=_time(row["created_at"]),
            drafted=row["drafted"],
            first_sent_at=_time(row["first_sent_at"]),
            last_sent_at=_time(row["last_sent_at"]),
            followups_sent=row["followups_sent"],
            followup_drafted=bool(row["followup_drafted"]),
            last_reply_at=_time(row["last_reply_at"]),
            bounced_at=_time(row["bounced_at"]),
            auto_reply_at=_time(row["auto_reply_at"]),
            auto_reply_return=_day(row["auto_reply_return"]),
            meeting_state=None if meeting is None else meeting["state"],
            meeting_start=None if meeting is None else _time(meeting["start"]),
            meeting_end=None if meeting is None else _time(meeting["end"]),
            met_at=None if meeting is None else _time(meeting["met_at"]),
            thankyou_sent_at=_time(row["thankyou_sent_at"]),
            thankyou_drafted=bool(row["thankyou_drafted"]),
            last_keepintouch_at=_time(row["last_keepintouch_at"]),
            keepintouch_drafted=bool(row["keepintouch_drafted"]),
        )
    return facts
