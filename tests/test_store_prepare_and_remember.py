"""Migration 8 (promises, job changes, resources, the prepared brief, referral permission):
an existing database upgrades in place and keeps its data; a new one has it all."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from outreach.store import Store
from outreach.store.db import migrate, schema_version
from outreach.store.migrations import MIGRATIONS, _m6_prepare_and_remember

STAMP = "2026-03-01T00:00:00+00:00"


def test_a_database_from_before_upgrades_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    before = MIGRATIONS.index(_m6_prepare_and_remember)
    migrate(conn, MIGRATIONS[:before])
    conn.execute(
        "INSERT INTO contacts (email, email_key, name, referred_by, created_at, updated_at) "
        "VALUES ('ada@example.org', 'ada@example.org', 'Ada', NULL, ?, ?)",
        (STAMP, STAMP),
    )
    conn.execute(
        "INSERT INTO meetings (contact_id, start, end, uid, state, notes, created_at, updated_at)"
        " VALUES (1, '2026-03-10T14:00:00+00:00', '2026-03-10T14:20:00+00:00', 'u1', 'held',"
        " 'portfolios', ?, ?)",
        (STAMP, STAMP),
    )
    conn.close()

    store = Store.open(path)
    assert schema_version(store.conn) == len(MIGRATIONS)
    ada = store.contacts.get("ada@example.org")
    assert ada.mention_referrer is None  # never asked: treated as "may name", as before
    [meeting] = store.meetings.for_contact(ada.id)
    assert (meeting.notes, meeting.resources, meeting.prepared_at) == ("portfolios", "", None)
    with store.transaction():
        stamp = "2026-03-10T14:30:00+00:00"
        [promise] = store.promises.add(ada.id, meeting.id, ["send my résumé"], stamp)
        assert store.promises.add(ada.id, meeting.id, ["Send my  résumé."], stamp) == []
        store.changes.record(ada.id, old_org="A", new_org="B", old_title="", new_title="",
                             source="may.csv", now="2026-05-04T13:00:00+00:00")
    assert store.promises.open_by_contact() == {ada.id: [(promise.id, "send my résumé", stamp)]}
    latest = store.changes.latest(ada.id)
    assert latest is not None and latest.new_role == "B"
    facts = store.facts(ada.id)[ada.id]
    assert [p.text for p in facts.open_promises] == ["send my résumé"]
    assert facts.job_change == "A -> B"
