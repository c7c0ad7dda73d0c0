"""Slot proposals (held until booked, released or expired) and meetings."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class ProposalRow:
    id: int
    contact_id: int
    message_idem_key: str | None
    slot_index: int
    start: str
    end: str
    state: str
    created_at: str
    expires_at: str


@dataclass(frozen=True)
class MeetingRow:
    id: int
    contact_id: int
    start: str
    end: str
    uid: str
    sequence: int
    state: str
    notes: str
    takeaways: str
    met_at: str | None
    created_at: str
    updated_at: str
    rsvp: str | None = None  # accepted, declined or tentative: their answer to the invite
    rsvp_at: str | None = None
    resources: str = ""  # what they mentioned: books, courses, people's work, links
    prepared_at: str | None = None  # when `outreach prep` printed the brief for it
    calendar_event_id: str | None = None  # the user's copy on their Google Calendar
    calendar_synced: str = ""  # what that event says: "start|end", "absent", "removed", ""
    video: int = 0  # a Google Meet link was asked for
    join_url: str = ""  # the Meet link, once Google created it
    brief_event_id: str | None = None  # a private companion event with the user's notes
    calendar_guest: int = 0  # the contact is a guest on the event (an invite reached them)


class ProposalRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def replace_for_contact(
        self,
        contact_id: int,
        message_idem_key: str,
        slots: list[tuple[str, str]],
        now: str,
        expires_at: str,
    ) -> None:
        """Hold these slots for the contact, releasing what was held for the same message.

        The times of an earlier version of the same unsent message were never offered to
        anyone: they are dropped, not kept as a second offer (listed twice otherwise)."""
        self.conn.execute(
            "DELETE FROM proposals WHERE contact_id = ? AND message_idem_key = ? "
            "AND state IN ('held', 'released')",
            (contact_id, message_idem_key),
        )
        self.conn.execute(
            "UPDATE proposals SET state = 'released' WHERE contact_id = ? AND state = 'held'",
            (contact_id,),
        )
        self.conn.executemany(
            """INSERT INTO proposals (contact_id, message_idem_key, slot_index, start, end,
                   state, created_at, expires_at)
               VALUES (?, ?, ?, ?, ?, 'held', ?, ?)""",
            [
                (contact_id, message_idem_key, index, start, end, now, expires_at)
                for index, (start, end) in enumerate(slots, start=1)
            ],
        )

    def held(self, now: str, exclude_contact: int | None = None) -> list[ProposalRow]:
        """Slots currently held (not expired), optionally except one contact's own."""
        rows = self.conn.execute(
            "SELECT * FROM proposals WHERE state = 'held' AND expires_at > ? "
            "AND contact_id IS NOT ? ORDER BY start",
            (now, exclude_contact),
        )
        return [ProposalRow(**dict(row)) for row in rows]

    def for_contact(self, contact_id: int, state: str | None = None) -> list[ProposalRow]:
        sql = "SELECT * FROM proposals WHERE contact_id = ?"
        params: tuple[object, ...] = (contact_id,)
        if state:
            sql += " AND state = ?"
            params += (state,)
        rows = self.conn.execute(sql + " ORDER BY id", params)
        return [ProposalRow(**dict(row)) for row in rows]

    def set_state(self, proposal_id: int, state: str) -> None:
        self.conn.execute("UPDATE proposals SET state = ? WHERE id = ?", (state, proposal_id))

    def hand_over(self, from_contact: int, to_contact: int) -> None:
        """Times still held for ``from_contact`` are offered to their colleague now."""
        self.conn.execute(
            "UPDATE proposals SET contact_id = ? WHERE contact_id = ? AND state = 'held'",
            (to_contact, from_contact),
        )
    def drop_for_message(self, message_idem_key: str) -> int:
        """Forget the times an unsent draft offered (discarded, or deleted by hand): nobody saw
        them. Returns how many were held."""
        held = self.conn.execute(
            "SELECT COUNT(*) FROM proposals WHERE message_idem_key = ? AND state = 'held'",
            (message_idem_key,),
        ).fetchone()[0]
        self.conn.execute(
            "DELETE FROM proposals WHERE message_idem_key = ? AND state IN ('held', 'released')",
            (message_idem_key,),
        )
        return int(held)

    def release_for_contact(self, contact_id: int) -> None:
        self.conn.execute(
            "UPDATE proposals SET state = 'released' WHERE contact_id = ? AND state = 'held'",
            (contact_id,),
        )


class MeetingRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def create(self, *, contact_id: int, start: str, end: str, uid: str, now: str) -> MeetingRow:
        cursor = self.conn.execute(
            """INSERT INTO meetings (contact_id, start, end, uid, sequence, state,
                   created_at, updated_at)
               VALUES (?, ?, ?, ?, 0, 'scheduled', ?, ?)""",
            (contact_id, start, end, uid, now, now),
        )
        return self.by_id(int(cursor.lastrowid or 0))

    def by_id(self, meeting_id: int) -> MeetingRow:
        row = self.conn.execute("SELECT * FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
        return MeetingRow(**dict(row))

    def latest(self, contact_id: int) -> MeetingRow | None:
        row = self.conn.execute(
            "SELECT * FROM meetings WHERE contact_id = ? ORDER BY id DESC LIMIT 1", (contact_id,)
        ).fetchone()
        return None if row is None else MeetingRow(**dict(row))

    def for_contact(self, contact_id: int) -> list[MeetingRow]:
        rows = self.conn.execute(
            "SELECT * FROM meetings WHERE contact_id = ? ORDER BY id", (contact_id,)
        )
        return [MeetingRow(**dict(row)) for row in rows]

    def scheduled(self) -> list[MeetingRow]:
        rows = self.conn.execute("SELECT * FROM meetings WHERE state = 'scheduled' ORDER BY start")
        return [MeetingRow(**dict(row)) for row in rows]

    def update(self, meeting_id: int, now: str, **fields: object) -> None:
        allowed = {
            "start",
            "end",
            "sequence",
            "state",
            "notes",
            "takeaways",
            "met_at",
            "rsvp",
            "rsvp_at",
            "resources",
            "calendar_event_id",
            "calendar_synced",
            "video",
            "join_url",
            "brief_event_id",
            "calendar_guest",
        }
        if set(fields) - allowed:
            raise ValueError(f"not meeting fields: {sorted(set(fields) - allowed)}")
        values = {**fields, "updated_at": now}
        assignments = ", ".join(f"{name} = ?" for name in values)
        self.conn.execute(
            f"UPDATE meetings SET {assignments} WHERE id = ?",  # noqa: S608 - names are ours
            (*values.values(), meeting_id),
        )

    def set_prepared(self, meeting_id: int, at: str) -> None:
        """Record that the brief was printed; not a change to the meeting (``updated_at``
        stays: it dates what the contact was told)."""
        self.conn.execute("UPDATE meetings SET prepared_at = ? WHERE id = ?", (at, meeting_id))

    def count_held(self) -> int:
        row = self.conn.execute("SELECT COUNT(*) FROM meetings WHERE met_at IS NOT NULL")
        return int(row.fetchone()[0])
