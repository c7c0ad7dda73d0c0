"""Maildirs tolerate junk: folders, FIFOs, sockets, dangling or looping links and unreadable
files in any Maildir folder are skipped with a warning, never hang or crash a run; temporary
files left by killed runs are cleaned; a local sync reads only files it has not seen."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import outreach.mail.local_inbox as local_inbox
from outreach.app import AppContext
from outreach.mail.maildir import STALE_TMP_SECONDS
from outreach.services.sending.send import send_messages
from outreach.services.sync.run import sync
from tests.concurrency_env import local_contacts
from tests.conftest import Invoke
from tests.helpers_sync import (
    add_contacts,
    at,
    draft,
    local_app,
    local_workspace,
    reply,
    row_for,
    set_now,
)
from tests.test_sync_local import drop

NOW = {"OUTREACH_NOW": "2026-03-02T09:00:00-05:00"}
FOLDERS = ("outbox/cur", "outbox/new", "sent/cur", "sent/new", "inbox/cur", "inbox/new")


def add_junk(folder: Path) -> Iterator[socket.socket]:
    """A folder, a FIFO, a socket, a link to nothing, a link to itself and (for a user who is
    not root) an unreadable file."""
    (folder / "a-folder").mkdir()
    (folder / "a-folder" / "inside.eml").write_text("not a message")
    os.mkfifo(folder / "a-fifo")
    (folder / "a-dangling-link").symlink_to(folder / "nothing-here")
    (folder / "a-loop").symlink_to(folder / "a-loop")
    unreadable = folder / "unreadable.eml"
    unreadable.write_text("Subject: secret\n\nx\n")
    unreadable.chmod(0)
    if len(str(folder / "a-socket")) < 100:  # AF_UNIX paths are short
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(folder / "a-socket"))
        yield server


@pytest.fixture
def junky(workspace: Path, tmp_path: Path, run: Invoke) -> Iterator[Path]:
    local_contacts(workspace, tmp_path, run, {"batch": 3})
    assert run("draft", "outreach", "--tag", "batch", env=NOW).exit_code == 0
    sockets = []
    for name in FOLDERS:
        (workspace / name).mkdir(parents=True, exist_ok=True)
        sockets += list(add_junk(workspace / name))
    yield workspace
    for server in sockets:
        server.close()


def test_junk_in_every_maildir_folder_is_skipped_with_a_warning(
    junky: Path, run: Invoke
) -> None:
    with sqlite3.connect(junky / "outreach.db") as conn:  # as if the last run was killed
        conn.execute("UPDATE messages SET draft_id = NULL, state = 'pending'")
    again = run("draft", "outreach", "--tag", "batch", env=NOW)
    assert again.exit_code == 0, again.output
    assert "0 created, 3 updated" in again.output
    assert f"Warning: skipped {junky}/outbox/cur/a-folder: a folder, not a message" in again.output
    assert f"skipped {junky}/outbox/cur/a-fifo: a named pipe (FIFO), not a message" in again.output
    assert "a-dangling-link: a link to nothing" in again.output
    for folder in ("outbox/cur", "outbox/new", "sent/cur", "sent/new"):  # each once (draft
        # reads the newest of sent/ too: the mailbox's record of what was sent)
        assert again.output.count(f"{junky}/{folder}/a-folder") == 1, folder
    cur = junky / "outbox" / "cur"
    files = sorted(p.name for p in cur.iterdir() if p.name.startswith("outreach-"))
    assert len(files) == 3

    sent = run("send", "--yes", "person-batch-000@example.org", env=NOW)
    assert sent.exit_code == 0, sent.output
    synced = run("sync", env=NOW)
    assert synced.exit_code == 0, synced.output
    assert "Synced the local inbox" in synced.output
    assert f"skipped {junky}/inbox/new/a-fifo" in synced.output
    watched = run("watch", "--interval", "1", "--max-cycles", "2", env=NOW)
    assert watched.exit_code == 0, watched.output
    assert watched.output.count(f"skipped {junky}/inbox/new/a-fifo") == 1


def test_stale_temporary_files_from_killed_runs_are_cleaned(workspace: Path, run: Invoke) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = int(gone.stdout)
    stale = [
        workspace / "outbox" / "tmp" / f"outreach-0123456789abcdef0123:2,D.{dead}.ab12cd34",
        workspace / "sent" / "tmp" / f"outreach-0123456789abcdef0123:2,S.{dead}.ab12cd34",
        workspace / "inbox" / "tmp" / "1700000000.M1P1.mailer",  # another program's, 40 h old
    ]
    kept = [
        workspace / "outbox" / "tmp" / f"outreach-0123456789abcdef0124:2,D.{os.getpid()}.a",
        workspace / "inbox" / "tmp" / "1772467200.M2P2.mailer",  # being delivered right now
    ]
    for path in stale + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a message")
    old = time.time() - STALE_TMP_SECONDS - 4 * 3600
    os.utime(stale[2], (old, old))
    assert run("contacts", "add", "ada@example.org", "--name", "Ada").exit_code == 0
    result = run("draft", "outreach", "ada@example.org", env=NOW)
    assert result.exit_code == 0, result.output
    assert [p.exists() for p in stale] == [False, False, False]
    assert [p.exists() for p in kept] == [True, True]


@pytest.fixture
def sent_local(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> AppContext:
    """Five people written to (local backend) on Monday 2 March at 10:00."""
    local_workspace(workspace)
    set_now(monkeypatch, at("2026-03-02 09:00"))
    app = local_app(workspace)
    people = [(f"Person {n}", f"{n}@example.org") for n in ("ada", "bob", "cat", "dan", "grace")]
    add_contacts(app, *people)
    rows = draft(app, "outreach", *(address for _, address in people))
    set_now(monkeypatch, at("2026-03-02 10:00"))
    assert len(send_messages(app, rows).sent) == 5
    return app


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every message file local sync reads."""
    seen: list[Path] = []
    original = local_inbox.read_bytes

    def counting(path: Path) -> bytes | None:
        seen.append(path)
        return original(path)

    monkeypatch.setattr(local_inbox, "read_bytes", counting)
    return seen


def test_a_local_sync_with_nothing_new_reads_no_message_file(
    sent_local: AppContext, reads: list[Path]
) -> None:
    app = sent_local
    drop(app, reply(row_for(app, "ada@example.org"), "ada@example.org", at("2026-03-02 12:00")))
    first = sync(app)
    assert first.counts() == {"reply": 1}
    assert len(reads) == 6  # five sends in sent/, one reply
    reads.clear()
    for _ in range(3):
        assert sync(app).changes == []
    assert reads == []

    grace = drop(app, reply(row_for(app, "grace@example.org"), "grace@example.org",
                            at("2026-03-02 13:00")))
    assert sync(app).counts() == {"reply": 1}
    assert reads == [grace]


def test_an_answer_that_arrives_before_the_message_it_answers_is_threaded_later(
    sent_local: AppContext, reads: list[Path]
) -> None:
    from email.message import EmailMessage

    app = sent_local
    sync(app)
    first = reply(row_for(app, "ada@example.org"), "ada@example.org", at("2026-03-02 12:00"))
    second = EmailMessage()  # her assistant answers her reply; it is delivered first
    second["From"] = "Office of Ada <office@example.org>"
    second["To"] = "sam@example.edu"
    second["Subject"] = "Re: one more thing"
    second["Message-ID"] = "<second.reply@mail.example.org>"
    second["In-Reply-To"] = str(first["Message-ID"])
    second["Date"] = "Tue, 3 Mar 2026 09:00:00 -0500"
    second.set_content("Also: bring questions about forecasting.")
    early = drop(app, second)
    reads.clear()
    assert sync(app).changes == []  # it answers nothing we know yet, from no contact
    assert sync(app).changes == [] and reads == [early]
    reads.clear()
    late = drop(app, first)
    assert sync(app).counts() == {"reply": 2}
    assert sorted(reads) == sorted([late, early])


def test_a_changed_file_is_read_again_and_a_dry_run_remembers_nothing(
    sent_local: AppContext, reads: list[Path]
) -> None:
    app = sent_local
    path = drop(app, reply(row_for(app, "ada@example.org"), "ada@example.org",
                           at("2026-03-02 12:00")))
    assert sync(app, dry_run=True).counts() == {"reply": 1}
    reads.clear()
    assert sync(app).counts() == {"reply": 1}
    assert path in reads
    reads.clear()
    path.write_bytes(path.read_bytes() + b"\nP.S. see you soon\n")
    assert sync(app).changes == []  # the same message: recorded once
    assert reads == [path]


def test_watch_reuses_a_settled_listing_but_never_misses_a_file(tmp_path: Path) -> None:
    from outreach.mail.maildir import ListingCache

    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "one.eml").write_bytes(b"Subject: one\n\nx\n")
    long_ago = time.time_ns() - 60 * 10**9
    os.utime(folder, ns=(long_ago, long_ago))
    cache = ListingCache()
    first = cache.entries(folder)
    assert cache.entries(folder) is first  # settled and unchanged: not listed again
    (folder / "two.eml").write_bytes(b"Subject: two\n\nx\n")
    assert sorted(e.name for e in cache.entries(folder)) == ["one.eml", "two.eml"]
    # A file added in the same timestamp tick as a listing of a just-changed folder:
    changed = os.stat(folder).st_mtime_ns
    listed = cache.entries(folder)
    (folder / "three.eml").write_bytes(b"Subject: three\n\nx\n")
    os.utime(folder, ns=(changed, changed))
    assert cache.entries(folder) is not listed
    assert len(cache.entries(folder)) == 3


def test_mail_set_aside_is_recorded_once_its_sender_becomes_a_contact(
    sent_local: AppContext, reads: list[Path]
) -> None:
    from email.message import EmailMessage

    app = sent_local
    note = EmailMessage()
    note["From"] = "Grace Hopper <grace.hopper@navy.example.org>"
    note["To"] = "sam@example.edu"
    note["Subject"] = "Heard you are asking about compilers"
    note["Message-ID"] = "<note.1@navy.example.org>"
    note["Date"] = "Tue, 3 Mar 2026 09:00:00 -0500"
    note.set_content("Happy to talk.")
    path = drop(app, note)
    assert sync(app).changes == []  # not a contact yet
    reads.clear()
    assert sync(app).changes == [] and reads == []
    add_contacts(app, ("Grace Hopper", "grace.hopper@navy.example.org"))
    assert sync(app).counts() == {"reply": 1}
    assert reads == [path]
