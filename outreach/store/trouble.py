"""Naming database trouble truthfully: what happened, and what to do about it.

SQLite reports a damaged file, a full disk, a read-only folder and a lock held by another
program with distinct result codes; each becomes its own error (exit 1) with a message that
says what happened and a hint that says what to do. Facts are checked rather than guessed
from the message alone: whether the folder and the file are writable by this user, and how
much space is left on the disk.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

from outreach.errors import OutreachError
from outreach.store.backup import newest_backup


class DatabaseTrouble(OutreachError):
    """The database, or the disk or folder under it, failed."""


class DatabaseDamaged(DatabaseTrouble):
    """SQLite found a damaged page or a file that is not a database."""


class DatabaseEmptied(DatabaseTrouble):
    """outreach.db is 0 bytes although the workspace has history: truncated, not new."""


class DiskFull(DatabaseTrouble):
    """The disk (or the user's quota) is full."""


class WorkspaceReadOnly(DatabaseTrouble):
    """The workspace folder or its database cannot be written by this user."""


class DatabaseLocked(DatabaseTrouble):
    """Another program (not an outreach command) held the database past the busy timeout."""


_DAMAGED = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
_FULL = {"SQLITE_FULL"}
_READ_ONLY = {"SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH"}
_BUSY = {"SQLITE_BUSY", "SQLITE_LOCKED"}
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
LOW_SPACE_BYTES = 4 * 1024 * 1024


def _code(exc: sqlite3.Error) -> str:
    """The primary result code: SQLITE_IOERR for SQLITE_IOERR_WRITE, and so on."""
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    return "_".join(name.split("_")[:2])


def _size(count: int) -> str:
    value = float(count)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} bytes"  # pragma: no cover


def free_space(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def not_writable(db: Path) -> Path | None:
    """The first of the workspace folder, the database and its WAL files this user cannot
    write, or None."""
    root = db.parent
    if root.exists() and not os.access(root, os.W_OK | os.X_OK):
        return root
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        if path.exists() and not os.access(path, os.W_OK):
            return path
    return None


def restore_hint(backup_dir: Path) -> str:
    newest = newest_backup(backup_dir)
    if newest is None:
        return (
            "No automatic backup exists yet. Put back outreach.db from your own backup; "
            "`sqlite3 outreach.db .recover | sqlite3 recovered.db` may save most of a damaged "
            "file."
        )
    return (
        f"Run `outreach restore` to put back the newest automatic backup ({newest.name}); "
        "the damaged file is kept beside it. `outreach restore --list` shows every backup."
    )


def damaged(
    db: Path, detail: str, backup_dir: Path, *, before_writing: bool = False
) -> DatabaseDamaged:
    stopped = (
        "It was found by the check every writing command makes first: nothing was written."
        if before_writing
        else "The command stopped at the first damaged read; it wrote nothing after that."
    )
    return DatabaseDamaged(
        f"The database {db} is damaged (SQLite: {detail}). {stopped}",
        hint=restore_hint(backup_dir),
    )


def disk_full(db: Path) -> DiskFull:
    free = free_space(db.parent)
    now = "" if free is None else f" ({_size(free)} free now)"
    return DiskFull(
        f"The disk holding {db.parent} is full{now}: the change in progress was not saved "
        "(SQLite rolled it back); everything saved before it is intact.",
        hint="Free some space on that disk (or raise your quota), then run the same command "
        "again: it carries on from what was saved.",
    )


def read_only(db: Path, path: Path | None, detail: str) -> WorkspaceReadOnly:
    what = "the workspace folder" if path == db.parent else str(path or db)
    target = path or db
    return WorkspaceReadOnly(
        f"Cannot write to the workspace {db.parent}: {what} is read-only for this user "
        f"({detail}). Nothing was changed.",
        hint=f"Give yourself write permission (e.g. `chmod u+w {target}`; the folder, "
        "outreach.db and its -wal and -shm files all need it), or remount the disk "
        "read-write, then run the command again.",
    )


def locked(db: Path, seconds: float) -> DatabaseLocked:
    return DatabaseLocked(
        f"The database {db} stayed locked by another program for more than {seconds:g} s. "
        "outreach commands wait their turn for each other, so something else holds it open: "
        "a database browser, a backup or file-sync tool, or a `sqlite3` shell inside a "
        "transaction. The change this command was waiting to make was not saved.",
        hint="Close that program (or end its transaction), then run the same command again.",
    )


def explain(
    exc: BaseException, db: Path, *, backup_dir: Path | None = None, busy_seconds: float = 30.0
) -> DatabaseTrouble | None:
    """The named error for ``exc`` if it is database or workspace trouble, else None."""
    backups = backup_dir or db.parent / "backups"
    if isinstance(exc, DatabaseTrouble):
        return exc
    if isinstance(exc, sqlite3.Error):
        code = _code(exc)
        detail = str(exc)
        if code in _DAMAGED or "malformed" in detail or "not a database" in detail:
            return damaged(db, detail, backups)
        if code in _FULL or "disk is full" in detail:
            return disk_full(db)
        if code in _BUSY or "database is locked" in detail:
            return locked(db, busy_seconds)
        blocked = not_writable(db)
        if code in _READ_ONLY or "readonly" in detail or blocked is not None:
            return read_only(db, blocked, detail)
        if code == "SQLITE_IOERR" or "disk I/O error" in detail:
            free = free_space(db.parent)
            if free is not None and free < LOW_SPACE_BYTES:
                return disk_full(db)
            return DatabaseTrouble(
                f"Reading or writing the database {db} failed at the disk (SQLite: {detail}). "
                "The change in progress was not saved.",
                hint="Check the disk (a failing drive, a network folder that went away), then "
                "run `outreach doctor`; if it reports damage, "
                + restore_hint(backups)[0].lower()
                + restore_hint(backups)[1:],
            )
        return None
    if isinstance(exc, OSError) and exc.errno is not None:
        where = Path(exc.filename) if isinstance(exc.filename, str) else None
        inside = where is None or db.parent in (where, *where.parents)
        if exc.errno in _FULL_ERRNOS and inside:
            return disk_full(db)
        if exc.errno in _READ_ONLY_ERRNOS and where is not None and inside:
            return read_only(db, where, exc.strerror or str(exc))
    return None
