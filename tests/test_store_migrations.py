"""Schema changes are numbered migrations, each in one transaction; old databases upgrade."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from outreach.contacts.model import ContactRecord
from outreach.errors import WorkspaceError
from outreach.store import Store
from outreach.store.db import MIGRATIONS, connect, migrate, schema_version


def test_a_new_database_gets_every_migration(tmp_path: Path) -> None:
    conn = connect(tmp_path / "new.db")
    assert schema_version(conn) == len(MIGRATIONS)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {
        "contacts",
        "tags",
        "messages",
        "thread_events",
        "proposals",
        "meetings",
        "sync_state",
    } <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_old_database_upgrades_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:1])
    conn.execute(
        "INSERT INTO contacts (email, email_key, name, created_at, updated_at) "
        "VALUES ('ada@example.org', 'ada@example.org', 'Ada', 'x', 'x')"
    )

    def add_column(c: sqlite3.Connection) -> None:
        c.execute("ALTER TABLE contacts ADD COLUMN pronouns TEXT NOT NULL DEFAULT ''")

    assert migrate(conn, [*MIGRATIONS[:1], add_column]) == 2
    row = conn.execute("SELECT name, pronouns FROM contacts").fetchone()
    assert tuple(row) == ("Ada", "")


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "db.db", isolation_level=None)
    migrate(conn, MIGRATIONS[:1])

    def half_done(c: sqlite3.Connection) -> None:
        c.execute("CREATE TABLE half (x INTEGER)")
        raise sqlite3.OperationalError("power cut")

    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, [*MIGRATIONS[:1], half_done])
    assert schema_version(conn) == 1
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "half" not in tables


def test_a_database_from_a_newer_outreach_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.close()
    with pytest.raises(WorkspaceError) as caught:
        connect(path)
    assert "upgrade outreach" in str(caught.value)


def test_the_contact_aliases_migration_upgrades_a_database_with_contacts(tmp_path: Path) -> None:
    from outreach.store.db import _m5_contact_aliases

    path = tmp_path / "before-aliases.db"
    conn = sqlite3.connect(path, isolation_level=None)
    before = MIGRATIONS[: MIGRATIONS.index(_m5_contact_aliases)]
    migrate(conn, before)
    conn.execute(
        "INSERT INTO contacts (email, email_key, name, created_at, updated_at) "
        "VALUES ('ada@example.org', 'ada@example.org', 'Ada', 'x', 'x')"
    )
    conn.close()
    store = Store.open(path)
    assert schema_version(store.conn) == len(MIGRATIONS)
    ada = store.contacts.get("ada@example.org")
    with store.transaction():
        other = store.contacts.add_unaddressed(
            ContactRecord(name="Ada L.", source="linkedin"), "y", key="linkedin:ada l."
        )
        store.contacts.merge(ada.id, other)
    rows = store.conn.execute("SELECT alias, contact_id FROM contact_aliases").fetchall()
    assert [tuple(row) for row in rows] == [("import_key:linkedin:ada l.", ada.id)]
