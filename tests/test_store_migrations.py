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
    from outreach.store.migrations import _m4_contact_aliases

    path = tmp_path / "before-aliases.db"
    conn = sqlite3.connect(path, isolation_level=None)
    before = MIGRATIONS[: MIGRATIONS.index(_m4_contact_aliases)]
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


def test_the_conversations_migration_links_old_invites_to_their_meetings(tmp_path: Path) -> None:
    """A workspace from before migration 3: its invites get their meeting, its messages their
    recipient, its local events their Message-ID, its bounces their address."""
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:2])
    conn.execute(
        "INSERT INTO contacts (id, email, email_key, name, created_at, updated_at) "
        "VALUES (1, 'Ada@Example.org', 'ada@example.org', 'Ada', 'x', 'x')"
    )
    conn.execute(
        "INSERT INTO meetings (id, contact_id, start, end, uid, created_at, updated_at) "
        "VALUES (7, 1, 's', 'e', 'u@x', 'x', 'x')"
    )
    for key, kind in (("outreach:1", "outreach"), ("confirm:7:0", "confirm"),
                      ("cancel:7:1", "cancel"), ("thankyou:7", "thankyou")):
        conn.execute(
            "INSERT INTO messages (contact_id, kind, template, idem_key, created_at, updated_at)"
            " VALUES (1, ?, ?, ?, 'x', 'x')",
            (kind, kind, key),
        )
    conn.execute(
        "INSERT INTO thread_events (gmail_id, thread_id, contact_id, kind, sender, occurred_at)"
        " VALUES ('local:<r1@y>', 't', 1, 'reply', 'Ada@Example.org', 'x'),"
        " ('g2', 't', 1, 'bounce', 'mailer-daemon@x', 'x')"
    )
    conn.close()
    store = Store.open(path)
    meetings = {r.kind: r.meeting_id for r in store.messages.for_contact(1)}
    assert meetings == {"outreach": None, "confirm": 7, "cancel": 7, "thankyou": 7}
    assert {r.recipient for r in store.messages.for_contact(1)} == {"ada@example.org"}
    events = {e.kind: (e.message_id, e.address) for e in store.events.for_contact(1)}
    assert events == {"reply": ("<r1@y>", "ada@example.org"), "bounce": ("", "ada@example.org")}
    assert store.meetings.by_id(7).rsvp is None
