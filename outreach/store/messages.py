"""Message rows: the idempotency ledger behind drafting and sending.

The row (with its unique idempotency key) is written before any backend call, the draft id
after it, so a re-run after a crash finds the draft instead of making a second; a send is
claimed (``send_started_at``) in its own committed transaction before the API call, so it can
happen at most once, ever.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class MessageRow:
    id: int
    contact_id: int
    kind: str
    template: str
    idem_key: str
    subject: str
    message_id: str
    backend: str
    draft_id: str | None
    gmail_id: str | None
    thread_id: str | None
    in_reply_to: str | None
    state: str
    error: str | None
    send_started_at: str | None
    sent_at: str | None
    created_at: str
    updated_at: str
    meeting_id: int | None = None  # the meeting an invite or thank-you belongs to
    recipient: str = ""  # the address it is to, casefolded
    draft_hash: str = ""  # fingerprint of the draft as outreach last wrote it
    held_at: str | None = None  # when a send run left it for the daily cap
    attachments: str = "[]"  # JSON list of attached file paths

    @property
    def reached_contact(self) -> bool:
        """Sent, or its send begun (and so perhaps sent): the contact may have it."""
        return self.state == "sent" or self.send_started_at is not None


def _row(row: sqlite3.Row) -> MessageRow:
    return MessageRow(**dict(row))


class MessageRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def by_key(self, idem_key: str) -> MessageRow | None:
        row = self.conn.execute("SELECT * FROM messages WHERE idem_key = ?", (idem_key,))
        found = row.fetchone()
        return None if found is None else _row(found)

    def by_id(self, message_row_id: int) -> MessageRow:
        return _row(
            self.conn.execute("SELECT * FROM messages WHERE id = ?", (message_row_id,)).fetchone()
        )

    def reserve(
        self,
        *,
        idem_key: str,
        contact_id: int,
        kind: str,
        template: str,
        subject: str,
        message_id: str,
        backend: str,
        thread_id: str | None,
        in_reply_to: str | None,
        now: str,
        recipient: str = "",
        meeting_id: int | None = None,
    ) -> MessageRow:
        """Record the intent to draft (or refresh) a message; returns the row, old or new.

        An existing row keeps its Message-ID and draft id so the re-run updates that draft;
        what it says (kind, template, subject) and where it goes in the thread are refreshed:
        an unsent invite becomes the cancellation, a reply goes after their latest message.
        """
        existing = self.by_key(idem_key)
        if existing is None:
            self.conn.execute(
                """INSERT INTO messages (contact_id, kind, template, idem_key, subject,
                       message_id, backend, thread_id, in_reply_to, state, created_at, updated_at,
                       recipient, meeting_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?)""",
                (
                    contact_id,
                    kind,
                    template,
                    idem_key,
                    subject,
                    message_id,
                    backend,
                    thread_id,
                    in_reply_to,
                    now,
                    now,
                    recipient.casefold(),
                    meeting_id,
                ),
            )
        else:
            self.conn.execute(
                """UPDATE messages SET kind = ?, template = ?, subject = ?, updated_at = ?,
                       in_reply_to = ?, thread_id = COALESCE(?, thread_id),
                       recipient = ?, meeting_id = COALESCE(?, meeting_id),
                       state = CASE WHEN state = 'discarded' THEN 'pending' ELSE state END
                   WHERE id = ?""",
                (
                    kind,
                    template,
                    subject,
                    now,
                    in_reply_to,
                    thread_id,
                    recipient.casefold(),
                    meeting_id,
                    existing.id,
                ),
            )
        found = self.by_key(idem_key)
        assert found is not None
        return found

    def mark_drafted(
        self, row_id: int, *, draft_id: str, gmail_id: str | None, thread_id: str | None, now: str
    ) -> None:
        self.conn.execute(
            """UPDATE messages SET draft_id = ?, gmail_id = COALESCE(?, gmail_id),
                   thread_id = COALESCE(?, thread_id), state = 'drafted', error = NULL,
                   updated_at = ?
               WHERE id = ? AND state != 'sent'""",
            (draft_id, gmail_id, thread_id, now, row_id),
        )

    def mark_failed(self, row_id: int, error: str, now: str) -> None:
        self.conn.execute(
            "UPDATE messages SET state = 'failed', error = ?, updated_at = ? "
            "WHERE id = ? AND state NOT IN ('sent', 'drafted')",
            (error, now, row_id),
        )

    def set_error(self, row_id: int, error: str | None, now: str) -> None:
        self.conn.execute(
            "UPDATE messages SET error = ?, updated_at = ? WHERE id = ?", (error, now, row_id)
        )

    def claim_send(self, row_id: int, now: str) -> bool:
        """Claim the one and only send of a message; False if it was ever claimed before."""
        cursor = self.conn.execute(
            "UPDATE messages SET send_started_at = ?, updated_at = ? "
            "WHERE id = ? AND send_started_at IS NULL AND state = 'drafted'",
            (now, now, row_id),
        )
        return cursor.rowcount == 1

    def release_claim(self, row_id: int, error: str, now: str) -> None:
        """Undo a claim when the backend proved nothing was sent."""
        self.conn.execute(
            "UPDATE messages SET send_started_at = NULL, error = ?, updated_at = ? "
            "WHERE id = ? AND state = 'drafted'",
            (error, now, row_id),
        )

    def mark_sent(
        self, row_id: int, *, gmail_id: str | None, thread_id: str | None, sent_at: str
    ) -> None:
        self.conn.execute(
            """UPDATE messages SET state = 'sent', sent_at = COALESCE(sent_at, ?),
                   gmail_id = COALESCE(?, gmail_id), thread_id = COALESCE(?, thread_id),
                   error = NULL, updated_at = ?
               WHERE id = ?""",
            (sent_at, gmail_id, thread_id, sent_at, row_id),
        )

    def set_draft_hash(self, row_id: int, fingerprint: str) -> None:
        self.conn.execute(
            "UPDATE messages SET draft_hash = ? WHERE id = ?", (fingerprint, row_id)
        )

    def set_attachments(self, row_id: int, attachments: str) -> None:
        self.conn.execute(
            "UPDATE messages SET attachments = ? WHERE id = ?", (attachments, row_id)
        )

    def hold(self, row_ids: list[int], now: str) -> None:
        """Drafts a send run left for the daily cap (the first time they were left counts)."""
        self.conn.executemany(
            "UPDATE messages SET held_at = COALESCE(held_at, ?) WHERE id = ? "
            "AND state = 'drafted'",
            [(now, row_id) for row_id in row_ids],
        )

    def held(self) -> list[MessageRow]:
        """Drafts waiting for the daily cap, oldest first."""
        rows = self.conn.execute(
            "SELECT * FROM messages WHERE held_at IS NOT NULL AND state = 'drafted' "
            "AND send_started_at IS NULL ORDER BY id"
        )
        return [_row(row) for row in rows]
    def first_created_at(self) -> str | None:
        """When our first message was made (where a mailbox read from the start begins)."""
        row = self.conn.execute("SELECT MIN(created_at) FROM messages").fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def count_for(self, contact_id: int, *, kind: str, state: str) -> int:
        row = self.conn.execute(
            "SELECT COUNT(*) FROM messages WHERE contact_id = ? AND kind = ? AND state = ?",
            (contact_id, kind, state),
        )
        return int(row.fetchone()[0])

    def invites_for(self, meeting_id: int) -> list[MessageRow]:
        """The meeting's invites and cancellations, oldest first."""
        rows = self.conn.execute(
            "SELECT * FROM messages WHERE meeting_id = ? AND kind IN ('confirm', 'cancel') "
            "ORDER BY id",
            (meeting_id,),
        )
        return [_row(row) for row in rows]

    def discard(self, row_id: int, now: str) -> None:
        """A draft that will never be sent (superseded before anyone saw it)."""
        self.conn.execute(
            "UPDATE messages SET state = 'discarded', updated_at = ? "
            "WHERE id = ? AND state != 'sent' AND send_started_at IS NULL",
            (now, row_id),
        )

    def void_for_address(self, contact_id: int, address: str, now: str) -> int:
        """Messages to an address that bounced, once the contact has a new one: they never
        arrived, so they are no longer part of the conversation (kept for the history)."""
        cursor = self.conn.execute(
            "UPDATE messages SET state = 'bounced', updated_at = ? "
            "WHERE contact_id = ? AND recipient = ? AND state IN ('sent', 'drafted', 'pending')",
            (now, contact_id, address.casefold()),
        )
        return cursor.rowcount

    def for_contact(self, contact_id: int) -> list[MessageRow]:
        rows = self.conn.execute(
            "SELECT * FROM messages WHERE contact_id = ? ORDER BY id", (contact_id,)
        )
        return [_row(row) for row in rows]

    def in_state(self, state: str, contact_ids: list[int] | None = None) -> list[MessageRow]:
        rows = self.conn.execute("SELECT * FROM messages WHERE state = ? ORDER BY id", (state,))
        found = [_row(row) for row in rows]
        if contact_ids is not None:
            wanted = set(contact_ids)
            found = [row for row in found if row.contact_id in wanted]
        return found

    def by_thread(self, thread_id: str) -> list[MessageRow]:
        rows = self.conn.execute(
            "SELECT * FROM messages WHERE thread_id = ? ORDER BY id", (thread_id,)
        )
        return [_row(row) for row in rows]

    def sends_since(self, moment: datetime) -> list[str]:
        """Times of sends (claimed or done) in the window, oldest first: for the daily cap."""
        rows = self.conn.execute(
            "SELECT COALESCE(sent_at, send_started_at) AS t FROM messages "
            "WHERE send_started_at IS NOT NULL OR sent_at IS NOT NULL"
        )
        cutoff = moment
        times = sorted(t for (t,) in rows if t is not None and datetime.fromisoformat(t) >= cutoff)
        return times

    def sent_in_last_day(self, now: datetime) -> list[str]:
        """Sends in the rolling 24 hours before ``now``: one sent exactly a day ago is out of
        it (room it held frees up at that moment, as `send` and `due` say)."""
        return [t for t in self.sends_since(now - timedelta(days=1))
                if datetime.fromisoformat(t) > now - timedelta(days=1)]

    def latest_in_thread_for(self, contact_id: int) -> MessageRow | None:
        """The contact's most recent message with a thread: what follow-ups reply to."""
        row = self.conn.execute(
            "SELECT * FROM messages WHERE contact_id = ? AND state IN ('drafted', 'sent') "
            "ORDER BY (state = 'sent') DESC, COALESCE(sent_at, updated_at) DESC, id DESC LIMIT 1",
            (contact_id,),
        ).fetchone()
        return None if row is None else _row(row)
