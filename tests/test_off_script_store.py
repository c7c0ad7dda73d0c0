"""The store behind the conversation model off the script: the migration, what a reply said,
and who wrote for a contact."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from outreach.contacts.model import ContactRecord
from outreach.store import Store
from outreach.store.db import MIGRATIONS, migrate, schema_version
from outreach.store.migrations import _m8_conversation
from outreach.track.reader import Decline, Reading, SlotPick, reading_to_json


def _store(tmp_path: Path) -> tuple[Store, int]:
    store = Store.open(tmp_path / "outreach.db")
    with store.transaction():
        store.contacts.upsert(
            [ContactRecord(name="Ada Lovelace", email="ada@example.org")], "2026-03-01T00:00:00"
        )
    return store, store.contacts.get("ada@example.org").id


def _reply(
    store: Store, contact: int, key: str, at: str, *, reading: Reading | None, sender: str
) -> None:
    with store.transaction():
        store.events.record(
            gmail_id=key, thread_id="t1", contact_id=contact, kind="reply", sender=sender,
            subject="Re: hello", occurred_at=at, address=sender,
            reading=None if reading is None else json.dumps(reading_to_json(reading)),
        )


def test_the_migration_upgrades_a_database_with_events(tmp_path: Path) -> None:
    path = tmp_path / "before.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[: MIGRATIONS.index(_m8_conversation)])
    conn.close()
    store = Store.open(path)
    assert schema_version(store.conn) == len(MIGRATIONS)
    columns = {row[1] for row in store.conn.execute("PRAGMA table_info(thread_events)")}
    assert {"reading", "first_line", "sender_name", "refs"} <= columns


def test_the_latest_reply_decides_what_was_read(tmp_path: Path) -> None:
    store, ada = _store(tmp_path)
    picked = Reading((SlotPick(2, "The second one."),))
    _reply(store, ada, "m1", "2026-03-02T15:00:00+00:00", reading=picked,
           sender="ada@example.org")
    assert store.facts(ada)[ada].reading == picked
    assert store.facts()[ada].reading == picked
    # A later reply that could not be read: nothing read stands for it.
    _reply(store, ada, "m2", "2026-03-03T15:00:00+00:00", reading=None,
           sender="ada@example.org")
    assert store.facts(ada)[ada].reading is None
    no = Reading((Decline("No, sorry."),))
    [event] = [e for e in store.events.for_contact(ada) if e.gmail_id == "m2"]
    with store.transaction():
        store.events.set_reading(event.id, json.dumps(reading_to_json(no)))
    assert store.facts()[ada].reading == no


def test_someone_new_writing_is_their_side_until_recorded(tmp_path: Path) -> None:
    store, ada = _store(tmp_path)
    _reply(store, ada, "m1", "2026-03-02T15:00:00+00:00", reading=None,
           sender="pat@example.org")
    [(address, _name, _at)] = store.facts(ada)[ada].their_side_new
    assert address == "pat@example.org"
    with store.transaction():
        store.contacts.add_cc(ada, "Pat@Example.org", "2026-03-03T00:00:00")
        store.contacts.add_cc(ada, "pat@example.org", "2026-03-03T00:00:00")  # once only
    assert store.facts(ada)[ada].their_side_new == ()
    assert store.contacts.cc(ada) == ["Pat@Example.org"]
