"""The SQLite store: the only package that imports sqlite3."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from outreach.store import backup, db, trouble
from outreach.store.calendar import CalendarRepo
from outreach.store.changes import ChangeRepo
from outreach.store.contacts import ContactRepo, UpsertSummary
from outreach.store.db import BUSY_TIMEOUT_SECONDS, connect, transaction
from outreach.store.events import EventRepo, SyncRepo
from outreach.store.facts import closed_facts, contact_facts
from outreach.store.ledger import LedgerRepo
from outreach.store.maildir_seen import SeenFileRepo
from outreach.store.meeting_cc import MeetingCcRepo
from outreach.store.meetings import MeetingRepo, ProposalRepo
from outreach.store.messages import MessageRepo, MessageRow
from outreach.store.prior import PriorContactRepo
from outreach.store.promises import PromiseRepo
from outreach.store.queue import QueueRepo, WatchStateRepo
from outreach.track.model import ContactFacts

__all__ = ["ContactRepo", "MessageRepo", "MessageRow", "Store", "UpsertSummary"]


class Store:
    """The open database and its repositories."""

    def __init__(self, conn: sqlite3.Connection, backup_dir: Path | None = None) -> None:
        self.conn = conn
        self.backup_dir = backup_dir
        self._sound_at: tuple[int, ...] | None = None  # the files' stamps when last checked
        self.contacts = ContactRepo(conn)
        self.messages = MessageRepo(conn)
        self.events = EventRepo(conn)
        self.sync = SyncRepo(conn)
        self.proposals = ProposalRepo(conn)
        self.meetings = MeetingRepo(conn)
        self.seen_files = SeenFileRepo(conn)
        self.promises = PromiseRepo(conn)
        self.changes = ChangeRepo(conn)
        self.calendar = CalendarRepo(conn)
        self.queue = QueueRepo(conn)
        self.watch_state = WatchStateRepo(conn)
        self.meeting_cc = MeetingCcRepo(conn)
        self.ledger = LedgerRepo(conn)
        self.prior = PriorContactRepo(conn)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        backup_dir: Path | None = None,
        data_dirs: Iterable[Path] = (),
        for_reading: bool = False,
    ) -> Store:
        """Open the database; ``backup_dir`` gets a backup before any migration, and
        ``data_dirs`` (Maildirs) show whether a 0-byte file lost its history. With
        ``for_reading``, a database this user cannot write is opened read-only."""
        read_only = for_reading and trouble.not_writable(path) is not None
        conn = connect(path, backup_dir=backup_dir, data_dirs=data_dirs, read_only=read_only)
        return cls(conn, backup_dir)

    def daily_backup(self, today: date) -> Path | None:
        """Today's rolling backup, unless taken already (see :mod:`outreach.store.backup`)."""
        if self.backup_dir is None:
            return None
        try:
            return backup.daily_backup(self.conn, self.backup_dir, today)
        except (sqlite3.Error, OSError) as exc:
            named = trouble.explain(
                exc,
                db.database_path(self.conn),
                backup_dir=self.backup_dir,
                busy_seconds=BUSY_TIMEOUT_SECONDS,
            )
            if named is None:
                raise
            raise named from None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with transaction(self.conn):
            yield

    def facts(
        self,
        contact_id: int | None = None,
        *,
        open_only: bool = False,
        due_only: bool = False,
        quiet_after: str | None = None,
    ) -> dict[int, ContactFacts]:
        return contact_facts(
            self.conn, contact_id, open_only=open_only, due_only=due_only,
            quiet_after=quiet_after,
        )

    def stage_facts(self, *, outcomes: bool = True) -> dict[int, ContactFacts]:
        """Every contact's facts as far as its stage and (``outcomes``) the per-group figures
        go: for open contacts what ``stage_only`` reads, the few that matter for closed ones
        (``closed_facts``): fit for ``stage`` and `status`, not for due actions."""
        facts = contact_facts(self.conn, open_only=True, stage_only=True)
        facts.update(closed_facts(self.conn, outcomes=outcomes))
        return facts

    def ensure_sound(self) -> None:
        """Refuse to write to a damaged database: ``PRAGMA quick_check`` before the first write
        (37 ms for a year of use, measured in bench/bench_durability.py). A long-running
        command (watch) checks again only when the files changed since its last check."""
        path = db.database_path(self.conn)
        stamp = db.file_stamp(path)
        if stamp is not None and stamp == self._sound_at:
            return
        db.check_sound(self.conn, path, self.backup_dir)
        self._sound_at = db.file_stamp(path)

    def damage_warning(self) -> str | None:
        """For a reading command: None when the database is sound, else what is wrong and
        what to do (the command goes on and shows what it can). The check is skipped when the
        files are exactly as the last command that checked them left them (their size and
        modification times, kept in ``outreach.db-verified``)."""
        path = db.database_path(self.conn)
        stamp = db.file_stamp(path)
        if stamp is not None and stamp == db.read_verified(path):
            self._sound_at = stamp
            return None
        verdict = db.soundness(self.conn, path, self.backup_dir)
        if verdict is None:
            self._sound_at = db.file_stamp(path)
            return None
        backups = self.backup_dir or path.parent / "backups"
        return (
            f"The database {path} is damaged (SQLite: {verdict}); what follows may be "
            f"incomplete. {trouble.restore_hint(backups)}"
        )

    def wrote(self) -> None:
        """This process's own writes are not damage: remember the files as they are now."""
        if self._sound_at is not None:
            self._sound_at = db.file_stamp(db.database_path(self.conn))

    def data_version(self) -> int:
        """Changes whenever another connection commits to the database (not for our own)."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def integrity_ok(self) -> bool:
        return not self.integrity_problems()

    def summary_drift(self) -> list[int]:
        """Contacts whose kept summary (``contact_summary``) differs from their history."""
        from outreach.store.summary import summary_drift

        return summary_drift(self.conn)

    def rebuild_summary(self) -> None:
        """Every contact's kept summary computed afresh from their history."""
        from outreach.store.summary import rebuild_summary

        with self.transaction():
            rebuild_summary(self.conn)

    def integrity_problems(self, limit: int = 10) -> list[str]:
        """What ``PRAGMA integrity_check`` finds (empty when the file is sound)."""
        rows = self.conn.execute(f"PRAGMA integrity_check({int(limit):d})").fetchall()
        found = [str(row[0]) for row in rows]
        return [] if found == ["ok"] else found

    def close(self) -> None:
        """Close; a database found sound when opened is noted as verified as it is left (after
        SQLite's closing checkpoint), so the next reading command need not check it again."""
        path = db.database_path(self.conn)
        self.conn.close()
        if self._sound_at is not None:
            db.write_verified(path)
