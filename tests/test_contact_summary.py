"""The summary kept per contact (``contact_summary``, issue 16) always equals the one computed
from the contact's messages, events and meetings: after the migration's backfill and after
every kind of write to those tables (the triggers keep it; nothing else writes it)."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from outreach.store import Store
from outreach.store.summary import kept_summary, rebuild_summary, summary_drift

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import bench_cli

NOW = "2026-11-20T10:00:00+00:00"


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("year")
    sizes = bench_cli.CONTACTS, bench_cli.EVENTS
    bench_cli.CONTACTS, bench_cli.EVENTS = 200, 1000
    try:
        bench_cli.build_workspace(root)
    finally:
        bench_cli.CONTACTS, bench_cli.EVENTS = sizes
    return root


@pytest.fixture
def store(year: Path, tmp_path: Path) -> Iterator[Store]:
    copy = tmp_path / "outreach.db"
    source = sqlite3.connect(year / "outreach.db")
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    opened = Store.open(copy)
    yield opened
    opened.close()


def _ids(conn: sqlite3.Connection, sql: str) -> list[int]:
    return [row[0] for row in conn.execute(sql)]


def _message(conn: sqlite3.Connection, contact: int, kind: str, state: str, **more: object) -> int:
    fields = {"contact_id": contact, "kind": kind, "template": kind, "state": state,
              "idem_key": f"{kind}-{contact}-{state}-{len(more)}-{NOW}-{more}",
              "created_at": NOW, "updated_at": NOW, **more}
    names = ", ".join(fields)
    marks = ", ".join("?" * len(fields))
    sql = f"INSERT INTO messages ({names}) VALUES ({marks})"  # noqa: S608
    cursor = conn.execute(sql, list(fields.values()))
    return int(cursor.lastrowid or 0)


def _event(conn: sqlite3.Connection, contact: int | None, kind: str, **more: object) -> int:
    fields = {"gmail_id": f"g-{kind}-{contact}-{more}", "thread_id": f"t{contact}",
              "contact_id": contact, "kind": kind, "occurred_at": NOW, **more}
    names = ", ".join(fields)
    marks = ", ".join("?" * len(fields))
    sql = f"INSERT INTO thread_events ({names}) VALUES ({marks})"  # noqa: S608
    cursor = conn.execute(sql, list(fields.values()))
    return int(cursor.lastrowid or 0)


def test_the_backfill_is_the_summary_computed_from_scratch(store: Store) -> None:
    assert len(kept_summary(store.conn)) == store.contacts.count() == 200
    assert summary_drift(store.conn) == []
    store.conn.execute("DELETE FROM contact_summary")
    assert summary_drift(store.conn)  # (the check can fail)
    rebuild_summary(store.conn)
    assert summary_drift(store.conn) == []


def _messages(conn: sqlite3.Connection) -> None:
    a, b, c = _ids(conn, "SELECT id FROM contacts ORDER BY id LIMIT 3")
    row = _message(conn, a, "followup", "drafted")
    conn.execute("UPDATE messages SET state = 'sent', sent_at = ? WHERE id = ?", (NOW, row))
    _message(conn, b, "thankyou", "drafted")
    conn.execute("UPDATE messages SET state = 'discarded' WHERE contact_id = ? AND kind = "
                 "'thankyou'", (b,))
    conn.execute("UPDATE messages SET contact_id = ? WHERE contact_id = ?", (c, a))
    conn.execute("DELETE FROM messages WHERE contact_id = ? AND kind = 'outreach'", (c,))


def _events(conn: sqlite3.Connection) -> None:
    a, b = _ids(conn, "SELECT id FROM contacts WHERE closed_at IS NULL ORDER BY id LIMIT 2")
    _event(conn, a, "reply")
    _event(conn, a, "bounce", address="someone@else.example")
    bounce = _event(conn, b, "bounce")
    conn.execute("UPDATE thread_events SET occurred_at = '2027-01-01T00:00:00+00:00' "
                 "WHERE id = ?", (bounce,))
    conn.execute("UPDATE thread_events SET contact_id = ? WHERE contact_id = ? AND kind = "
                 "'reply'", (b, a))
    conn.execute("DELETE FROM thread_events WHERE id = ?", (bounce,))
    _event(conn, None, "reply")


def _readdress(conn: sqlite3.Connection) -> None:
    (a,) = _ids(conn, "SELECT id FROM contacts ORDER BY id LIMIT 1")
    _event(conn, a, "bounce", address="new@example.org")
    conn.execute("UPDATE contacts SET email = 'new@example.org', email_key = 'new@example.org' "
                 "WHERE id = ?", (a,))


def _congratulate(conn: sqlite3.Connection) -> None:
    a, b = _ids(conn, "SELECT id FROM contacts ORDER BY id LIMIT 2")
    _event(conn, a, "own_send", message_id="<c@x>")
    _event(conn, b, "own_send", message_id="<c@x>")
    row = _message(conn, a, "congratulate", "sent", sent_at=NOW, message_id="<c@x>")
    conn.execute("UPDATE messages SET message_id = '<d@x>' WHERE id = ?", (row,))
    conn.execute("UPDATE messages SET message_id = '<c@x>' WHERE id = ?", (row,))
    conn.execute("DELETE FROM messages WHERE id = ?", (row,))
    _message(conn, b, "congratulate", "sent", sent_at=NOW, message_id="<c@x>")


def _meetings(conn: sqlite3.Connection) -> None:
    a, b = _ids(conn, "SELECT id FROM contacts ORDER BY id LIMIT 2")
    meeting = conn.execute(
        "INSERT INTO meetings (contact_id, start, end, uid, created_at, updated_at) "
        "VALUES (?, ?, ?, 'u1', ?, ?)", (a, NOW, NOW, NOW, NOW)).lastrowid
    _message(conn, a, "confirm", "drafted", meeting_id=meeting)
    conn.execute("UPDATE messages SET state = 'sent' WHERE meeting_id = ?", (meeting,))
    conn.execute("UPDATE meetings SET state = 'held', met_at = ? WHERE id = ?", (NOW, meeting))
    conn.execute("UPDATE meetings SET contact_id = ? WHERE id = ?", (b, meeting))
    conn.execute("DELETE FROM meetings WHERE id = (SELECT MIN(id) FROM meetings)")


def _contacts_through_the_store(store: Store) -> None:
    a, b, c = _ids(store.conn, "SELECT id FROM contacts WHERE email IS NOT NULL ORDER BY id "
                   "DESC LIMIT 3")
    with store.transaction():
        store.contacts.merge(a, b)
        store.contacts.delete(c)
        from outreach.contacts.model import ContactRecord

        store.contacts.upsert([ContactRecord(name="New Person", email="new.person@example.org")],
                              NOW)


WRITES: dict[str, Callable[[sqlite3.Connection], None]] = {
    "messages drafted, sent, discarded, moved, deleted": _messages,
    "events of each kind recorded, moved, changed, deleted": _events,
    "a bounced contact given a new address": _readdress,
    "a congratulation whose message id is an own send": _congratulate,
    "a meeting booked, held, moved, deleted": _meetings,
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_every_kind_of_write_keeps_the_summary(store: Store, write: str) -> None:
    before = kept_summary(store.conn)
    WRITES[write](store.conn)
    assert kept_summary(store.conn) != before
    assert summary_drift(store.conn) == []


def test_merging_deleting_and_adding_contacts_keeps_the_summary(store: Store) -> None:
    _contacts_through_the_store(store)
    assert summary_drift(store.conn) == []
    assert len(kept_summary(store.conn)) == store.contacts.count()
