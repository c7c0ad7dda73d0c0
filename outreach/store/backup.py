"""Rolling backups of the database, made with SQLite's online backup API.

- Once a day of use (the first command of the day that may write):
  ``backups/outreach-YYYY-MM-DD.db``; the newest :data:`DAILY_KEEP` are kept.
- Before each migration: ``backups/outreach-before-vN-YYYYMMDDTHHMMSS.db``; the newest
  :data:`MIGRATION_KEEP` are kept.

A backup is a plain single-file database (rollback journal, not WAL), written under a temporary
name and renamed into place with mode 0600, so a crash never leaves half a backup under a real
name. A daily backup is taken only from a database that passes ``PRAGMA quick_check``: a damaged
file never pushes the good backups out. Nor does an emptied or rolled-back one: rotation removes
an old backup only when a newer one kept holds at least as much history (contacts, messages and
the last send; see :class:`Holding`), unless the user asks (``outreach restore --prune``).
``outreach restore`` puts one back.
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

DAILY_KEEP = 7
MIGRATION_KEEP = 3
_DAILY_RE = re.compile(r"^outreach-(\d{4}-\d{2}-\d{2})\.db$")
_MIGRATION_RE = re.compile(r"^outreach-before-v(\d+)-(\d{8}T\d{6})(?:-\d+)?\.db$")


class BackupRefused(sqlite3.DatabaseError):
    """The database failed its quick check: no backup was taken from it."""


@dataclass(frozen=True)
class Backup:
    path: Path
    kind: str  # "daily" or "migration"
    taken_at: datetime  # when the file was written (its modification time)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def _kind(name: str) -> str | None:
    if _DAILY_RE.match(name):
        return "daily"
    if _MIGRATION_RE.match(name):
        return "migration"
    return None


def list_backups(folder: Path) -> list[Backup]:
    """Every backup in ``folder``, newest first."""
    found: list[Backup] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        kind = _kind(entry.name)
        if kind is None or not entry.is_file(follow_symlinks=False):
            continue
        mtime = datetime.fromtimestamp(entry.stat().st_mtime).astimezone()
        found.append(Backup(Path(entry.path), kind, mtime))
    found.sort(key=lambda b: (b.taken_at, b.name), reverse=True)
    return found


def newest_backup(folder: Path) -> Backup | None:
    backups = list_backups(folder)
    return backups[0] if backups else None


def write_backup(conn: sqlite3.Connection, target: Path) -> Path:
    """Copy the open database ``conn`` to ``target`` (atomically, mode 0600)."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    try:
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            conn.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
        os.chmod(partial, 0o600)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


@dataclass(frozen=True)
class Holding:
    """What a database holds, to compare the history of two copies."""

    contacts: int
    messages: int
    last_send: str | None  # ISO 8601, as stored

    def covers(self, other: Holding) -> bool:
        """Whether this copy holds at least as much history as ``other``."""
        return (
            self.contacts >= other.contacts
            and self.messages >= other.messages
            and (self.last_send or "") >= (other.last_send or "")
        )


def holding_of(conn: sqlite3.Connection) -> Holding:
    contacts = conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0]
    messages, last_send = conn.execute("SELECT COUNT(*), MAX(sent_at) FROM messages").fetchone()
    return Holding(int(contacts), int(messages), None if last_send is None else str(last_send))


def holding(path: Path) -> Holding | None:
    """What the backup at ``path`` holds; None when it cannot be read (damaged, not ours)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return holding_of(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def _prune(folder: Path, kind: str, keep: int, *, keep_history: bool = True) -> list[Path]:
    """Remove the backups of ``kind`` beyond the newest ``keep``; an old one holding history
    that no kept backup covers stays (``keep_history``). Returns what was removed."""
    found = [b for b in list_backups(folder) if b.kind == kind]
    kept = [holding(b.path) for b in found[:keep]] if keep_history else []
    removed: list[Path] = []
    for old in found[keep:]:
        held = holding(old.path) if keep_history else None
        if held is not None and not any(k is not None and k.covers(held) for k in kept):
            kept.append(held)  # the richest copy of a lost history: never rotated out
            continue
        old.path.unlink(missing_ok=True)
        removed.append(old.path)
    return removed


def prune(folder: Path) -> list[Path]:
    """Rotate every kind of backup down to its count, history or not (the user asked)."""
    return [
        *_prune(folder, "daily", DAILY_KEEP, keep_history=False),
        *_prune(folder, "migration", MIGRATION_KEEP, keep_history=False),
    ]


def quick_check(conn: sqlite3.Connection) -> str:
    """``ok``, or SQLite's first complaint about the file."""
    rows = conn.execute("PRAGMA quick_check(1)").fetchall()
    return str(rows[0][0]) if rows else "ok"


def daily_backup(conn: sqlite3.Connection, folder: Path, today: date) -> Path | None:
    """Take today's backup unless there is one; returns it, or None when already taken."""
    target = folder / f"outreach-{today.isoformat()}.db"
    if target.exists():
        return None
    verdict = quick_check(conn)
    if verdict != "ok":
        raise BackupRefused(f"database disk image is malformed ({verdict})")
    write_backup(conn, target)
    _prune(folder, "daily", DAILY_KEEP)
    return target


def migration_backup(conn: sqlite3.Connection, folder: Path, version: int, now: datetime) -> Path:
    """Back up before migrating to schema ``version``."""
    stamp = now.strftime("%Y%m%dT%H%M%S")
    target = folder / f"outreach-before-v{version}-{stamp}.db"
    number = 1
    while target.exists():
        number += 1
        target = folder / f"outreach-before-v{version}-{stamp}-{number}.db"
    write_backup(conn, target)
    _prune(folder, "migration", MIGRATION_KEEP)
    return target


def verify(path: Path) -> str:
    """``ok`` when the backup file opens and passes ``PRAGMA integrity_check``."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA integrity_check(1)").fetchall()
            conn.execute("SELECT COUNT(*) FROM contacts").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return str(exc)
    return str(rows[0][0]) if rows else "ok"


def restore(backup: Path, db: Path, stamp: str) -> list[Path]:
    """Put ``backup`` in place of ``db``; the current files move aside (``.damaged-STAMP``).

    Returns where the old files went. The WAL files go too: a stale WAL applied to the
    restored file would damage it again.
    """
    moved: list[Path] = []
    for suffix in ("", "-wal", "-shm"):
        current = Path(f"{db}{suffix}")
        if current.exists():
            aside = Path(f"{db}.damaged-{stamp}{suffix}")
            os.replace(current, aside)
            moved.append(aside)
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        write_backup(source, db)
    finally:
        source.close()
    return moved
