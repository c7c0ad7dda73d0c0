"""Contact queries: idempotent upsert, lookup by email or id, tags."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from outreach.contacts.model import CORE_FIELDS, Contact, ContactRecord
from outreach.errors import ContactError

# Columns an upsert may change; email is the identity and handled separately.
_UPDATABLE = tuple(name for name in CORE_FIELDS if name != "email")


@dataclass
class UpsertSummary:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def identity_key(record: ContactRecord) -> tuple[str, str]:
    """The column and value that identify a record: its email, else a stable import key."""
    if record.email:
        return "email_key", record.email.casefold()
    basis = record.linkedin_url.strip().rstrip("/").casefold() or record.name.casefold()
    return "import_key", f"{record.source or 'import'}:{basis}"


def _row_to_contact(row: sqlite3.Row, tags: list[str]) -> Contact:
    return Contact(
        id=row["id"],
        name=row["name"],
        email=row["email"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        org=row["org"],
        title=row["title"],
        timezone=row["timezone"],
        linkedin_url=row["linkedin_url"],
        notes=row["notes"],
        source=row["source"],
        referred_by=row["referred_by"],
        extra=json.loads(row["extra"]),
        tags=tags,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        mention_referrer=None
        if row["mention_referrer"] is None
        else bool(row["mention_referrer"]),
    )


class ContactRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def upsert(
        self, records: Iterable[ContactRecord], now: str, referred_by: int | None = None
    ) -> UpsertSummary:
        """Insert new contacts and update changed ones; the caller owns the transaction.

        Empty incoming values never erase stored ones (exports differ in what they carry);
        extra columns are merged; tags are added.
        """
        summary = UpsertSummary()
        for record in records:
            column, key = identity_key(record)
            row = self.conn.execute(
                f"SELECT * FROM contacts WHERE {column} = ?",  # noqa: S608 - column is ours
                (key,),
            ).fetchone()
            merged_away = False
            if row is None:
                # A record of a contact merged into another: it only fills that one's gaps,
                # since the user chose the kept contact's values.
                row = self._by_alias(f"{column}:{key}")
                merged_away = row is not None
            label = record.email or record.name
            if row is None:
                self._insert(record, column, key, now, referred_by)
                summary.added.append(label)
                continue
            changes: dict[str, Any] = {}
            for name in _UPDATABLE:
                value = getattr(record, name)
                if value and value != row[name] and not (merged_away and row[name]):
                    changes[name] = value
            if record.email and record.email != row["email"] and row["email"] is None:
                changes["email"] = record.email
                changes["email_key"] = record.email.casefold()
            extra = json.loads(row["extra"])
            incoming = {k: v for k, v in record.extra.items() if v}
            merged = {**incoming, **extra} if merged_away else {**extra, **incoming}
            if merged != extra:
                changes["extra"] = json.dumps(merged, ensure_ascii=False, sort_keys=True)
            if referred_by is not None and row["referred_by"] is None:
                changes["referred_by"] = referred_by
            new_tags = self._add_tags(row["id"], record.tags)
            if changes:
                changes["updated_at"] = now
                assignments = ", ".join(f"{name} = ?" for name in changes)
                self.conn.execute(
                    f"UPDATE contacts SET {assignments} WHERE id = ?",  # noqa: S608
                    (*changes.values(), row["id"]),
                )
            (summary.updated if changes or new_tags else summary.unchanged).append(label)
        return summary

    def _insert(
        self, record: ContactRecord, column: str, key: str, now: str, referred_by: int | None
    ) -> int:
        cursor = self.conn.execute(
            """INSERT INTO contacts (email, email_key, import_key, name, first_name, last_name,
                   org, title, timezone, linkedin_url, notes, source, referred_by, extra,
                   created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                record.email or None,
                key if column == "email_key" else None,
                key if column == "import_key" else None,
                record.name,
                record.first_name,
                record.last_name,
                record.org,
                record.title,
                record.timezone,
                record.linkedin_url,
                record.notes,
                record.source,
                referred_by,
                json.dumps(record.extra, ensure_ascii=False, sort_keys=True),
                now,
                now,
            ),
        )
        contact_id = int(cursor.lastrowid or 0)
        self._add_tags(contact_id, record.tags)
        return contact_id

    def _add_tags(self, contact_id: int, tags: Sequence[str]) -> int:
        added = 0
        for tag in tags:
            cursor = self.conn.execute(
                "INSERT OR IGNORE INTO tags (contact_id, tag) VALUES (?, ?)", (contact_id, tag)
            )
            added += cursor.rowcount
        return added

    def add_tags(self, contact_id: int, tags: Sequence[str]) -> int:
        return self._add_tags(contact_id, tags)

    def remove_tags(self, contact_id: int, tags: Sequence[str]) -> None:
        self.conn.executemany(
            "DELETE FROM tags WHERE contact_id = ? AND tag = ?", [(contact_id, t) for t in tags]
        )

    def find(self, ref: str) -> Contact | None:
        """Look a contact up by email (any case, including addresses of contacts merged into
        it) or by numeric id."""
        ref = ref.strip()
        if ref.isdigit():
            row = self.conn.execute("SELECT * FROM contacts WHERE id = ?", (int(ref),)).fetchone()
        else:
            row = self.conn.execute(
                "SELECT * FROM contacts WHERE email_key = ?", (ref.casefold(),)
            ).fetchone()
            if row is None:
                row = self._by_alias(f"email_key:{ref.casefold()}")
        return None if row is None else _row_to_contact(row, self._tags(row["id"]))

    def jobs_of(self, records: Iterable[ContactRecord]) -> dict[int, tuple[int, str, str, str]]:
        """For each record already stored (by its index in ``records``): the stored contact's
        (id, org, title, source), read before an upsert changes them."""
        found: dict[int, tuple[int, str, str, str]] = {}
        for index, record in enumerate(records):
            column, key = identity_key(record)
            row = self.conn.execute(
                f"SELECT id, org, title, source FROM contacts WHERE {column} = ?",  # noqa: S608
                (key,),
            ).fetchone()
            if row is not None:
                found[index] = (row[0], row[1], row[2], row[3])
        return found

    def find_unaddressed(self, record: ContactRecord) -> Contact | None:
        """The stored contact an address-less record was saved as (by its import key)."""
        column, key = identity_key(record)
        row = self.conn.execute(
            f"SELECT * FROM contacts WHERE {column} = ?",  # noqa: S608 - column is ours
            (key,),
        ).fetchone()
        return None if row is None else _row_to_contact(row, self._tags(row["id"]))

    def _by_alias(self, alias: str) -> sqlite3.Row | None:
        found: sqlite3.Row | None = self.conn.execute(
            "SELECT c.* FROM contact_aliases a JOIN contacts c ON c.id = a.contact_id "
            "WHERE a.alias = ?",
            (alias,),
        ).fetchone()
        return found

    def delete(self, contact_id: int) -> None:
        """Remove a contact with its messages, events, proposals, meetings and tags; contacts it
        referred keep existing, without a referrer."""
        self.conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))

    def merge(self, keep_id: int, other_id: int) -> None:
        """Move everything of ``other_id`` to ``keep_id`` and delete it
        (:func:`~outreach.store.contact_merge.merge_contacts`)."""
        from outreach.store.contact_merge import merge_contacts

        merge_contacts(self.conn, keep_id, other_id)

    def add_unaddressed(
        self, record: ContactRecord, now: str, *, key: str, referred_by: int | None = None
    ) -> int:
        """Insert a contact without an email under an import key of the caller's choosing
        (e.g. a referral known only by name, unique to who referred them)."""
        return self._insert(record, "import_key", key, now, referred_by)

    def get(self, ref: str | int) -> Contact:
        """Like :meth:`find`, but an unknown contact is an error that says what to do."""
        contact = self.find(str(ref))
        if contact is None:
            raise ContactError(
                f"No contact {ref!s} in the workspace.",
                hint="List contacts with `outreach contacts list`, or add one with "
                "`outreach contacts add EMAIL --name NAME`.",
            )
        return contact

    def by_id(self, contact_id: int) -> Contact:
        return self.get(contact_id)

    def _tags(self, contact_id: int) -> list[str]:
        rows = self.conn.execute(
            "SELECT tag FROM tags WHERE contact_id = ? ORDER BY tag", (contact_id,)
        )
        return [row[0] for row in rows]

    def all(self, tag: str | None = None) -> list[Contact]:
        """Every contact (optionally with a tag), ordered by id, tags loaded in one query."""
        if tag is None:
            rows = self.conn.execute("SELECT * FROM contacts ORDER BY id").fetchall()
        else:
            rows = self.conn.execute(
                "SELECT c.* FROM contacts c JOIN tags t ON t.contact_id = c.id "
                "WHERE t.tag = ? ORDER BY c.id",
                (tag,),
            ).fetchall()
        tags: dict[int, list[str]] = {}
        for contact_id, name in self.conn.execute(
            "SELECT contact_id, tag FROM tags ORDER BY contact_id, tag"
        ):
            tags.setdefault(contact_id, []).append(name)
        return [_row_to_contact(row, tags.get(row["id"], [])) for row in rows]

    def referred_by(self, contact_id: int) -> list[Contact]:
        """Contacts this contact referred the user to."""
        rows = self.conn.execute(
            "SELECT * FROM contacts WHERE referred_by = ? ORDER BY id", (contact_id,)
        ).fetchall()
        return [_row_to_contact(row, self._tags(row["id"])) for row in rows]

    def labels(self) -> dict[int, tuple[str, str]]:
        """Every contact's (label, reference) without loading whole records: for listings."""
        rows = self.conn.execute("SELECT id, name, email FROM contacts")
        return {
            cid: (f"{name} <{email}>" if email else f"{name} (#{cid})", email or str(cid))
            for cid, name, email in rows
        }

    def names(self) -> dict[int, tuple[str, str]]:
        """Every contact's (name, reference: email or id), without loading whole records."""
        rows = self.conn.execute("SELECT id, name, email FROM contacts")
        return {cid: (name, email or str(cid)) for cid, name, email in rows}

    def ids_by_email(self) -> dict[str, int]:
        """Casefolded address -> contact id: to recognise a contact's mail in any thread."""
        rows = self.conn.execute("SELECT email_key, id FROM contacts WHERE email_key IS NOT NULL")
        found = {row[0]: row[1] for row in rows}
        # Addresses of contacts merged into another are that contact's too.
        aliases = self.conn.execute(
            "SELECT substr(alias, 11), contact_id FROM contact_aliases "
            "WHERE alias LIKE 'email_key:%'"
        )
        for address, contact_id in aliases:
            found.setdefault(address, contact_id)
        return found

    def closed_reason(self, contact_id: int) -> str:
        row = self.conn.execute("SELECT closed_reason FROM contacts WHERE id = ?", (contact_id,))
        found = row.fetchone()
        return "" if found is None else str(found[0])

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0])

    def hand_over(self, from_id: int, to_id: int) -> None:
        """``to_id`` (a colleague) took ``from_id``'s conversation over."""
        self.conn.execute("UPDATE contacts SET handed_to = ? WHERE id = ?", (to_id, from_id))

    def handed_from(self, contact_id: int) -> list[int]:
        """Contacts whose conversation was handed over to this one."""
        rows = self.conn.execute(
            "SELECT id FROM contacts WHERE handed_to = ? ORDER BY id", (contact_id,)
        )
        return [int(row[0]) for row in rows]

    def add_cc(self, contact_id: int, email: str, now: str) -> None:
        """Copy ``email`` on the contact's invites and confirmations from now on (an
        assistant), after those already copied (``meeting_cc``, shared with `book --cc`)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO meeting_cc (contact_id, email, email_key, position, added_at) "
            "VALUES (?, ?, ?, (SELECT COALESCE(MAX(position) + 1, 0) FROM meeting_cc "
            "WHERE contact_id = ?), ?)",
            (contact_id, email, email.casefold(), contact_id, now),
        )

    def cc(self, contact_id: int) -> list[str]:
        """The addresses copied on the contact's invites, in the order given."""
        rows = self.conn.execute(
            "SELECT email FROM meeting_cc WHERE contact_id = ? ORDER BY position, email_key",
            (contact_id,),
        )
        return [str(r[0]) for r in rows]

    def mark_replies_seen(self, contact_id: int, at: str) -> None:
        """Replies received up to ``at`` were read (or dismissed) by the user."""
        self.conn.execute(
            "UPDATE contacts SET replies_seen_at = ? WHERE id = ?", (at, contact_id)
        )

    def all_tags(self) -> list[str]:
        """Every tag in use, most used first."""
        rows = self.conn.execute(
            "SELECT tag, COUNT(*) AS n FROM tags GROUP BY tag ORDER BY n DESC, tag"
        )
        return [str(row[0]) for row in rows]

    def extra_keys(self) -> frozenset[str]:
        """Every extra column any contact has (what templates may use as ``contact.X``)."""
        rows = self.conn.execute(
            "SELECT DISTINCT j.key FROM contacts, json_each(contacts.extra) AS j"
        )
        return frozenset(str(row[0]) for row in rows)

    def update(self, contact_id: int, now: str, **fields: Any) -> None:
        """Set core fields (and ``extra`` as a dict) of one contact."""
        allowed = {
            *_UPDATABLE,
            "email",
            "referred_by",
            "extra",
            "source",
            "closed_at",
            "closed_reason",
            "mention_referrer",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"not contact fields: {sorted(unknown)}")
        values = dict(fields)
        if "email" in values:
            email = values["email"]
            values["email_key"] = email.casefold() if email else None
        if "extra" in values:
            values["extra"] = json.dumps(values["extra"], ensure_ascii=False, sort_keys=True)
        values["updated_at"] = now
        assignments = ", ".join(f"{name} = ?" for name in values)
        try:
            self.conn.execute(
                f"UPDATE contacts SET {assignments} WHERE id = ?",  # noqa: S608
                (*values.values(), contact_id),
            )
        except sqlite3.IntegrityError:
            raise ContactError(
                f"Another contact already has the address {fields.get('email')}.",
                hint="Use `outreach contacts show EMAIL` to see it.",
            ) from None
