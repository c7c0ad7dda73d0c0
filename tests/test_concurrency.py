"""Two `outreach` commands at once on one workspace: real processes, real SQLite, the fake
Gmail. Whatever the mix, no draft is doubled, none comes back after its send, no slot is offered
to two people, and no update is lost."""

from __future__ import annotations

import email
import email.policy
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.concurrency_env import (
    add_note_template,
    finish,
    local_contacts,
    maildir_messages,
    recipients,
    start,
    wait_for_holder,
)
from tests.conftest import Invoke
from tests.fakegoogle.server import FakeGoogle
from tests.gmail_env import gmail_workspace

NOW = {"OUTREACH_NOW": "2026-03-02T09:00:00-05:00"}


def set_cap(home: Path, cap: int) -> None:
    config = home / "config.toml"
    config.write_text(config.read_text().replace("daily_send_cap = 100", f"daily_send_cap = {cap}"))


def gmail_recipients(fake: FakeGoogle) -> Counter[str]:
    messages = []
    for draft in fake.drafts():
        parsed = email.message_from_bytes(draft.message.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        messages.append(parsed)
    return recipients(messages)


def test_two_gmail_drafts_at_once_make_one_draft_per_contact(
    tmp_path: Path, fake_google: FakeGoogle, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    gmail = gmail_workspace(tmp_path, fake_google, run, monkeypatch, contacts=30)
    fake_google.inject(latency=0.2, path_pattern="batch")
    first = start(gmail.root, "draft", "outreach", "--tag", "batch", env=gmail.env)
    second = start(gmail.root, "draft", "outreach", "--tag", "batch", env=gmail.env)
    results = [finish(first), finish(second)]
    fake_google.reset_faults()
    assert [code for code, _, _ in results] == [0, 0], results
    counts = gmail_recipients(fake_google)
    assert len(counts) == 30
    assert set(counts.values()) == {1}, counts
    summaries = sorted(out.splitlines()[0] for _, out, _ in results)
    assert summaries == [
        "Drafts: 0 created, 30 updated, 0 failed, 0 skipped.",
        "Drafts: 30 created, 0 updated, 0 failed, 0 skipped.",
    ]
    waited = [err for _, _, err in results if "Waiting for the other outreach command" in err]
    assert len(waited) == 1, results
    assert "outreach draft outreach --tag batch" in waited[0]
    with sqlite3.connect(gmail.root / "outreach.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 30


BATCH = 400


def test_a_local_send_racing_a_draft_brings_no_sent_draft_back(
    workspace: Path, tmp_path: Path, run: Invoke
) -> None:
    set_cap(workspace, 1000)
    add_note_template(workspace)
    # Enough drafts that the re-draft is still writing when the send has started up (a
    # command's start-up is most of a second on a loaded machine).
    local_contacts(workspace, tmp_path, run, {"batch": BATCH})
    assert run("draft", "note", "--tag", "batch", env=NOW).exit_code == 0
    cur = workspace / "outbox" / "cur"
    drafted_at = max(path.stat().st_mtime_ns for path in cur.iterdir())
    redraft = start(workspace, "draft", "note", "--tag", "batch", env=NOW)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and redraft.poll() is None:
        if any(path.stat().st_mtime_ns > drafted_at for path in cur.iterdir()):
            break  # the re-draft is rewriting files: send now
        time.sleep(0.005)
    send = start(workspace, "send", "--yes", env=NOW)
    results = [finish(redraft), finish(send)]
    assert [code for code, _, _ in results] == [0, 0], results
    sent_ids = {str(m["Message-ID"]) for m in maildir_messages(workspace / "sent" / "cur")}
    drafts = maildir_messages(workspace / "outbox" / "cur")
    back = [m for m in drafts if str(m["Message-ID"]) in sent_ids]
    assert back == [], f"{len(back)} sent messages are drafts again"
    assert "Waiting for the other outreach command" in results[1][2]
    assert len(sent_ids) + len(drafts) == BATCH
    assert list((workspace / "outbox" / "tmp").iterdir()) == []


def test_two_tag_drafts_at_once_never_offer_one_slot_twice(
    workspace: Path, tmp_path: Path, run: Invoke
) -> None:
    local_contacts(workspace, tmp_path, run, {"alpha": 15, "beta": 15})
    first = start(workspace, "draft", "outreach", "--tag", "alpha", env=NOW)
    second = start(workspace, "draft", "outreach", "--tag", "beta", env=NOW)
    results = [finish(first), finish(second)]
    assert [code for code, _, _ in results] == [0, 0], results
    with sqlite3.connect(workspace / "outreach.db") as conn:
        held = conn.execute(
            "SELECT start, COUNT(DISTINCT contact_id) FROM proposals WHERE state = 'held' "
            "GROUP BY start"
        ).fetchall()
        people = conn.execute(
            "SELECT COUNT(DISTINCT contact_id) FROM proposals WHERE state = 'held'"
        ).fetchone()[0]
    assert people == 30
    shared = [start for start, count in held if count > 1]
    assert shared == [], f"{len(shared)} slots offered to two people"


def test_any_mix_of_commands_at_once_finishes_and_doubles_nothing(
    workspace: Path, tmp_path: Path, run: Invoke
) -> None:
    """draft (twice), send, sync, import, book and followup all started at once."""
    set_cap(workspace, 1000)
    local_contacts(workspace, tmp_path, run, {"alpha": 6, "beta": 12})
    assert run("draft", "outreach", "--tag", "alpha", env=NOW).exit_code == 0
    first = start(workspace, "draft", "outreach", "--tag", "beta", env=NOW)
    wait_for_holder(workspace, first)
    others = [
        start(workspace, *args, env=NOW)
        for args in (
            ("draft", "outreach", "--tag", "beta"),
            ("send", "--yes", "person-alpha-001@example.org"),
            ("sync",),
            ("contacts", "import", str(tmp_path / "people.csv")),
            ("book", "person-alpha-000@example.org", "--slot", "1"),
            ("followup",),
        )
    ]
    results = [finish(process) for process in [first, *others]]
    assert [code for code, _, _ in results] == [0] * 7, results
    assert any("Waiting for the other outreach command" in err for _, _, err in results)

    drafts = maildir_messages(workspace / "outbox" / "cur")
    ids = Counter(str(m["Message-ID"]) for m in drafts)
    assert set(ids.values()) == {1}
    outreach = recipients([m for m in drafts if "Re:" not in str(m["Subject"])])
    assert set(outreach.values()) == {1} and len(outreach) == 17  # alpha-001 was sent
    with sqlite3.connect(workspace / "outreach.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 18
        assert conn.execute("SELECT COUNT(*) FROM meetings").fetchone()[0] == 1
        shared = conn.execute(
            "SELECT start FROM proposals WHERE state = 'held' GROUP BY start "
            "HAVING COUNT(DISTINCT contact_id) > 1"
        ).fetchall()
        drafted = conn.execute("SELECT COUNT(*) FROM messages WHERE state = 'drafted'")
        assert drafted.fetchone()[0] == len(drafts)
    assert shared == []


def test_watch_waits_its_turn_and_goes_on(workspace: Path, tmp_path: Path, run: Invoke) -> None:
    """`send` asking "Send these messages now?" holds the lock for as long as the user takes
    to answer; a `watch` started meanwhile says whom it waits for, and syncs once it may."""
    local_contacts(workspace, tmp_path, run, {"batch": 3})
    assert run("draft", "outreach", "--tag", "batch", env=NOW).exit_code == 0
    sending = subprocess.Popen(
        [sys.executable, "-m", "outreach", "send"],
        env={**os.environ, "OUTREACH_HOME": str(workspace), **NOW},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_holder(workspace, sending)
        watching = start(workspace, "watch", "--interval", "1", "--max-cycles", "2", env=NOW)
        assert watching.stderr is not None
        said = watching.stderr.readline()  # blocks until watch has something to say
        assert "Waiting for the other outreach command to finish (pid" in said, said
        assert "outreach send" in said
        answered, _ = sending.communicate("n\n", timeout=60)
    finally:
        if sending.poll() is None:
            sending.kill()
    assert "Nothing sent." in answered
    watch_code, out, err = finish(watching)
    assert watch_code == 0, err
    assert "Synced the local inbox" in out
