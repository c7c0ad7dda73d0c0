"""Interrupting a big local draft: Ctrl-C leaves exactly the drafts it says it made (each
recorded, no stray file, nothing in tmp/), and running the command again finishes the rest,
one draft per contact."""

from __future__ import annotations

import re
import signal
import sqlite3
import time
from pathlib import Path

from tests.concurrency_env import (
    add_note_template,
    finish,
    local_contacts,
    maildir_messages,
    recipients,
    start,
)
from tests.conftest import Invoke

NOW = {"OUTREACH_NOW": "2026-03-02T09:00:00-05:00"}
TOTAL = 200


def interrupt_when(home: Path, files: int, presses: int = 1) -> tuple[int, str]:
    """Start `draft note --tag batch`, press Ctrl-C once ``files`` drafts exist."""
    process = start(home, "draft", "note", "--tag", "batch", env=NOW)
    cur = home / "outbox" / "cur"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if cur.is_dir() and sum(1 for _ in cur.iterdir()) >= files:
            break
        time.sleep(0.002)
    for _ in range(presses):
        process.send_signal(signal.SIGINT)
        time.sleep(0.001)
    code, _out, err = finish(process)
    return code, err


def drafted_rows(home: Path) -> int:
    with sqlite3.connect(home / "outreach.db") as conn:
        count = conn.execute("SELECT COUNT(*) FROM messages WHERE state = 'drafted'")
        return int(count.fetchone()[0])


def prepared(home: Path, tmp_path: Path, run: Invoke) -> Path:
    add_note_template(home)
    local_contacts(home, tmp_path, run, {"batch": TOTAL})
    return home


def test_ctrl_c_leaves_exactly_what_it_says_and_a_rerun_finishes_it(
    workspace: Path, tmp_path: Path, run: Invoke
) -> None:
    home = prepared(workspace, tmp_path, run)
    code, err = interrupt_when(home, 60)
    assert code == 130, err
    said = re.search(
        rf"Interrupted after (\d+) of {TOTAL} drafts \((\d+) created, 0 updated\); each of "
        r"those is saved and recorded\. The other (\d+) were not drafted\.",
        err,
    )
    assert said, err
    made = int(said.group(1))
    assert int(said.group(3)) == TOTAL - made
    assert "nothing half-written" not in err and "Run the same command again" in err
    cur, tmp = home / "outbox" / "cur", home / "outbox" / "tmp"
    assert len(list(cur.iterdir())) == made == drafted_rows(home)
    assert list(tmp.iterdir()) == []

    again = run("draft", "note", "--tag", "batch", env=NOW)
    assert again.exit_code == 0, again.output
    assert f"{TOTAL - made} created, {made} updated" in again.output
    counts = recipients(maildir_messages(cur))
    assert len(counts) == TOTAL and set(counts.values()) == {1}
    assert list(tmp.iterdir()) == [] and drafted_rows(home) == TOTAL


def test_a_second_ctrl_c_stops_at_once_and_the_rerun_still_doubles_nothing(
    workspace: Path, tmp_path: Path, run: Invoke
) -> None:
    home = prepared(workspace, tmp_path, run)
    code, err = interrupt_when(home, 60, presses=2)
    assert code == 130, err
    assert "Interrupted after" in err
    assert list((home / "outbox" / "tmp").iterdir()) == []
    again = run("draft", "note", "--tag", "batch", env=NOW)
    assert again.exit_code == 0, again.output
    counts = recipients(maildir_messages(home / "outbox" / "cur"))
    assert len(counts) == TOTAL and set(counts.values()) == {1}
    assert drafted_rows(home) == TOTAL
