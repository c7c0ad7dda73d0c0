"""Changes to a contact's job seen on a re-import: organisation and title, old and new."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class JobChangeRow:
    id: int
    contact_id: int
    old_org: str
    new_org: str
    old_title: str
    new_title: str
    source: str
    changed_at: str

    @property
    def old_role(self) -> str:
        return role_text(self.old_title, self.old_org)

    @property
    def new_role(self) -> str:
        return role_text(self.new_title, self.new_org)


def role_text(title: str, org: str) -> str:
    """ "Data Scientist at Acme", "Data Scientist", "Acme", or "" """
    if title and org:
        return f"{title} at {org}"
    return title or org


class ChangeRepo:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def record(
        self,
        contact_id: int,
        *,
        old_org: str,
        new_org: str,
        old_title: str,
        new_title: str,
        source: str,
        now: str,
    ) -> None:
        self.conn.execute(
            """INSERT INTO contact_changes (contact_id, old_org, new_org, old_title, new_title,
                   source, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (contact_id, old_org, new_org, old_title, new_title, source, now),
        )

    def for_contact(self, contact_id: int) -> list[JobChangeRow]:
        rows = self.conn.execute(
            "SELECT * FROM contact_changes WHERE contact_id = ? ORDER BY id", (contact_id,)
        )
        return [JobChangeRow(**dict(row)) for row in rows]

    def latest(self, contact_id: int) -> JobChangeRow | None:
        row = self.conn.execute(
            "SELECT * FROM contact_changes WHERE contact_id = ? ORDER BY id DESC LIMIT 1",
            (contact_id,),
        ).fetchone()
        return None if row is None else JobChangeRow(**dict(row))
