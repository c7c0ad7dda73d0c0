"""Database trouble is named truthfully: a damaged page, a 0-byte file, a read-only workspace,
a full disk and a lock held by another program each get their own error (exit 1) saying what
happened and what to do; the database is backed up (daily and before migrations) and
`outreach restore` puts a backup back."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from outreach.app import AppContext
from outreach.config import Workspace
from outreach.store import Store
from outreach.store import db as store_db
from outreach.store.backup import DAILY_KEEP, list_backups
from outreach.store.db import MIGRATIONS, connect, migrate, schema_version
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


def damage_contacts_table(db: Path) -> None:
    """Overwrite the first page of the contacts table with garbage, as a bad disk would."""
    checkpoint(db)
    with sqlite3.connect(db) as conn:
        page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'contacts'")
        root = page.fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    with open(db, "r+b") as handle:
        handle.seek((root - 1) * size)
        handle.write(b"\xa5" * 64)


def test_a_damaged_page_is_named_with_the_backup_to_restore(home: Path, run: Invoke) -> None:
    damage_contacts_table(home / "outreach.db")
    result = run("contacts", "list", env=on(1))
    assert result.exit_code == 1, result.output
    assert "is damaged (SQLite: database disk image is malformed)" in result.output
    assert "outreach restore" in result.output and "outreach-2026-03" in result.output
    assert "Unexpected" not in result.output and "nothing was lost" not in result.output
    for args in (("draft", "outreach", "--tag", "batch"), ("doctor",)):
        again = run(*args, env=on(1))
        assert again.exit_code == 1
        assert "damaged" in again.output


def test_restore_puts_the_newest_good_backup_back_and_keeps_the_damaged_file(
    home: Path, run: Invoke
) -> None:
    damage_contacts_table(home / "outreach.db")
    listed = run("restore", "--list")
    assert listed.exit_code == 0 and "outreach-2026-03-03.db" in listed.output
    restored = run("restore", "--yes", env=on(1))
    assert restored.exit_code == 0, restored.output
    assert "Restored" in restored.output and "outreach-2026-03-03.db" in restored.output
    assert list(home.glob("outreach.db.damaged-*"))
    after = run("contacts", "list", "--json", env=on(1))
    assert after.exit_code == 0, after.output
    assert after.output.count('"email"') == 30  # the backup of day 2 predates Zed
    assert run("doctor", env=on(1)).output.count("FAIL") == 0


def test_a_damaged_database_is_never_backed_up_over_the_good_ones(
    home: Path, run: Invoke
) -> None:
    before = {b.name for b in list_backups(home / "backups")}
    damage_contacts_table(home / "outreach.db")
    result = run("contacts", "add", "amy@example.org", "--name", "Amy", env=on(2))
    assert result.exit_code == 1 and "damaged" in result.output
    assert {b.name for b in list_backups(home / "backups")} == before


def test_a_zero_byte_database_with_mail_in_the_maildirs_is_not_a_new_workspace(
    home: Path, run: Invoke
) -> None:
    assert run("draft", "outreach", "person-batch-000@example.org", env=on(1)).exit_code == 0
    assert run("send", "--yes", env=on(1)).exit_code == 0
    assert run("draft", "outreach", "person-batch-001@example.org", env=on(1)).exit_code == 0
    db = home / "outreach.db"
    checkpoint(db)
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    db.write_bytes(b"")
    result = run("status", env=on(1))
    assert result.exit_code == 1, result.output
    assert "is empty (0 bytes)" in result.output
    assert "2 message files in outbox/ and sent/" in result.output
    assert "outreach restore" in result.output
    assert db.stat().st_size == 0  # nothing was written to it
    assert run("restore", "--yes", env=on(1)).exit_code == 0
    assert run("status", env=on(1)).exit_code == 0


def test_a_missing_database_in_a_workspace_with_history_is_not_made_afresh(
    home: Path, run: Invoke
) -> None:
    db = home / "outreach.db"
    for extra in ("", "-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    result = run("contacts", "list", env=on(1))
    assert result.exit_code == 1
    assert "is missing, but the workspace has history (2 automatic backups)" in result.output
    assert "outreach init" in result.output and not db.exists()
    assert run("init").exit_code == 0  # starting again, on purpose
    assert run("contacts", "list", env=on(1)).exit_code == 0


def test_a_full_disk_is_named_and_the_change_is_rolled_back(
    home: Path, tmp_path: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLITE_FULL is what SQLite reports for a full disk; max_page_count produces it."""
    opened = Store.open.__func__  # type: ignore[attr-defined]

    def open_on_a_full_disk(cls: type[Store], path: Path, **kwargs: object) -> Store:
        store = opened(cls, path, **kwargs)
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")
        return store

    lines = ["Name,Email,Notes"] + [f"P {i},p{i}@example.net,{'x' * 400}" for i in range(400)]
    (tmp_path / "more.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with monkeypatch.context() as patch:
        patch.setattr(Store, "open", classmethod(open_on_a_full_disk))
        result = run("contacts", "import", str(tmp_path / "more.csv"), env=on(1))
    assert result.exit_code == 1, result.output
    assert f"The disk holding {home} is full" in result.output
    assert "was not saved" in result.output and "Free some space" in result.output
    listed = run("contacts", "list", "--json", env=on(1))
    assert listed.output.count('"email"') == 31  # none of the 400 half-imported


def test_a_lock_held_by_another_program_is_named_and_watch_waits_it_out(
    home: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_SECONDS", 0.2)
    browser = sqlite3.connect(home / "outreach.db", isolation_level=None)
    browser.execute("BEGIN IMMEDIATE")  # a database browser with a change left open
    result = run("contacts", "add", "amy@example.org", "--name", "Amy", env=on(1))
    assert result.exit_code == 1, result.output
    assert "stayed locked by another program" in result.output
    assert "Close that program" in result.output

    from outreach.services.sync.watch import watch

    app = AppContext(workspace=Workspace(home), lock_mode="self")
    errors: list[str] = []
    reports: list[object] = []

    def pause(seconds: float) -> None:
        if errors and browser.in_transaction:
            browser.execute("ROLLBACK")  # the user closes the browser

    cycles = watch(
        app,
        1.0,
        on_report=reports.append,
        on_error=lambda message, _delay: errors.append(message),
        sleep=pause,
        max_cycles=3,
    )
    app.close()
    browser.close()
    assert cycles == 3
    assert len(errors) == 1 and "stayed locked by another program" in errors[0]
    assert len(reports) == 2


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_read_only_workspace_is_named_as_such_not_as_a_broken_database(
    home: Path, tmp_path: Path
) -> None:
    db = home / "outreach.db"
    checkpoint(db)
    prefix: list[str] = []
    if os.geteuid() == 0:  # root ignores permissions unless it gives up the capability
        if shutil.which("setpriv") is None:
            pytest.skip("needs setpriv to run without CAP_DAC_OVERRIDE as root")
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]
    paths = [p for p in home.iterdir() if p.name.startswith("outreach.")]
    try:
        for path in paths:
            path.chmod(0o444)
        home.chmod(0o555)
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "outreach", "contacts", "add", "amy@example.org",
             "--name", "Amy"],
            env={**os.environ, "OUTREACH_HOME": str(home), **on(1)},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        home.chmod(0o700)
        for path in paths:
            path.chmod(0o600)
    assert result.returncode == 1, result.stderr
    assert f"Cannot write to the workspace {home}" in result.stderr
    assert "read-only for this user" in result.stderr and "chmod u+w" in result.stderr
    assert "not a usable" not in result.stderr and "move it aside" not in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_an_unexpected_error_does_not_claim_nothing_was_lost(
    home: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    import outreach.services.reporting.summary as reporting

    def broken(*_args: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(reporting, "status_report", broken)
    result = run("status", env=on(1))
    assert result.exit_code == 70
    assert "nothing was lost" not in result.output
    assert "Work saved before the error is kept" in result.output


def test_one_backup_a_day_of_use_and_only_the_newest_week_is_kept(
    workspace: Path, run: Invoke
) -> None:
    for day in range(10):
        for _ in range(2):
            added = run("contacts", "add", f"p{day}-{_}@example.org", "--name", "P", env=on(day))
            assert added.exit_code == 0, added.output
        assert run("status", env=on(day)).exit_code == 0  # readers take no backup
    backups = list_backups(workspace / "backups")
    assert len(backups) == DAILY_KEEP
    assert sorted(b.name for b in backups)[-1] == "outreach-2026-03-11.db"
    for item in backups:
        assert item.path.stat().st_mode & 0o077 == 0
    with sqlite3.connect(backups[0].path) as conn:  # taken before that day's first change
        day = backups[0].name.removeprefix("outreach-").removesuffix(".db")
        count = conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0]
    assert count == 2 * (int(day[-2:]) - 2)


def test_a_migration_is_preceded_by_a_backup_of_the_old_schema(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, MIGRATIONS[:1])
    conn.execute(
        "INSERT INTO contacts (email, email_key, name, created_at, updated_at) "
        "VALUES ('ada@example.org', 'ada@example.org', 'Ada', 'x', 'x')"
    )
    conn.close()
    upgraded = connect(db, backup_dir=tmp_path / "backups")
    assert schema_version(upgraded) == len(MIGRATIONS)
    (backup,) = list_backups(tmp_path / "backups")
    assert backup.kind == "migration" and f"before-v{len(MIGRATIONS)}" in backup.name
    with sqlite3.connect(backup.path) as old:
        assert schema_version(old) == 1
        assert old.execute("SELECT name FROM contacts").fetchone()[0] == "Ada"


def test_two_processes_opening_an_old_database_at_once_migrate_it_once(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, MIGRATIONS[:1])
    conn.close()
    code = (
        "import sys; from pathlib import Path; from outreach.store.db import connect, "
        "schema_version; print(schema_version(connect(Path(sys.argv[1]))))"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=60) for process in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], outputs
    assert {out.strip() for out, _ in outputs} == {str(len(MIGRATIONS)).encode()}
