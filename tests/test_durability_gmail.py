"""With Gmail, too, the mailbox is the last word: a database rolled back behind Gmail's Sent mail
never drafts or sends a second first message to anyone (fake Google server over HTTP)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.fakegoogle import FakeGoogle
from tests.fakegoogle.fixtures import fake_google  # noqa: F401
from tests.gmail_env import gmail_workspace


def sent_per_recipient(fake: FakeGoogle) -> Counter[str]:
    counts: Counter[str] = Counter()
    for message in fake.messages("SENT"):
        counts[str(message.email["To"].addresses[0].addr_spec)] += 1
    return counts


def test_a_rolled_back_database_refuses_to_draft_or_send_until_synced(
    tmp_path: Path,
    fake_google: FakeGoogle,  # noqa: F811
    run: Invoke,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = gmail_workspace(tmp_path, fake_google, run, monkeypatch, contacts=6)
    db = ws.root / "outreach.db"
    copy = tmp_path / "copy.db"
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # the user's own copy, before anything was sent
    people = [f"person{i:03d}@example.org" for i in range(3)]
    assert run("draft", "outreach", *people).exit_code == 0
    sent = run("send", "--yes")
    assert sent.exit_code == 0, sent.output
    assert sent_per_recipient(fake_google) == dict.fromkeys(people, 1)
    with sqlite3.connect(copy) as source, sqlite3.connect(db) as target:
        source.backup(target)  # ... put back: the database forgets the three sends

    drafted = run("draft", "outreach", "--tag", "batch")
    assert drafted.exit_code == 1, drafted.output
    assert "Gmail's Sent mail holds 3 messages outreach sent" in drafted.output
    assert "Nothing was drafted" in drafted.output and "outreach sync --full" in drafted.output
    assert not fake_google.drafts()

    synced = run("sync")
    assert synced.exit_code == 0, synced.output
    assert run("draft", "outreach", "--tag", "batch").exit_code == 0
    assert run("send", "--yes").exit_code == 0
    received = sent_per_recipient(fake_google)
    assert len(received) == 6 and set(received.values()) == {1}, received
