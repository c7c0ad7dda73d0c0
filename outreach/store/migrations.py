"""The numbered schema migrations: each a function run in one transaction, in list order.

Append new migrations at the end; never edit or reorder one that was released.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from outreach.store.migration_script import run_script
from outreach.store.migrations_conversation import (
    _m8_conversation,
    _m9_drafts,
    _m10_delivery_queue,
    _m11_meeting_cc,
    _m12_prior_contact,
    _m13_server_hold,
)
from outreach.store.migrations_summary import _m14_contact_summary, _m15_messages_by_state

Migration = Callable[[sqlite3.Connection], None]

__all__ = ["MIGRATIONS", "Migration", "run_script"]


def _m1_initial(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        """
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            email TEXT,
            email_key TEXT UNIQUE,            -- casefolded email: one contact per address
            import_key TEXT UNIQUE,           -- for rows without email (LinkedIn): stable identity
            name TEXT NOT NULL,
            first_name TEXT NOT NULL DEFAULT '',
            last_name TEXT NOT NULL DEFAULT '',
            org TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL DEFAULT '',
            timezone TEXT NOT NULL DEFAULT '',
            linkedin_url TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            referred_by INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
            extra TEXT NOT NULL DEFAULT '{}',
            closed_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE tags (
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            tag TEXT NOT NULL COLLATE NOCASE,
            PRIMARY KEY (contact_id, tag)
        ) WITHOUT ROWID;
        CREATE INDEX tags_by_tag ON tags(tag);

        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,   -- outreach, followup, confirm, cancel, thankyou, keepintouch
            template TEXT NOT NULL,
            idem_key TEXT NOT NULL UNIQUE,
            subject TEXT NOT NULL DEFAULT '',
            message_id TEXT NOT NULL DEFAULT '',   -- RFC 5322 Message-ID header we generated
            backend TEXT NOT NULL DEFAULT '',
            draft_id TEXT,                    -- Gmail draft id, or local outbox file name
            gmail_id TEXT,                    -- Gmail message id once known
            thread_id TEXT,
            in_reply_to TEXT,
            state TEXT NOT NULL DEFAULT 'pending',  -- pending, drafted, sent, failed
            error TEXT,
            send_started_at TEXT,             -- set before a send call: a send happens at most once
            sent_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX messages_by_contact ON messages(contact_id);
        CREATE INDEX messages_by_thread ON messages(thread_id);
        CREATE INDEX messages_by_sent ON messages(sent_at);

        CREATE TABLE thread_events (
            id INTEGER PRIMARY KEY,
            gmail_id TEXT NOT NULL UNIQUE,
            thread_id TEXT NOT NULL,
            contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,               -- reply, auto_reply, bounce, own_send
            sender TEXT NOT NULL DEFAULT '',
            subject TEXT NOT NULL DEFAULT '',
            occurred_at TEXT NOT NULL,
            return_date TEXT,                 -- auto-replies: the stated return date
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX events_by_contact ON thread_events(contact_id);
        CREATE INDEX events_by_thread ON thread_events(thread_id);

        CREATE TABLE proposals (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            message_idem_key TEXT,
            slot_index INTEGER NOT NULL,
            start TEXT NOT NULL,
            end TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'held',   -- held, booked, released
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX proposals_by_contact ON proposals(contact_id);
        CREATE INDEX proposals_held ON proposals(state, start);

        CREATE TABLE meetings (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            start TEXT NOT NULL,
            end TEXT NOT NULL,
            uid TEXT NOT NULL UNIQUE,
            sequence INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT 'scheduled',  -- scheduled, cancelled, held
            notes TEXT NOT NULL DEFAULT '',
            takeaways TEXT NOT NULL DEFAULT '',
            met_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX meetings_by_contact ON meetings(contact_id);

        CREATE TABLE sync_state (
            account TEXT PRIMARY KEY,
            history_id TEXT,
            last_full_sync TEXT,
            last_sync TEXT
        );
        """,
    )


def _m2_covering_indexes(conn: sqlite3.Connection) -> None:
    """Let the per-contact summaries behind `status` and `due` read indexes only."""
    run_script(
        conn,
        """
        CREATE INDEX events_facts ON thread_events(contact_id, kind, occurred_at);
        CREATE INDEX events_returns ON thread_events(kind, contact_id, occurred_at, return_date);
        CREATE INDEX messages_facts ON messages(contact_id, kind, state, sent_at);
        """,
    )


def _m3_conversations(conn: sqlite3.Connection) -> None:
    """What a whole conversation needs to go right.

    - ``messages.meeting_id``: the meeting an invite (or thank-you) belongs to, so a meeting
      keeps at most one unsent invite; ``messages.recipient``: the address it went to
      (casefolded), so a corrected address after a bounce starts afresh.
    - ``thread_events.message_id``: the RFC Message-ID of what they sent, so our next message
      answers it (In-Reply-To, References); ``thread_events.address``: the contact's address an
      event is about (a bounce's failed recipient, our send's recipient, their reply's sender),
      so a bounce, and what was sent to a bounced address, stay with the old address.
    - ``meetings.rsvp`` and ``rsvp_at``: accepted, declined or tentative, from their answer.
    - ``contacts.closed_reason``: why a contact was closed (declined, no reply, ...).
    """
    run_script(
        conn,
        """
        ALTER TABLE messages ADD COLUMN meeting_id INTEGER
            REFERENCES meetings(id) ON DELETE SET NULL;
        ALTER TABLE messages ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
        ALTER TABLE thread_events ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
        ALTER TABLE thread_events ADD COLUMN address TEXT NOT NULL DEFAULT '';
        ALTER TABLE meetings ADD COLUMN rsvp TEXT;
        ALTER TABLE meetings ADD COLUMN rsvp_at TEXT;
        ALTER TABLE contacts ADD COLUMN closed_reason TEXT NOT NULL DEFAULT '';

        UPDATE messages SET recipient = COALESCE(
            (SELECT email_key FROM contacts WHERE contacts.id = messages.contact_id), '');
        UPDATE messages SET meeting_id = CAST(
                substr(idem_key, instr(idem_key, ':') + 1,
                       instr(substr(idem_key, instr(idem_key, ':') + 1) || ':', ':') - 1)
            AS INTEGER)
            WHERE kind IN ('confirm', 'cancel', 'thankyou')
              AND CAST(substr(idem_key, instr(idem_key, ':') + 1,
                       instr(substr(idem_key, instr(idem_key, ':') + 1) || ':', ':') - 1)
                  AS INTEGER) IN (SELECT id FROM meetings);
        UPDATE thread_events SET message_id = substr(gmail_id, 7)
            WHERE gmail_id LIKE 'local:<%';
        UPDATE thread_events SET address = COALESCE(
                (SELECT email_key FROM contacts WHERE contacts.id = thread_events.contact_id), '')
            WHERE kind IN ('bounce', 'own_send');
        UPDATE thread_events SET address = lower(sender) WHERE kind NOT IN ('bounce', 'own_send');

        CREATE INDEX messages_by_meeting ON messages(meeting_id);
        """,
    )


def _m4_contact_aliases(conn: sqlite3.Connection) -> None:
    """Addresses and import keys of contacts merged into another, so the merged contact is
    found by them (a re-import or `contacts add` of the old address finds the one kept)."""
    run_script(
        conn,
        """
        CREATE TABLE contact_aliases (
            alias TEXT PRIMARY KEY,           -- "email_key:<casefolded>" or "import_key:<key>"
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE
        ) WITHOUT ROWID;
        CREATE INDEX contact_aliases_by_contact ON contact_aliases(contact_id);
        """,
    )


def _m5_calendar_events(conn: sqlite3.Connection) -> None:
    """The meeting on the user's own Google Calendar, kept in step with its invite.

    - ``meetings.calendar_event_id``: the Google Calendar event id of the user's copy;
      ``meetings.calendar_synced``: what that event was last made to say ("start|end" while
      scheduled, "absent" once removed, "removed" when the user deleted it by hand), so a
      re-run makes no call when it is already in step, and sync can catch up on the rest;
    - ``meetings.video`` (a Google Meet link was asked for) and ``meetings.join_url``;
    - ``meetings.brief_event_id``: a private companion event holding notes only the user
      sees (a prep brief), moved and removed with the meeting;
    - ``meetings.calendar_guest``: the contact is on the event as a guest; only once an invite
      reached them (a guest on Google Calendar would otherwise see a time the user has not
      sent yet, moving with every change before it is sent);
    - ``calendar_sync``: the events.list sync token (RSVPs read incrementally), and when the
      user was told that the token cannot write to the calendar (said once).
    """
    run_script(
        conn,
        """
        ALTER TABLE meetings ADD COLUMN calendar_event_id TEXT;
        ALTER TABLE meetings ADD COLUMN calendar_synced TEXT NOT NULL DEFAULT '';
        ALTER TABLE meetings ADD COLUMN video INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE meetings ADD COLUMN join_url TEXT NOT NULL DEFAULT '';
        ALTER TABLE meetings ADD COLUMN brief_event_id TEXT;
        ALTER TABLE meetings ADD COLUMN calendar_guest INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX meetings_by_calendar_event ON meetings(calendar_event_id);

        CREATE TABLE calendar_sync (
            account TEXT PRIMARY KEY,
            sync_token TEXT,
            synced_at TEXT,
            scope_note_at TEXT
        );
        """,
    )


def _m6_prepare_and_remember(conn: sqlite3.Connection) -> None:
    """Before and after the conversation, and the network kept warm.

    - ``meetings.resources``: what they mentioned (books, courses, people's work, links);
      ``meetings.prepared_at``: when `outreach prep` printed the brief (the prepare action is
      then done).
    - ``contacts.mention_referrer``: whether the first note to a referral may name who referred
      them (1 yes, 0 no, NULL not asked: treated as yes, as before).
    - ``promises``: what the user promised in a conversation ("send my résumé"), due until done.
    - ``contact_changes``: a contact's organisation or title changing on a re-import (a new
      job: congratulate them), kept for their timeline.
    - An index on ``messages.message_id``: the facts tell the sync record of a sent
      congratulation from other mail the user wrote.
    """
    run_script(
        conn,
        """
        ALTER TABLE meetings ADD COLUMN resources TEXT NOT NULL DEFAULT '';
        ALTER TABLE meetings ADD COLUMN prepared_at TEXT;
        ALTER TABLE contacts ADD COLUMN mention_referrer INTEGER;

        CREATE TABLE promises (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            meeting_id INTEGER REFERENCES meetings(id) ON DELETE SET NULL,
            text TEXT NOT NULL,
            text_key TEXT NOT NULL,           -- casefolded, spaces collapsed: no duplicates
            created_at TEXT NOT NULL,
            done_at TEXT,
            UNIQUE (contact_id, meeting_id, text_key)
        );
        CREATE INDEX promises_open ON promises(done_at, contact_id);

        CREATE TABLE contact_changes (
            id INTEGER PRIMARY KEY,
            contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
            old_org TEXT NOT NULL DEFAULT '',
            new_org TEXT NOT NULL DEFAULT '',
            old_title TEXT NOT NULL DEFAULT '',
            new_title TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',  -- the file the change came from
            changed_at TEXT NOT NULL
        );
        CREATE INDEX contact_changes_by_contact ON contact_changes(contact_id, changed_at);
        CREATE INDEX messages_by_message_id ON messages(message_id, kind);
        """,
    )


def _m7_maildir_seen(conn: sqlite3.Connection) -> None:
    """Maildir files local sync has read, so a sync with nothing new reads no file again.

    - ``maildir_seen``: each file read (name, size, mtime) and what it said;
    - ``maildir_state``: ``address_book`` counts changes to the contacts' addresses (kept by
      triggers), so sync knows when mail it set aside as not a contact's may now be one's.

    Written with IF NOT EXISTS so it stays correct wherever it lands among other branches'
    migrations (it needs ``contact_aliases``, migration 5).
    """
    run_script(
        conn,
        """
        CREATE TABLE IF NOT EXISTS maildir_seen (
            path TEXT PRIMARY KEY,            -- relative to the workspace: inbox/cur/NAME
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            message_key TEXT NOT NULL,        -- its event id: local:<Message-ID>, local:file:..
            message_id TEXT NOT NULL DEFAULT '',
            referenced TEXT NOT NULL DEFAULT '[]',  -- JSON: Message-IDs it answers or returns
            addresses TEXT NOT NULL DEFAULT '[]',   -- JSON: its sender, or the user's recipients
            thread_id TEXT                    -- the conversation it belongs to; NULL: not ours
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS maildir_state (
            name TEXT PRIMARY KEY,            -- address_book, address_book_seen, owner_seen
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO maildir_state (name, value) VALUES ('address_book', '0');
        CREATE TRIGGER IF NOT EXISTS address_book_added AFTER INSERT ON contacts BEGIN
            UPDATE maildir_state SET value = value + 1 WHERE name = 'address_book';
        END;
        CREATE TRIGGER IF NOT EXISTS address_book_removed AFTER DELETE ON contacts BEGIN
            UPDATE maildir_state SET value = value + 1 WHERE name = 'address_book';
        END;
        CREATE TRIGGER IF NOT EXISTS address_book_changed AFTER UPDATE OF email_key ON contacts
        BEGIN
            UPDATE maildir_state SET value = value + 1 WHERE name = 'address_book';
        END;
        CREATE TRIGGER IF NOT EXISTS address_book_alias_added AFTER INSERT ON contact_aliases
        BEGIN
            UPDATE maildir_state SET value = value + 1 WHERE name = 'address_book';
        END;
        CREATE TRIGGER IF NOT EXISTS address_book_alias_removed AFTER DELETE ON contact_aliases
        BEGIN
            UPDATE maildir_state SET value = value + 1 WHERE name = 'address_book';
        END;
        """,
    )


# Append new migrations; never edit or reorder a released one.
MIGRATIONS: list[Migration] = [
    _m1_initial,
    _m2_covering_indexes,
    _m3_conversations,
    _m4_contact_aliases,
    _m5_calendar_events,
    _m6_prepare_and_remember,
    _m7_maildir_seen,
    # issues 16-21: see outreach.store.migrations_conversation
    _m8_conversation,
    _m9_drafts,
    _m10_delivery_queue,
    _m11_meeting_cc,
    _m12_prior_contact,
    _m13_server_hold,
    # issue 16 (speed at scale): see outreach.store.migrations_summary
    _m14_contact_summary,
    _m15_messages_by_state,
]
