"""Opening the SQLite database: file mode 0600, WAL, numbered migrations in transactions.

Trouble (a damaged file, a full disk, a read-only folder, a lock held by another program, a
database emptied to 0 bytes) becomes a named error from :mod:`outreach.store.trouble`; a backup
is taken before any migration (see :mod:`outreach.store.backup`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from outreach import clock
from outreach.errors import WorkspaceError
from outreach.store import trouble
from outreach.store.backup import list_backups, migration_backup, quick_check
from outreach.store.migrations import MIGRATIONS, Migration, run_script

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "MIGRATIONS",
    "Migration",
    "connect",
    "migrate",
    "run_script",
    "schema_version",
    "transaction",
]

# How long a statement waits for a lock held by another connection before it fails. outreach
# commands do not make each other wait here (writers take the workspace lock first), so only
# another program can hold it this long.
BUSY_TIMEOUT_SECONDS = 30.0

def _create_private_file(path: Path) -> None:
    """Create the database file with mode 0600 before SQLite opens it."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class NewerSchema(sqlite3.DatabaseError):
    """The database was written by a newer outreach."""


def _messages_in(folders: Iterable[Path]) -> int:
    count = 0
    for folder in folders:
        try:
            count += sum(1 for entry in os.scandir(folder) if not entry.name.startswith("."))
        except OSError:
            continue
    return count


def _refuse_emptied(path: Path, backup_dir: Path | None, data_dirs: Iterable[Path]) -> None:
    """A missing or 0-byte database in a workspace with history was lost or truncated: never
    start it afresh (`outreach init` does that, on purpose)."""
    try:
        missing = not path.exists()
        if not missing and path.stat().st_size != 0:
            return
        wal = Path(f"{path}-wal")
        wal_bytes = wal.stat().st_size if wal.exists() else 0
    except OSError:
        return
    held = _messages_in(data_dirs)
    backups = list_backups(backup_dir) if backup_dir is not None else []
    if not held and not backups and not wal_bytes:
        return  # a workspace whose first open was interrupted: nothing to lose
    evidence = []
    if wal_bytes:
        # SQLite does not rebuild a 0-byte file from its WAL: it deletes the WAL and starts an
        # empty database. The WAL holds recent changes only, so it is evidence, not a copy.
        evidence.append(f"a {wal_bytes}-byte write-ahead log {wal.name}, left untouched")
    if held:
        evidence.append(f"{held} message file{'s' if held != 1 else ''} in outbox/ and sent/")
    if backups:
        evidence.append(f"{len(backups)} automatic backup{'s' if len(backups) != 1 else ''}")
    if missing:
        raise trouble.DatabaseEmptied(
            f"The database {path} is missing, but the workspace has history "
            f"({' and '.join(evidence)}): it was moved or deleted. No new one was made.",
            hint=trouble.restore_hint(backup_dir or path.parent / "backups")
            + " To start again with an empty database on purpose, run `outreach init`.",
        )
    raise trouble.DatabaseEmptied(
        f"The database {path} is empty (0 bytes), but the workspace has history "
        f"({' and '.join(evidence)}): the file was truncated (by a crash, a full disk or a "
        "file-sync tool). It was left as it is; nothing was written to it.",
        hint=trouble.restore_hint(backup_dir or path.parent / "backups"),
    )


def _named(exc: BaseException, path: Path, backup_dir: Path | None) -> BaseException:
    return trouble.explain(
        exc, path, backup_dir=backup_dir, busy_seconds=BUSY_TIMEOUT_SECONDS
    ) or WorkspaceError(
        f"{path} is not a usable outreach database: {exc}.",
        hint="Run `outreach doctor`; if the file is damaged, " + trouble.restore_hint(
            backup_dir or path.parent / "backups"
        ),
    )


def connect_read_only(path: Path) -> sqlite3.Connection:
    """Open a database this user cannot write (file modes, a read-only mount) for reading.

    ``mode=ro`` reads the WAL too, but needs to create the ``-shm`` file when it is missing;
    where even that is impossible the file is opened ``immutable`` (SQLite then takes no locks
    and reads no WAL: right for a read-only disk, which no one is writing)."""
    uri = path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS)
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True)
    conn.isolation_level = None
    conn.row_factory = sqlite3.Row
    version = schema_version(conn)
    if version != len(MIGRATIONS):
        conn.close()
        raise trouble.read_only(
            path,
            trouble.not_writable(path),
            f"its schema is version {version} and this outreach needs {len(MIGRATIONS)}, "
            "which means writing to it",
        )
    return conn


def connect(
    path: Path,
    *,
    backup_dir: Path | None = None,
    data_dirs: Iterable[Path] = (),
    read_only: bool = False,
) -> sqlite3.Connection:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date.

    ``backup_dir`` receives a backup before any migration; ``data_dirs`` are folders whose
    messages show that a 0-byte database has lost its history (see :func:`_refuse_emptied`).
    ``read_only`` (a reading command in a workspace this user cannot write) opens it for
    reading only, with no migration (see :func:`connect_read_only`).
    """
    if read_only and path.exists():
        _refuse_emptied(path, backup_dir, data_dirs)
        try:
            return connect_read_only(path)
        except trouble.DatabaseTrouble:
            raise
        except sqlite3.Error as exc:
            raise _named(exc, path, backup_dir) from None
    try:
        _refuse_emptied(path, backup_dir, data_dirs)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _create_private_file(path)
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS)
    except trouble.DatabaseTrouble:
        raise
    except (OSError, sqlite3.Error) as exc:
        named = trouble.explain(exc, path, backup_dir=backup_dir)
        if named is not None:
            raise named from None
        raise WorkspaceError(
            f"Cannot open the database {path}: {exc}.",
            hint="Check the workspace folder's permissions, or run `outreach init`.",
        ) from None
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        migrate(conn, backup_dir=backup_dir)
    except NewerSchema as exc:
        conn.close()
        raise WorkspaceError(f"{path}: {exc}.", hint="Install a newer outreach.") from None
    except (sqlite3.Error, OSError) as exc:
        conn.close()
        raise _named(exc, path, backup_dir) from None
    return conn


def file_stamp(path: Path) -> tuple[int, ...] | None:
    """Size and modification time of the database and its WAL: unchanged stamps mean no other
    program wrote to them."""
    stamp: list[int] = []
    for suffix in ("", "-wal"):
        try:
            info = os.stat(f"{path}{suffix}")
        except FileNotFoundError:
            stamp += [-1, -1]
            continue
        except OSError:
            return None
        if suffix and info.st_size == 0:
            # An empty WAL holds nothing: every connection that opens the database creates
            # one (a new modification time), and the last to close removes it; as absent, a
            # reading command finds the files as the last check left them and skips the
            # check (a quick_check reads every page: 0.3-0.5 s at 50,000 contacts).
            stamp += [-1, -1]
            continue
        stamp += [info.st_size, info.st_mtime_ns]
    return tuple(stamp)


def _verified_file(path: Path) -> Path:
    return Path(f"{path}-verified")


def read_verified(path: Path) -> tuple[int, ...] | None:
    """The stamp of the database files the last check found sound (see :func:`file_stamp`)."""
    try:
        text = _verified_file(path).read_text(encoding="ascii")
        return tuple(int(part) for part in text.split())
    except (OSError, ValueError):
        return None


def write_verified(path: Path) -> None:
    """Note the files as they are now as checked and sound; nothing when it cannot be written
    (a read-only workspace checks every time instead)."""
    stamp = file_stamp(path)
    if stamp is None:
        return
    target = _verified_file(path)
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(" ".join(str(part) for part in stamp))
        os.replace(partial, target)
    except OSError:
        partial.unlink(missing_ok=True)


def soundness(conn: sqlite3.Connection, path: Path, backup_dir: Path | None) -> str | None:
    """None when ``PRAGMA quick_check`` passes, else SQLite's complaint. It reads every page
    of every table and index and checks its structure (not index contents against the tables,
    the slow half of ``integrity_check``). Trouble other than damage is raised, named."""
    try:
        verdict = quick_check(conn)
    except sqlite3.Error as exc:
        named = trouble.explain(exc, path, backup_dir=backup_dir)
        if isinstance(named, trouble.DatabaseDamaged):
            return str(exc)
        raise named or exc from None
    return None if verdict == "ok" else verdict


def check_sound(conn: sqlite3.Connection, path: Path, backup_dir: Path | None) -> None:
    """Raise :class:`~outreach.store.trouble.DatabaseDamaged` unless the database is sound."""
    verdict = soundness(conn, path, backup_dir)
    if verdict is not None:
        backups = backup_dir or path.parent / "backups"
        raise trouble.damaged(path, verdict, backups, before_writing=True)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(
    conn: sqlite3.Connection,
    migrations: list[Migration] | None = None,
    *,
    backup_dir: Path | None = None,
) -> int:
    """Apply pending migrations, each in its own transaction; return the new version.

    An existing database is backed up first. Each step re-reads the version inside its
    transaction, so two processes opening an old database at once migrate it once.
    """
    steps = MIGRATIONS if migrations is None else migrations
    version = schema_version(conn)
    if version > len(steps):
        raise NewerSchema(
            f"database schema {version} is newer than this outreach knows ({len(steps)}); "
            "upgrade outreach"
        )
    if 0 < version < len(steps) and backup_dir is not None:
        migration_backup(conn, backup_dir, len(steps), clock.now())
    for number, step in enumerate(steps[version:], start=version + 1):
        with transaction(conn):
            if schema_version(conn) >= number:
                continue  # another process applied it while we waited for the lock
            step(conn)
            conn.execute(f"PRAGMA user_version = {number:d}")
    return schema_version(conn)


def database_path(conn: sqlite3.Connection) -> Path:
    """The file behind ``conn`` (for naming trouble; a bare name when even that fails)."""
    try:
        row = conn.execute("PRAGMA database_list").fetchone()
    except sqlite3.Error:
        return Path("outreach.db")
    return Path(str(row[2]))


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception. Nested use joins the outer one.

    Database trouble (locked past the busy timeout, disk full, read-only, damaged) leaves as a
    named :class:`~outreach.store.trouble.DatabaseTrouble`; other errors as they are.
    """
    if conn.in_transaction:
        yield conn
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (disk full)
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")
    except sqlite3.Error as exc:
        named = trouble.explain(exc, database_path(conn), busy_seconds=BUSY_TIMEOUT_SECONDS)
        if named is None:
            raise
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise named from None
