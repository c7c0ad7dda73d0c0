"""Nothing is sent twice, even when the database is lost: a 0-byte database beside its
write-ahead log is never a new workspace, backups keep the good history, the mailbox is the
last word on what was sent, and a damaged database is never written."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from outreach.store.backup import list_backups
from tests.concurrency_env import local_contacts
from tests.conftest import Invoke

NOW = "2026-03-02T09:00:00-05:00"


def on(day: int) -> dict[str, str]:
    moment = datetime.fromisoformat(NOW) + timedelta(days=day)
    return {"OUTREACH_NOW": moment.isoformat()}


@pytest.fixture
def home(workspace: Path, tmp_path: Path, run: Invoke) -> Path:
    """A workspace with 30 contacts, the second day of use (so day one has a backup)."""
    local_contacts(workspace, tmp_path, run, {"batch": 30})
    assert run("contacts", "list", env=on(0)).exit_code == 0
    assert run("contacts", "add", "zed@example.org", "--name", "Zed", env=on(1)).exit_code == 0
    return workspace


def checkpoint(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def empty_beside_its_wal(db: Path) -> None:
    """A crash mid-checkpoint (or a sync tool) truncated outreach.db; its -wal survived."""
    keeper = sqlite3.connect(db)  # held open so closing it does not checkpoint the WAL
    keeper.execute("PRAGMA journal_mode=WAL")
    keeper.execute("PRAGMA wal_autocheckpoint=0")
    keeper.execute("UPDATE contacts SET notes = 'x' WHERE id = 1")
    keeper.commit()
    wal = Path(f"{db}-wal").read_bytes()
    keeper.close()
    db.write_bytes(b"")
    Path(f"{db}-wal").write_bytes(wal)
    Path(f"{db}-shm").unlink(missing_ok=True)


def test_a_zero_byte_database_beside_its_wal_is_not_a_new_empty_workspace(
    home: Path, run: Invoke
) -> None:
    db = home / "outreach.db"
    empty_beside_its_wal(db)
    wal = Path(f"{db}-wal").read_bytes()
    status = run("status", env=on(1))
    assert status.exit_code == 1, status.output
    assert "0 contacts" not in status.output
    assert "is empty (0 bytes)" in status.output and "write-ahead log" in status.output
    assert "outreach restore" in status.output
    doctor = run("doctor", env=on(1))
    assert doctor.exit_code == 1 and "Everything checks out" not in doctor.output
    assert db.stat().st_size == 0 and Path(f"{db}-wal").read_bytes() == wal  # left as found
    assert run("restore", "--yes", env=on(1)).exit_code == 0
    assert run("contacts", "list", "--json", env=on(1)).output.count('"email"') == 30


def test_a_zero_byte_database_and_wal_with_nothing_else_is_still_refused(
    workspace: Path, run: Invoke
) -> None:
    """Even the very first day, before any backup or message file: the WAL is history."""
    assert run("contacts", "add", "amy@example.org", "--name", "Amy", env=on(0)).exit_code == 0
    for backup in list_backups(workspace / "backups"):
        backup.path.unlink()
    empty_beside_its_wal(workspace / "outreach.db")
    result = run("contacts", "list", env=on(0))
    assert result.exit_code == 1 and "write-ahead log" in result.output


def history_of(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0])


def test_backups_of_an_emptied_database_never_push_out_the_good_ones(
    home: Path, run: Invoke
) -> None:
    """The user starts afresh with `outreach init` after a loss and keeps using it for more
    than a week: the last backups holding the lost history stay."""
    db = home / "outreach.db"
    for extra in ("", "-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    assert run("init").exit_code == 0
    for day in range(2, 12):
        added = run("contacts", "add", f"new{day}@example.org", "--name", "N", env=on(day))
        assert added.exit_code == 0, added.output
    counts = sorted(history_of(b.path) for b in list_backups(home / "backups"))
    assert max(counts) >= 30, counts  # the richest backup is still there
    listed = run("restore", "--list", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert set(rows[0]) == {"file", "taken_at", "contacts", "messages", "last_send"}
    assert max(row["contacts"] for row in rows) >= 30
    text = run("restore", "--list").output
    assert "30 contacts" in text or "31 contacts" in text


def test_restore_list_shows_what_each_backup_holds(home: Path, run: Invoke) -> None:
    assert run("draft", "outreach", "person-batch-000@example.org", env=on(1)).exit_code == 0
    assert run("send", "--yes", env=on(1)).exit_code == 0
    assert run("contacts", "add", "amy@example.org", "--name", "Amy", env=on(2)).exit_code == 0
    rows = json.loads(run("restore", "--list", "--json").output)
    newest = rows[0]
    assert newest["file"] == "outreach-2026-03-04.db"
    assert newest["contacts"] == 31 and newest["messages"] == 1
    assert newest["last_send"] is not None and newest["last_send"].startswith("2026-03-03")
    assert datetime.fromisoformat(newest["taken_at"]).tzinfo is not None


def damage_page_of(db: Path, name: str) -> None:
    """Overwrite the root page of table or index ``name`` with garbage, as a bad disk would."""
    checkpoint(db)
    with sqlite3.connect(db) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,))
        page = root.fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    with open(db, "r+b") as handle:
        handle.seek((page - 1) * size)
        handle.write(b"\xa5" * 64)


def files_in(folder: Path) -> int:
    if not (folder / "cur").exists():
        return 0
    return sum(1 for p in (folder / "cur").iterdir() if p.name.startswith("outreach-"))


def test_a_damaged_index_stops_send_before_any_draft_moves(home: Path, run: Invoke) -> None:
    assert run("draft", "outreach", "--tag", "batch", env=on(1)).exit_code == 0
    assert files_in(home / "outbox") == 30
    damage_page_of(home / "outreach.db", "meetings_by_calendar_event")
    sent = run("send", "--yes", env=on(1))
    assert sent.exit_code == 1, sent.output
    assert "is damaged" in sent.output and "outreach restore" in sent.output
    assert files_in(home / "sent") == 0 and files_in(home / "outbox") == 30


@pytest.mark.parametrize(
    "args",
    [
        ("contacts", "add", "amy@example.org", "--name", "Amy"),
        ("draft", "outreach", "person-batch-001@example.org"),
        ("sync",),
    ],
)
def test_every_writing_command_refuses_a_damaged_database(
    home: Path, run: Invoke, args: tuple[str, ...]
) -> None:
    damage_page_of(home / "outreach.db", "meetings_by_calendar_event")
    before = (home / "outreach.db").read_bytes()
    result = run(*args, env=on(1))
    assert result.exit_code == 1, result.output
    assert "is damaged" in result.output and "outreach restore" in result.output
    assert (home / "outreach.db").read_bytes() == before
    assert files_in(home / "outbox") == 0


def sent_to(home: Path) -> dict[str, int]:
    """How many messages each recipient received (every file in sent/, parsed back)."""
    import email
    import email.policy
    from collections import Counter

    counts: Counter[str] = Counter()
    for path in (home / "sent" / "cur").iterdir():
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        counts[str(message["To"].addresses[0].addr_spec)] += 1
    return dict(counts)


def write_to_five(home: Path, run: Invoke, day: int) -> None:
    people = [f"person-batch-{i:03d}@example.org" for i in range(5)]
    assert run("draft", "outreach", *people, env=on(day)).exit_code == 0
    assert run("send", "--yes", env=on(day)).exit_code == 0
    assert sent_to(home) == dict.fromkeys(people, 1)


def test_a_database_rolled_back_to_an_old_backup_cannot_write_to_anyone_twice(
    home: Path, run: Invoke
) -> None:
    write_to_five(home, run, 1)  # after day 2's backup, taken before the drafts
    assert run("restore", "--yes", env=on(1)).exit_code == 0
    drafted = run("draft", "outreach", "--tag", "batch", env=on(1))
    assert drafted.exit_code == 1, drafted.output
    assert "sent/ holds 5 messages outreach sent that the database does not know" in (
        drafted.output
    )
    assert "outreach sync --full" in drafted.output and "Nothing was drafted" in drafted.output
    assert run("sync", env=on(1)).exit_code == 0
    redrafted = run("draft", "outreach", "--tag", "batch", env=on(1))
    assert redrafted.exit_code == 0
    assert files_in(home / "outbox") == 25  # none for the five found in sent/
    assert run("send", "--yes", env=on(1)).exit_code == 0
    received = sent_to(home)
    assert len(received) == 30 and set(received.values()) == {1}, received


def test_a_deleted_database_made_afresh_cannot_write_to_anyone_twice(
    home: Path, run: Invoke, tmp_path: Path
) -> None:
    write_to_five(home, run, 1)
    for extra in ("", "-wal", "-shm"):
        Path(f"{home / 'outreach.db'}{extra}").unlink(missing_ok=True)
    for backup in list_backups(home / "backups"):
        backup.path.unlink()  # no backup to go back to
    assert run("init").exit_code == 0
    local_contacts(home, tmp_path, run, {"batch": 30})
    drafted = run("draft", "outreach", "--tag", "batch", env=on(2))
    assert drafted.exit_code == 1 and "does not know" in drafted.output, drafted.output
    assert "import your contacts again" in drafted.output
    assert run("sync", env=on(2)).exit_code == 0
    assert run("draft", "outreach", "--tag", "batch", env=on(2)).exit_code == 0
    assert run("send", "--yes", env=on(2)).exit_code == 0
    received = sent_to(home)
    assert len(received) == 30 and set(received.values()) == {1}, received


def test_drafts_a_rolled_back_database_holds_are_recorded_as_sent_not_sent_again(
    home: Path, run: Invoke
) -> None:
    people = [f"person-batch-{i:03d}@example.org" for i in range(3)]
    assert run("draft", "outreach", *people, env=on(1)).exit_code == 0
    db = home / "outreach.db"
    saved = home / "copy.db"  # a copy taken by hand while the drafts waited
    with sqlite3.connect(db) as source, sqlite3.connect(saved) as copy:
        source.backup(copy)
    assert run("send", "--yes", env=on(1)).exit_code == 0
    with sqlite3.connect(saved) as copy, sqlite3.connect(db) as target:
        copy.backup(target)  # ... and put back by a file-sync tool
    for path in (home / "sent" / "cur").iterdir():  # the user re-drafts by hand: same files
        (home / "outbox" / "cur" / path.name.replace(":2,S", ":2,D")).write_bytes(
            path.read_bytes()
        )
    again = run("send", "--yes", env=on(1))  # the mailbox says they went: recorded as sent
    assert "Moved 0 of 3 messages" in again.output, again.output
    assert sent_to(home) == dict.fromkeys(people, 1)
    shown = json.loads(run("contacts", "show", people[0], "--json", env=on(1)).output)
    assert [m["state"] for m in shown["messages"]] == ["sent"]


def test_reading_commands_say_the_database_is_damaged_and_show_what_they_can(
    home: Path, run: Invoke
) -> None:
    damage_page_of(home / "outreach.db", "meetings_by_calendar_event")
    for args in (("status",), ("contacts", "list"), ("due",)):
        result = run(*args, env=on(1))
        assert result.exit_code == 0, result.output
        assert "is damaged" in result.stderr and "outreach restore" in result.stderr
    assert "31 contacts" in run("status", env=on(1)).stdout


def test_a_sound_database_is_checked_once_then_trusted_until_its_files_change(
    home: Path, run: Invoke
) -> None:
    """Readers skip the check while the files are as the last checker left them."""
    db = home / "outreach.db"
    assert run("status", env=on(1)).exit_code == 0
    verified = Path(f"{db}-verified").read_text()
    assert run("status", env=on(1)).exit_code == 0
    assert Path(f"{db}-verified").read_text() == verified
    damage_page_of(db, "meetings_by_calendar_event")  # changes the file: checked again
    assert "is damaged" in run("status", env=on(1)).stderr


def run_without_privilege(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`outreach ARGS` in a subprocess that, even as root, cannot write what its modes forbid:
    setpriv drops the capabilities that let root ignore file modes (a read-only mount behaves
    the same for SQLite: every write fails with EROFS/EACCES)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("needs setpriv to run without CAP_DAC_OVERRIDE as root")
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    return subprocess.run(
        [*prefix, sys.executable, "-m", "outreach", *args],
        env={**os.environ, "OUTREACH_HOME": str(home), **on(1)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def read_only_home(home: Path, run: Invoke) -> Iterator[Path]:
    """The workspace with every file 0444 and every folder 0555, after a clean close (no WAL
    left behind, as on a disk remounted read-only)."""
    assert run("draft", "outreach", "person-batch-000@example.org", env=on(1)).exit_code == 0
    checkpoint(home / "outreach.db")
    for extra in ("-wal", "-shm"):
        Path(f"{home / 'outreach.db'}{extra}").unlink(missing_ok=True)
    paths = sorted(home.rglob("*"), reverse=True)
    for path in paths:
        path.chmod(0o555 if path.is_dir() else 0o444)
    home.chmod(0o555)
    try:
        yield home
    finally:
        home.chmod(0o700)
        for path in paths:
            path.chmod(0o700 if path.is_dir() else 0o600)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_read_only_workspace_still_answers_every_reading_command(
    read_only_home: Path,
) -> None:
    for args, expected in (
        (("status",), "31 contacts"),
        (("due",), ""),
        (("contacts", "list"), "person-batch-000@example.org"),
        (("contacts", "show", "person-batch-000@example.org"), "drafted"),
    ):
        result = run_without_privilege(read_only_home, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert expected in result.stdout
    added = run_without_privilege(read_only_home, "contacts", "add", "a@example.org", "--name", "A")
    assert added.returncode == 1 and "read-only for this user" in added.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_doctor_names_a_read_only_database(home: Path, run: Invoke) -> None:
    db = home / "outreach.db"
    checkpoint(db)
    try:
        db.chmod(0o444)
        result = run_without_privilege(home, "doctor")
    finally:
        db.chmod(0o600)
    assert result.returncode == 1
    assert f"{db} is read-only for this user" in result.stdout + result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_doctor_names_a_read_only_mail_folder(home: Path, run: Invoke) -> None:
    assert run("draft", "outreach", "person-batch-000@example.org", env=on(1)).exit_code == 0
    folder = home / "sent" / "cur"
    try:
        folder.chmod(0o555)
        result = run_without_privilege(home, "doctor")
    finally:
        folder.chmod(0o700)
    assert result.returncode == 1
    assert f"the folder {folder} is read-only for this user" in result.stdout
