"""Every contact's stage in one query, for `status` and `contacts list` at 50,000 contacts.

A stage needs nothing but the contact's row and its kept summary (``contact_summary``,
:mod:`outreach.store.summary`), and never the clock, so SQL can compute it: the rules of
:func:`outreach.track.pipeline.stage`, in the same order (first match wins), over the same
facts (``last_sent_at`` there is the later of the last message sent and the last own send in a
tracked thread). tests/test_stages_sql.py checks that both agree on every contact of a
generated year and on every combination of the facts the rules read.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

# A time compared with a missing one is never later (a NULL comparison counts as false).
STAGE_SQL = """CASE
  WHEN c.closed_at IS NOT NULL THEN 'closed'
  WHEN s.bounced_at IS NOT NULL
    AND NOT COALESCE(s.last_reply_at > s.bounced_at, 0)
    AND NOT COALESCE(s.last_sent_at > s.bounced_at, 0)
    AND NOT COALESCE(s.own_send_at > s.bounced_at, 0) THEN 'bounced'
  WHEN s.thankyou_sent_at IS NOT NULL THEN 'thanked'
  WHEN s.met_at IS NOT NULL OR s.meeting_state = 'held' THEN 'met'
  WHEN s.meeting_state = 'scheduled' THEN 'scheduled'
  WHEN s.last_reply_at IS NOT NULL THEN 'replied'
  WHEN s.first_sent_at IS NOT NULL OR s.last_sent_at IS NOT NULL
    OR s.own_send_at IS NOT NULL THEN 'sent'
  WHEN s.drafted > 0 THEN 'drafted'
  ELSE 'new'
END"""

# Contacts joined to their summary: ``c`` and ``s`` in STAGE_SQL.
JOINED = "contacts c LEFT JOIN contact_summary s ON s.contact_id = c.id"


def contact_stages(conn: sqlite3.Connection) -> dict[int, str]:
    """Every contact's stage (its value, e.g. "replied"), by id."""
    return dict(conn.execute(f"SELECT c.id, {STAGE_SQL} FROM {JOINED}").fetchall())  # noqa: S608


def stage_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many contacts are in each stage (only the stages someone is in)."""
    return dict(
        conn.execute(f"SELECT {STAGE_SQL} AS stage, COUNT(*) FROM {JOINED} GROUP BY stage")  # noqa: S608
        .fetchall()
    )


def closed_reasons(conn: sqlite3.Connection) -> dict[str, int]:
    """Closed contacts by the reason given ("" when none was)."""
    return dict(
        conn.execute(
            "SELECT closed_reason, COUNT(*) FROM contacts WHERE closed_at IS NOT NULL "
            "GROUP BY closed_reason"
        ).fetchall()
    )


def group_inputs(conn: sqlite3.Connection) -> list[tuple[int, str, str | None, str | None]]:
    """(id, source, first outreach sent, last reply) of every contact in id order: what the
    per-source and per-tag figures of `status` read of each."""
    return conn.execute(
        f"SELECT c.id, c.source, s.first_sent_at, s.last_reply_at FROM {JOINED} ORDER BY c.id"  # noqa: S608
    ).fetchall()


def all_tags(conn: sqlite3.Connection) -> dict[int, list[str]]:
    """Every contact's tags (those with any), in the order a contact's record lists them."""
    tags: dict[int, list[str]] = {}
    rows = conn.execute("SELECT contact_id, tag FROM tags ORDER BY contact_id, tag")
    for contact_id, tag in rows:
        tags.setdefault(contact_id, []).append(tag)
    return tags


def listing(
    conn: sqlite3.Connection,
    *,
    tag: str | None = None,
    stage: str | None = None,
    brief: bool = False,
) -> sqlite3.Cursor:
    """(id, email, name, org, title, timezone, extra JSON, source, referred_by, stage) of every
    contact in id order, optionally only those with a tag (any case) or in a stage: what
    `contacts list` shows of each, read as it is written out. ``brief``: (id, email, name,
    org, stage) only, what its table shows."""
    where: list[str] = []
    params: list[str] = []
    if tag is not None:
        where.append("c.id IN (SELECT contact_id FROM tags WHERE tag = ?)")
        params.append(tag)
    if stage is not None:
        where.append(f"{STAGE_SQL} = ?")
        params.append(stage)
    columns = "c.id, c.email, c.name, c.org" + (
        "" if brief else ", c.title, c.timezone, c.extra, c.source, c.referred_by"
    )
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    sql = f"SELECT {columns}, {STAGE_SQL} FROM {JOINED} {condition} ORDER BY c.id"  # noqa: S608
    plain = conn.cursor()
    plain.row_factory = None  # tuples, not a Row object per contact
    return plain.execute(sql, params)


# Per group (a source, or a tag; NULL: none): the first contact's id (the order groups were
# first met in), contacts, contacted (a first message sent), replied (of those), meetings
# held and people referred. Tags are compared exactly, as the report names them; a contact
# with two tags counts in both. One pass over the contacts feeds both groupings, and the
# counts per stage and per reason for closing (as groups, their contacts counted).
_GROUPS = f"""
WITH held AS MATERIALIZED (
    SELECT contact_id, COUNT(*) AS n FROM meetings WHERE met_at IS NOT NULL GROUP BY contact_id),
  refs AS MATERIALIZED (
    SELECT referred_by AS contact_id, COUNT(*) AS n FROM contacts
    WHERE referred_by IS NOT NULL GROUP BY referred_by),
  per AS MATERIALIZED (
    SELECT c.id AS id, c.source AS source, {STAGE_SQL} AS stage, c.closed_reason AS reason,
      c.closed_at IS NOT NULL AS closed, s.first_sent_at IS NOT NULL AS contacted,
      (s.first_sent_at IS NOT NULL AND s.last_reply_at IS NOT NULL) AS replied,
      COALESCE(h.n, 0) AS held, COALESCE(r.n, 0) AS referred
    FROM contacts c LEFT JOIN contact_summary s ON s.contact_id = c.id
      LEFT JOIN held h ON h.contact_id = c.id LEFT JOIN refs r ON r.contact_id = c.id)
SELECT 'source', source, MIN(id), COUNT(*), SUM(contacted), SUM(replied), SUM(held),
  SUM(referred)
FROM per GROUP BY source
UNION ALL
SELECT 'tag', t.tag COLLATE BINARY, MIN(p.id), COUNT(*), SUM(contacted), SUM(replied),
  SUM(held), SUM(referred)
FROM per p LEFT JOIN tags t ON t.contact_id = p.id GROUP BY t.tag COLLATE BINARY
UNION ALL
SELECT 'stage', stage, MIN(id), COUNT(*), 0, 0, 0, 0 FROM per GROUP BY stage
UNION ALL
SELECT 'closed', reason, MIN(id), COUNT(*), 0, 0, 0, 0 FROM per WHERE closed GROUP BY reason
"""  # noqa: S608

Group = tuple[str | None, int, int, int, int, int, int]


def group_figures(conn: sqlite3.Connection) -> dict[str, list[Group]]:
    """The figures above per source and per tag, and the contacts per stage and per reason for
    closing: {"source": [...], "tag": [...], "stage": [...], "closed": [...]}."""
    groups: dict[str, list[Group]] = {"source": [], "tag": [], "stage": [], "closed": []}
    for by, *group in conn.execute(_GROUPS):
        name, first, members, contacted, replied, held, referred = group
        groups[by].append((name, first, members, contacted, replied, held, referred))
    return groups


_MET = "c.id IN (SELECT contact_id FROM meetings WHERE state IN ('scheduled', 'held'))"


def contacted_and_met(conn: sqlite3.Connection) -> list[tuple[int, str, str, list[str]]]:
    """(id, source, first message sent, tags) of the contacts written to who have a meeting
    booked or held: whose days from the first message to a meeting `status` counts."""
    tags: dict[int, list[str]] = {}
    for contact_id, tag in conn.execute(
        f"SELECT t.contact_id, t.tag FROM tags t JOIN contacts c ON c.id = t.contact_id "  # noqa: S608
        f"WHERE {_MET} ORDER BY t.contact_id, t.tag"
    ):
        tags.setdefault(contact_id, []).append(tag)
    return [
        (contact_id, source, first_sent, tags.get(contact_id, []))
        for contact_id, source, first_sent in conn.execute(
            f"SELECT c.id, c.source, s.first_sent_at FROM {JOINED} "  # noqa: S608
            f"WHERE s.first_sent_at IS NOT NULL AND {_MET}"
        )
    ]


# Open contacts for whom nothing can be due at any time, by the rules of
# ``track.pipeline.contact_due_actions``: a bounced contact has only its open promises due; a
# new or drafted one only its promises, a note to its referrer's referral (``referred_by``) and
# congratulations on a job change (``contact_changes``). `due` builds no facts for them
# (tests/test_stages_sql.py checks that none of them has anything due, at many times).
NOTHING_DUE_SQL = f"""(
  (({STAGE_SQL}) = 'bounced'
    OR (({STAGE_SQL}) IN ('new', 'drafted') AND c.referred_by IS NULL
        AND NOT EXISTS (SELECT 1 FROM contact_changes x WHERE x.contact_id = c.id)))
  AND NOT EXISTS (SELECT 1 FROM promises p WHERE p.contact_id = c.id AND p.done_at IS NULL)
)"""  # noqa: S608


def contact_names(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """(name, reference: email or id) of the contacts ``ids`` (those `due` lists), as
    ``ContactRepo.names`` gives every contact's."""
    rows = conn.execute(
        "SELECT id, name, email FROM contacts WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(set(ids))),),
    )
    return {cid: (name, email or str(cid)) for cid, name, email in rows}


def first_sends(
    conn: sqlite3.Connection,
) -> tuple[dict[str, tuple[int, int]], list[tuple[str, str, str]]]:
    """From the kept summary, what `status` rates templates by: per template of the first
    outreach message sent, (first messages sent, answered since), and (template, sent at,
    first reply at) of each answered one."""
    counts = {
        template: (sent, replied)
        for template, sent, replied in conn.execute(
            "SELECT first_outreach_template, COUNT(*), "
            "COUNT(CASE WHEN first_reply_at >= first_outreach_at THEN 1 END) "
            "FROM contact_summary WHERE first_outreach_at IS NOT NULL "
            "GROUP BY first_outreach_template"
        )
    }
    answered = conn.execute(
        "SELECT first_outreach_template, first_outreach_at, first_reply_at FROM contact_summary "
        "WHERE first_outreach_at IS NOT NULL AND first_reply_at >= first_outreach_at"
    ).fetchall()
    return counts, answered


# Thanked contacts for whom nothing can be due yet at the time asked about: for them the rules
# leave promises, a job change, what their latest reply said (people named, "wait"), someone
# new on their side, a reply nothing since answers, and keep-in-touch, due at the start of the
# local day ``days`` after the last exchange (any send, reply, meeting or congratulation):
# never earlier than ``days`` minus 26 hours after it (the start of its local day is less than
# 25 hours before it). The first ? is the contacts whose latest reply was read (JSON list);
# the second the last exchange after which keep-in-touch cannot be due yet (see
# :func:`keep_in_touch_cutoff`). Every comparison with a missing time counts as false.
QUIET_THANKED_SQL = f"""(
  ({STAGE_SQL}) = 'thanked'
  AND NOT EXISTS (SELECT 1 FROM promises p WHERE p.contact_id = c.id AND p.done_at IS NULL)
  AND NOT EXISTS (SELECT 1 FROM contact_changes x WHERE x.contact_id = c.id)
  AND s.others_wrote_at IS NULL
  AND c.id NOT IN (SELECT value FROM json_each(?))
  AND (s.last_message_at IS NULL OR COALESCE(s.last_message_at <= s.last_sent_at, 0)
       OR COALESCE(s.last_message_at <= s.own_send_at, 0)
       OR COALESCE(s.last_message_at <= s.met_at, 0)
       OR COALESCE(s.last_message_at <= c.replies_seen_at, 0))
  AND MAX(COALESCE(s.last_sent_at, ''), COALESCE(s.own_send_at, ''),
          COALESCE(s.last_reply_at, ''), COALESCE(s.met_at, ''),
          COALESCE(s.congratulate_sent_at, '')) > ?
)"""  # noqa: S608

# Keep-in-touch is due at least this long before ``days`` have passed since the last exchange.
_KEEP_IN_TOUCH_MARGIN = timedelta(days=2)


def keep_in_touch_cutoff(now: datetime, shortest_days: int) -> str:
    """The stored time (UTC text) after which a last exchange leaves keep-in-touch not yet due
    at ``now`` for any contact, ``shortest_days`` being the shortest interval configured."""
    moment = now - timedelta(days=shortest_days) + _KEEP_IN_TOUCH_MARGIN
    return moment.astimezone(UTC).isoformat(timespec="seconds")
