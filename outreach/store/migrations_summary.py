"""The migration that keeps each contact's history summarised (``contact_summary``, see
:mod:`outreach.store.summary`): the table, the triggers that keep it, and its backfill."""

from __future__ import annotations

import sqlite3

from outreach.store.summary import SUMMARY_COLUMNS, rebuild_summary, refresh_sql

# The contacts whose own sends a congratulation's message id is (those stop counting as sends
# for the stage); their events part changes with it.
_CONGRATULATED = """SELECT contact_id FROM thread_events WHERE {row}.kind = 'congratulate'
  AND {row}.message_id != '' AND kind = 'own_send' AND message_id = {row}.message_id"""
_MEETING_OF = "SELECT contact_id FROM meetings WHERE id = {row}.meeting_id"


def _message_parts(row: str) -> list[tuple[str, str]]:
    return [
        ("messages", f"{row}.contact_id"),
        ("first", f"{row}.contact_id"),
        ("meeting", _MEETING_OF.format(row=row)),
        ("events", _CONGRATULATED.format(row=row)),
    ]


# (table, event, the parts it changes: (part, the contacts whose part it changes)). Only the
# columns a summary reads fire an update trigger.
_TRIGGERS: tuple[tuple[str, str, list[tuple[str, str]]], ...] = (
    ("contacts", "UPDATE OF email_key", [("events", "NEW.id")]),
    ("messages", "INSERT", _message_parts("NEW")),
    (
        "messages",
        "UPDATE OF contact_id, kind, state, sent_at, meeting_id, message_id",
        _message_parts("OLD") + _message_parts("NEW"),
    ),
    ("messages", "DELETE", _message_parts("OLD")),
    ("thread_events", "INSERT", [("events", "NEW.contact_id")]),
    (
        "thread_events",
        "UPDATE OF contact_id, kind, occurred_at, address, message_id",
        [("events", "OLD.contact_id, NEW.contact_id")],
    ),
    ("thread_events", "DELETE", [("events", "OLD.contact_id")]),
    ("meetings", "INSERT", [("meeting", "NEW.contact_id")]),
    ("meetings", "UPDATE", [("meeting", "OLD.contact_id, NEW.contact_id")]),
    ("meetings", "DELETE", [("meeting", "OLD.contact_id")]),
)


def create_summary_triggers(conn: sqlite3.Connection) -> None:
    """(Re)create the triggers that keep ``contact_summary`` (a migration that rebuilds one
    of these tables drops its triggers with it, and must call this again). A new contact has
    no history yet (its rows need it first): its row starts empty."""
    for number, (table, event, parts) in enumerate(_TRIGGERS):
        name = f"contact_summary_{table}_{event.split()[0].lower()}_{number}"
        body = " ".join(f"{refresh_sql(part, ids)};" for part, ids in parts)
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        conn.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body} END")
    for name, body in (
        ("contact_summary_contacts_new", "AFTER INSERT ON contacts BEGIN INSERT OR REPLACE "
         "INTO contact_summary (contact_id) VALUES (NEW.id); END"),
        ("contact_summary_contacts_gone", "AFTER DELETE ON contacts BEGIN "
         "DELETE FROM contact_summary WHERE contact_id = OLD.id; END"),
    ):
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        conn.execute(f"CREATE TRIGGER {name} {body}")


def _m14_contact_summary(conn: sqlite3.Connection) -> None:
    """Each contact's history summarised in one row kept by triggers (issue 16: `status`,
    `due` and `contacts list` at 50,000 contacts), filled from the history already there."""
    texts = {"meeting_state", "meeting_rsvp", "first_outreach_template"} | {
        n for n in SUMMARY_COLUMNS if n.endswith("_at") or n in ("meeting_start", "meeting_end")
    }
    columns = ",\n".join(
        f"  {name} {'TEXT' if name in texts else 'INTEGER'}" for name in SUMMARY_COLUMNS
    )
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS contact_summary (\n"
        f"  contact_id INTEGER PRIMARY KEY,\n{columns}\n)"
    )
    create_summary_triggers(conn)
    rebuild_summary(conn)


def _m15_messages_by_state(conn: sqlite3.Connection) -> None:
    """An index on the messages' state: `due` lists the unsent drafts (a few thousand of
    88,000 messages at 50,000 contacts) without reading every message."""
    conn.execute("CREATE INDEX IF NOT EXISTS messages_by_state ON messages(state)")
