"""Migrations 8-13: what the conversation off the script, the user's own drafts, delivery in
the recipient's morning, copied assistants, prior contact and server-held mail need. Listed,
in order, in :data:`outreach.store.migrations.MIGRATIONS`.
"""

from __future__ import annotations

import sqlite3

from outreach.store.migration_script import run_script

__all__ = [
    "_m8_conversation",
    "_m9_drafts",
    "_m10_delivery_queue",
    "_m11_meeting_cc",
    "_m12_prior_contact",
    "_m13_server_hold",
]


# Who is copied on a contact's invites (migrations 8 and 11 both create it, IF NOT EXISTS: two
# branches each brought it, and a workspace may have run either first).
_MEETING_CC = """
CREATE TABLE IF NOT EXISTS meeting_cc (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    email TEXT NOT NULL,              -- as given (normalised domain)
    email_key TEXT NOT NULL,          -- casefolded, for uniqueness
    position INTEGER NOT NULL,        -- the order given
    added_at TEXT NOT NULL,
    PRIMARY KEY (contact_id, email_key)
) WITHOUT ROWID;
"""


def _m8_conversation(conn: sqlite3.Connection) -> None:
    """What the conversation model needs when the other person steps off the script.

    - ``thread_events.reading``: what the reply reader (or ``outreach reply``) found in a
      reply, as JSON (``reading_to_json``); NULL when its text could not be read. Bodies
      are never stored, only the findings and the sentences they came from.
    - ``contacts.replies_seen_at``: replies up to then were read or dismissed by the user
      (``outreach reply CONTACT --seen``).
    - ``contacts.handed_to``: the colleague who took the conversation over (a contact).
    - ``meeting_cc``: people copied on a contact's invites and confirmations (an assistant);
      the table of branch calendar's ``_m8_meeting_cc`` (``book --cc``), created the same way
      if this runs first, so `contacts add ... --assistant-of` and `book --cc` share it.

    Written with IF NOT EXISTS where it can be, so it stays correct wherever it lands.
    """
    columns = {row[1] for row in conn.execute("PRAGMA table_info(thread_events)")}
    if "reading" not in columns:
        conn.execute("ALTER TABLE thread_events ADD COLUMN reading TEXT")
    if "first_line" not in columns:
        conn.execute("ALTER TABLE thread_events ADD COLUMN first_line TEXT NOT NULL DEFAULT ''")
    if "sender_name" not in columns:
        conn.execute("ALTER TABLE thread_events ADD COLUMN sender_name TEXT NOT NULL DEFAULT ''")
    if "refs" not in columns:
        conn.execute("ALTER TABLE thread_events ADD COLUMN refs TEXT NOT NULL DEFAULT ''")
    columns = {row[1] for row in conn.execute("PRAGMA table_info(contacts)")}
    if "replies_seen_at" not in columns:
        conn.execute("ALTER TABLE contacts ADD COLUMN replies_seen_at TEXT")
    if "handed_to" not in columns:
        conn.execute(
            "ALTER TABLE contacts ADD COLUMN handed_to INTEGER "
            "REFERENCES contacts(id) ON DELETE SET NULL"
        )
    run_script(conn, _MEETING_CC)  # also in _m11: whichever branch's migration ran first


def _m9_drafts(conn: sqlite3.Connection) -> None:
    """The user's drafts: what we wrote, what waits, what goes with it.

    - ``messages.draft_hash``: the fingerprint of the draft as outreach last wrote it, so a
      draft the user edited is noticed and never replaced without ``--force``;
    - ``messages.held_at``: when a send run left the draft for the daily cap (``due`` lists
      it; it is re-planned before it goes);
    - ``messages.attachments``: JSON list of the files attached to the draft.
    """
    run_script(
        conn,
        """
        ALTER TABLE messages ADD COLUMN draft_hash TEXT NOT NULL DEFAULT '';
        ALTER TABLE messages ADD COLUMN held_at TEXT;
        ALTER TABLE messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
        """,
    )


def _m10_delivery_queue(conn: sqlite3.Connection) -> None:
    """Messages waiting for the recipient's morning, and what `watch` did on which day.

    - ``delivery_queue``: a drafted message and when it is to go (``deliver_at``, ISO 8601);
      the row goes when the message is sent or the user takes it off the queue. Sending
      itself stays claimed on the message row, so a queue delivered by two `watch` processes
      still sends each message once.
    - ``watch_state``: small facts `watch` keeps between runs (the day of the last morning
      summary and digest).
    """
    run_script(
        conn,
        """
        CREATE TABLE IF NOT EXISTS delivery_queue (
            message_row_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
            deliver_at TEXT NOT NULL,
            queued_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS delivery_queue_at ON delivery_queue(deliver_at);
        CREATE TABLE IF NOT EXISTS watch_state (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        """,
    )


def _m11_meeting_cc(conn: sqlite3.Connection) -> None:
    """Who is copied (Cc) on a contact's invites, their updates and confirmations: an
    assistant who keeps their calendar (``book --cc``, ``contacts edit --cc``), remembered per
    contact. Written with IF NOT EXISTS so it stays correct wherever it lands."""
    run_script(conn, _MEETING_CC)


def _m12_prior_contact(conn: sqlite3.Connection) -> None:
    """Whom the user wrote to and heard from before outreach: read once, from headers only,
    by the first sync (services/sync/prior.py)."""
    run_script(
        conn,
        """
        CREATE TABLE prior_contact (
            address TEXT PRIMARY KEY,         -- casefolded
            last_sent TEXT,                   -- ISO 8601, UTC: the user's last mail to them
            last_received TEXT                -- their last mail to the user
        ) WITHOUT ROWID;
        """,
    )


def _m13_server_hold(conn: sqlite3.Connection) -> None:
    """Messages the mail server holds until their time (Outlook's deferred send).

    ``delivery_queue.held_id``: the server's id of the held message, NULL for a message that
    waits on this machine for `watch`. A held message's send is claimed at its time
    (``send_started_at``), so the once-only rule and the daily cap count it on the day it goes.
    """
    columns = {row[1] for row in conn.execute("PRAGMA table_info(delivery_queue)")}
    if "held_id" not in columns:
        conn.execute("ALTER TABLE delivery_queue ADD COLUMN held_id TEXT")
