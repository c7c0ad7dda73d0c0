"""Summarise each contact's messages, events and meetings into ContactFacts, in a few queries.

Stages and due actions are derived from these facts by pure rules, never stored.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from outreach.track.model import ContactFacts

_OUTREACH_KINDS = ("outreach",)

_FACTS_SQL = """
SELECT c.id, c.email, c.name, c.referred_by, c.closed_at,
  (SELECT COUNT(*) FROM messages m WHERE m.contact_id = c.id AND m.state = 'drafted') AS drafted,
  (SELECT MIN(sent_at) FROM messages m WHERE m.contact_id = c.id AND m.kind = 'outreach'
      AND m.sent_at IS NOT NULL) AS first_sent_at,
  (SELECT MAX(sent_at) FROM messages m WHERE m.contact_id = c.id AND m.sent_at IS NOT NULL)
      AS last_sent_at,
  (SELECT COUNT(*) FROM messages m WHERE m.contact_id = c.id AND m.kind = 'followup'
      AND m.sent_at IS NOT NULL) AS followups_sent,
  (SELECT MAX(occurred_at) FROM thread_events e WHERE e.contact_id = c.id AND e.kind = 'reply')
      AS last_reply_at,
  (SELECT MAX(occurred_at) FROM thread_events e WHERE e.contact_id = c.id AND e.kind = 'bounce')
      AS bounced_at,
  (SELECT MAX(occurred_at) FROM thread_events e WHERE e.contact_id = c.id
      AND e.kind = 'auto_reply') AS auto_reply_at,
  (SELECT return_date FROM thread_events e WHERE e.contact_id = c.id AND e.kind = 'auto_reply'
      ORDER BY occurred_at DESC LIMIT 1) AS auto_reply_return,
  (SELECT MAX(sent_at) FROM messages m WHERE m.contact_id = c.id AND m.kind = 'thankyou'
      AND m.sent_at IS NOT NULL) AS thankyou_sent_at,
  (SELECT COUNT(*) FROM messages m WHERE m.contact_id = c.id AND m.kind = 'thankyou'
      AND m.state = 'drafted') AS thankyou_drafted,
  (SELECT MAX(sent_at) FROM messages m WHERE m.contact_id = c.id AND m.kind = 'keepintouch'
      AND m.sent_at IS NOT NULL) AS last_keepintouch_at
FROM contacts c
"""

_MEETING_SQL = """
SELECT contact_id, state, start, end, met_at FROM meetings
WHERE id IN (SELECT MAX(id) FROM meetings GROUP BY contact_id)
"""


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value[:10])


def contact_facts(conn: sqlite3.Connection, contact_id: int | None = None) -> dict[int, ContactFacts]:
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
            drafted=row["drafted"],
            first_sent_at=_time(row["first_sent_at"]),
            last_sent_at=_time(row["last_sent_at"]),
            followups_sent=row["followups_sent"],
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
        )
    return facts
