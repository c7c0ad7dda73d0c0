"""Summarise each contact's messages, events and meetings into ContactFacts.

Stages and due actions are derived from these facts by pure rules, never stored. The
aggregates of each contact's messages, events and latest meeting are kept per contact
(``contact_summary``, :mod:`outreach.store.summary`: how the last send counts the user's own
messages in a tracked thread, why a congratulation is an exchange but not a send); the rest is
one grouped pass over each table (not a subquery per contact and fact). Every stored time is
ISO 8601 in UTC (``clock.iso``), so MIN and MAX over the text are MIN and MAX over time.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from typing import Any

from outreach.store.changes import role_text
from outreach.store.stages import NOTHING_DUE_SQL, QUIET_THANKED_SQL
from outreach.store.summary import (
    EVENT_COLUMNS,
    MEETING_COLUMNS,
    MESSAGE_COLUMNS,
    SUMMARY_COLUMNS,
)
from outreach.track.model import ContactFacts, OpenPromise
from outreach.track.reader import Handoff, Reading, Referral, SlotPick, reading_from_json

# Each contact's row with its kept summary (``contact_summary``, store/summary.py): the
# aggregates of its messages, events and latest meeting, in SUMMARY_COLUMNS order.
_SUMMARY = ", ".join(f"s.{name}" for name in SUMMARY_COLUMNS)
_CONTACT_COLUMNS = (
    "c.id, c.email, c.name, c.referred_by, c.closed_at, c.created_at, c.closed_reason, "
    "c.mention_referrer, c.replies_seen_at, c.handed_to"
)
_JOINED = "FROM contacts c LEFT JOIN contact_summary s ON s.contact_id = c.id"
# ... then the later of the last message sent and the last own send seen by sync (either
# may be missing; times are UTC text, so the later is the greater).
_LAST_SENT = (
    "MAX(COALESCE(s.last_sent_at, s.own_send_at), COALESCE(s.own_send_at, s.last_sent_at))"
)
_CONTACTS_SQL = f"SELECT {_CONTACT_COLUMNS}, {_SUMMARY}, {_LAST_SENT} {_JOINED}"

_MESSAGES_AT = slice(10, 10 + len(MESSAGE_COLUMNS))
_EVENTS_AT = slice(_MESSAGES_AT.stop, _MESSAGES_AT.stop + len(EVENT_COLUMNS))
_MEETING_AT = slice(_EVENTS_AT.stop, _EVENTS_AT.stop + len(MEETING_COLUMNS))

_OFFERS_SQL = "SELECT contact_id, MAX(end) FROM proposals {where} GROUP BY contact_id"

# The return date stated by each contact's latest out-of-office (the last row per contact wins).
_RETURN_SQL = """
SELECT contact_id, return_date FROM thread_events
WHERE kind = 'auto_reply' {and_where} ORDER BY contact_id, occurred_at, id
"""

_TAGS_SQL = "SELECT contact_id, tag FROM tags {where} ORDER BY contact_id, tag"

_PROMISES_SQL = """
SELECT contact_id, id, text, created_at FROM promises
WHERE done_at IS NULL {and_where} ORDER BY contact_id, id
"""

# Each contact's latest job change (new organisation or title seen on a re-import).
_CHANGES_SQL = """
SELECT contact_id, changed_at, old_title, old_org, new_title, new_org FROM contact_changes
WHERE id IN (SELECT MAX(id) FROM contact_changes {where} GROUP BY contact_id)
"""


# What each contact's latest written reply said (NULL: not read). SQLite takes the bare
# ``reading`` from the row holding MAX(occurred_at) (times are UTC text, see above); only
# contacts with some reading at all are looked at.
_READING_SQL = """
SELECT contact_id, reading, MAX(occurred_at) FROM thread_events
WHERE kind = 'reply' AND contact_id IN (
    SELECT contact_id FROM thread_events WHERE reading IS NOT NULL {and_where})
  {and_where}
GROUP BY contact_id
"""


# People who wrote for a contact (in their thread, or copying them) who are neither the
# contact, another contact, nor someone the user recorded as copied on the contact's mail.
_THEIR_SIDE_SQL = """
SELECT e.contact_id, e.address, MAX(e.sender_name), MIN(e.occurred_at)
FROM thread_events e JOIN contacts c ON c.id = e.contact_id
WHERE e.kind = 'reply' AND e.address != '' AND e.address != COALESCE(c.email_key, '')
  AND e.address NOT IN (SELECT email_key FROM contacts WHERE email_key IS NOT NULL)
  AND e.address NOT IN (SELECT substr(alias, 11) FROM contact_aliases
                        WHERE alias LIKE 'email_key:%')
  AND NOT EXISTS (SELECT 1 FROM meeting_cc cc
                  WHERE cc.contact_id = e.contact_id AND cc.email_key = e.address)
  AND e.contact_id IN (SELECT contact_id FROM contact_summary WHERE others_wrote_at IS NOT NULL)
  {and_where}
GROUP BY e.contact_id, e.address ORDER BY e.contact_id, MIN(e.occurred_at)
"""


def _picked_starts(
    conn: sqlite3.Connection, readings: dict[int, Reading | None]
) -> dict[int, datetime]:
    """When the offered time each contact's latest reply picked starts (their latest offer's
    slot of that number); read only for the few replies that pick one."""
    picks = {
        cid: pick.slot
        for cid, reading in readings.items()
        if reading is not None and (pick := reading.first(SlotPick)) is not None
    }
    found: dict[int, datetime] = {}
    for cid, slot in picks.items():
        row = conn.execute(
            "SELECT start FROM proposals WHERE contact_id = ? AND slot_index = ? "
            "ORDER BY created_at DESC, id DESC LIMIT 1",
            (cid, slot),
        ).fetchone()
        if row is not None:
            found[cid] = datetime.fromisoformat(row[0])
    return found


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _reading(value: str | None) -> Reading | None:
    if not value:
        return None
    try:
        return reading_from_json(json.loads(value))
    except ValueError:
        return None  # written by a later version: read as not read


def _people_to_add(
    conn: sqlite3.Connection, readings: dict[int, Reading | None]
) -> dict[int, tuple[Referral | Handoff, ...]]:
    """Per contact, the people their latest reply named who are not contacts yet (by address;
    a name alone, by a contact of that name they referred)."""
    named = {
        cid: [f for f in reading.findings if isinstance(f, Referral | Handoff)]
        for cid, reading in readings.items()
        if reading is not None
    }
    named = {cid: people for cid, people in named.items() if people}
    if not named:
        return {}
    addresses = {row[0] for row in conn.execute("SELECT email_key FROM contacts")}
    addresses |= {
        row[0]
        for row in conn.execute(
            "SELECT substr(alias, 11) FROM contact_aliases WHERE alias LIKE 'email_key:%'"
        )
    }
    referred = {
        (row[0], str(row[1]).casefold())
        for row in conn.execute(
            "SELECT referred_by, name FROM contacts WHERE referred_by IS NOT NULL"
        )
    }
    return {
        cid: tuple(
            person
            for person in people
            if (person.email.casefold() not in addresses if person.email
                else (cid, (person.name or "").casefold()) not in referred)
        )
        for cid, people in named.items()
    }


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value[:10])


_OPEN = "contact_id IN (SELECT id FROM contacts WHERE closed_at IS NULL)"


def contact_facts(
    conn: sqlite3.Connection,
    contact_id: int | None = None,
    *,
    open_only: bool = False,
    stage_only: bool = False,
    due_only: bool = False,
    quiet_after: str | None = None,
) -> dict[int, ContactFacts]:
    """Facts for every contact (or one, or every open one), keyed by contact id.

    ``open_only`` leaves closed contacts out in SQL, before any row reaches Python: nothing is
    ever due for a closed contact (``track.pipeline.contact_due_actions``), and their stage
    needs no more than :func:`closed_facts` reads. ``stage_only`` reads only what a stage and
    the per-group figures of `status` need (messages, events, meetings, tags); the rest stays
    at its defaults: fit for ``stage``, not for due actions. ``due_only`` (with ``open_only``)
    also leaves out the open contacts for whom nothing can be due at any time
    (:data:`~outreach.store.stages.NOTHING_DUE_SQL`), and with ``quiet_after`` (a
    :func:`~outreach.store.stages.keep_in_touch_cutoff`) the thanked ones with nothing due
    yet (:data:`~outreach.store.stages.QUIET_THANKED_SQL`).
    """
    one = contact_id is not None
    params: tuple[Any, ...] = (contact_id,) if one else ()
    if one:
        cond, events_cond, by_id = "contact_id = ?", "e.contact_id = ?", " WHERE c.id = ?"
    elif open_only:
        cond, events_cond, by_id = _OPEN, "c.closed_at IS NULL", " WHERE c.closed_at IS NULL"
        if due_only:
            by_id += f" AND NOT {NOTHING_DUE_SQL}"
            if quiet_after is not None:
                by_id += f" AND NOT {QUIET_THANKED_SQL}"
    else:
        cond = events_cond = by_id = ""
    where = f"WHERE {cond}" if cond else ""
    and_where = f"AND {cond}" if cond else ""
    events_and_where = f"AND {events_cond}" if events_cond else ""
    full = not stage_only
    # Few replies are read: finding them is quicker over every contact than per open one.
    readings = {
        cid: _reading(value)
        for cid, value, _ in conn.execute(
            _READING_SQL.format(and_where=and_where if one else ""), params + params
        )
    } if full else {}
    plain = conn.cursor()
    plain.row_factory = None  # tuples: a Row object per contact costs more than it gives
    quiet = (json.dumps(sorted(readings)), quiet_after) if due_only and quiet_after else ()
    rows = plain.execute(_CONTACTS_SQL + by_id, params + quiet).fetchall()
    if due_only:  # the rest is read for the contacts kept only (thousands of 50,000)
        params = (json.dumps([row[0] for row in rows]),)
        cond = "contact_id IN (SELECT value FROM json_each(?))"
        events_cond = f"e.{cond}"
        where, and_where, events_and_where = f"WHERE {cond}", f"AND {cond}", f"AND {events_cond}"
    returns = dict(conn.execute(_RETURN_SQL.format(and_where=and_where), params).fetchall()
                   if full else [])
    people = _people_to_add(conn, readings)
    picked = _picked_starts(conn, readings)
    their_side: dict[int, list[tuple[str, str, datetime]]] = {}
    for cid, address, sender_name, at in conn.execute(
        _THEIR_SIDE_SQL.format(and_where=events_and_where), params
    ) if full else ():
        their_side.setdefault(cid, []).append((address, sender_name or "", _moment(at)))
    offers = dict(conn.execute(_OFFERS_SQL.format(where=where), params).fetchall()
                  if full else [])
    tags: dict[int, list[str]] = {}
    for cid, tag in conn.execute(_TAGS_SQL.format(where=where), params):
        tags.setdefault(cid, []).append(tag)
    promises: dict[int, list[OpenPromise]] = {}
    for cid, promise_id, text, made_at in conn.execute(
        _PROMISES_SQL.format(and_where=and_where), params
    ) if full else ():
        promises.setdefault(cid, []).append(
            OpenPromise(promise_id, text, datetime.fromisoformat(made_at))
        )
    changes = {
        row[0]: row
        for row in (conn.execute(_CHANGES_SQL.format(where=where), params) if full else ())
    }
    facts: dict[int, ContactFacts] = {}
    for row in rows:
        (cid, email, name, referred_by, closed_at, created_at, closed_reason, mention,
         seen, handed_to) = row[:10]
        # The summary's parts, each after a placeholder (where the contact id used to be).
        m = (None, *row[_MESSAGES_AT])
        e = (None, *row[_EVENTS_AT])
        meeting = None if row[_MEETING_AT.start] is None else (None, *row[_MEETING_AT])
        change = changes.get(cid)
        facts[cid] = ContactFacts(
            contact_id=cid,
            email=email,
            name=name,
            referred_by=referred_by,
            closed=closed_at is not None,
            closed_reason=closed_reason or "",
            created_at=_time(created_at),
            drafted=m[1] or 0,
            first_sent_at=_time(m[2]),
            last_sent_at=_time(row[-1]),
            followups_sent=m[4] or 0,
            followup_drafted=bool(m[5]),
            last_reply_at=_time(e[2]),
            bounced_at=_time(e[3]),
            auto_reply_at=_time(e[4]),
            auto_reply_return=_day(returns.get(cid)),
            meeting_state=None if meeting is None else meeting[1],
            meeting_start=None if meeting is None else _time(meeting[2]),
            meeting_end=None if meeting is None else _time(meeting[3]),
            met_at=None if meeting is None else _time(meeting[4]),
            thankyou_sent_at=_time(m[6]),
            thankyou_drafted=bool(m[7]),
            last_keepintouch_at=_time(m[8]),
            keepintouch_drafted=bool(m[9]),
            newtimes_sent_at=_time(m[10]),
            newtimes_drafted=bool(m[11]),
            outreach_drafted=bool(m[12]),
            meeting_rsvp=None if meeting is None else meeting[5],
            meeting_changed_at=None if meeting is None else _time(meeting[6]),
            invite_drafted=False if meeting is None else bool(meeting[8]),
            offered_until=_time(offers.get(cid)),
            tags=tuple(tags.get(cid, ())),
            mention_referrer=None if mention is None else bool(mention),
            meeting_prepared_at=None if meeting is None else _time(meeting[7]),
            open_promises=tuple(promises.get(cid, ())),
            job_changed_at=None if change is None else _time(change[1]),
            job_change=""
            if change is None
            else f"{role_text(change[2], change[3])} -> {role_text(change[4], change[5])}",
            congratulate_sent_at=_time(m[13]),
            congratulate_drafted=bool(m[14]),
            last_message_at=_time(e[5]),
            replies_seen_at=_time(seen),
            reading=readings.get(cid),
            people_to_add=people.get(cid, ()),
            their_side_new=tuple(their_side.get(cid, ())),
            handed_to=handed_to,
            picked_start=picked.get(cid),
        )
    return facts


# What `status` and `contacts list` read of a closed contact: its stage is "closed" whatever
# else happened (the first rule of ``track.pipeline.stage``); what works per source and tag
# counts whether it was written to and answered. The same conditions as the full facts above.
_CLOSED_SQL = """
SELECT c.id, c.email, c.name, c.referred_by, c.created_at, c.closed_reason,
  (SELECT MIN(m.sent_at) FROM messages m WHERE m.contact_id = c.id AND m.kind = 'outreach'
     AND m.state NOT IN ('discarded', 'bounced')),
  (SELECT MAX(e.occurred_at) FROM thread_events e WHERE e.contact_id = c.id
     AND e.kind IN ('reply', 'rsvp'))
FROM contacts c WHERE c.closed_at IS NOT NULL
"""


_CLOSED_ONLY_SQL = """
SELECT id, email, name, referred_by, created_at, closed_reason, NULL, NULL
FROM contacts WHERE closed_at IS NOT NULL
"""


def closed_facts(
    conn: sqlite3.Connection, *, outcomes: bool = True
) -> dict[int, ContactFacts]:
    """The facts of every closed contact that a stage and (``outcomes``: whether written to
    and answered) the per-group figures need, the rest left at their defaults: a few index
    lookups each instead of the whole history."""
    tags: dict[int, list[str]] = {}
    for cid, tag in conn.execute(
        _TAGS_SQL.format(where=f"WHERE NOT {_OPEN}")
    ):
        tags.setdefault(cid, []).append(tag)
    return {
        cid: ContactFacts(
            contact_id=cid,
            email=email,
            name=name,
            referred_by=referred_by,
            closed=True,
            closed_reason=closed_reason or "",
            created_at=_time(created_at),
            first_sent_at=_time(first_sent),
            last_reply_at=_time(last_reply),
            tags=tuple(tags.get(cid, ())),
        )
        for cid, email, name, referred_by, created_at, closed_reason, first_sent, last_reply
        in conn.execute(_CLOSED_SQL if outcomes else _CLOSED_ONLY_SQL)
    }
