"""The SQLite store: the only package that imports sqlite3."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from outreach.store.calendar import CalendarRepo
from outreach.store.changes import ChangeRepo
from outreach.store.contacts import ContactRepo, UpsertSummary
from outreach.store.db import connect, transaction
from outreach.store.events import EventRepo, SyncRepo
from outreach.store.facts import contact_facts
from outreach.store.meetings import MeetingRepo, ProposalRepo
from outreach.store.messages import MessageRepo, MessageRow
from outreach.store.promises import PromiseRepo
from outreach.track.model import ContactFacts

__all__ = ["ContactRepo", "MessageRepo", "MessageRow", "Store", "UpsertSummary"]


class Store:
    """The open database and its repositories."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.contacts = ContactRepo(conn)
        self.messages = MessageRepo(conn)
        self.events = EventRepo(conn)
        self.sync = SyncRepo(conn)
        self.proposals = ProposalRepo(conn)
        self.meetings = MeetingRepo(conn)
        self.promises = PromiseRepo(conn)
        self.changes = ChangeRepo(conn)
        self.calendar = CalendarRepo(conn)

    @classmethod
    def open(cls, path: Path) -> Store:
        return cls(connect(path))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with transaction(self.conn):
            yield

    def facts(self, contact_id: int | None = None) -> dict[int, ContactFacts]:
        return contact_facts(self.conn, contact_id)

    def integrity_ok(self) -> bool:
        return bool(self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok")

    def close(self) -> None:
        self.conn.close()
