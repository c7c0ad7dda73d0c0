"""The workspace's writer lock: one writing command at a time, readers never wait, a waiting
command says whom it waits for, and a killed holder never leaves the workspace locked."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import pytest

from outreach.app import AppContext
from outreach.cli import READ_ONLY_COMMANDS, sharing_for
from outreach.config import Workspace
from outreach.lock import WorkspaceLock
from outreach.services.drafting.drafts import draft_messages, plan_messages
from tests.concurrency_env import local_contacts, start, wait_for_holder
from tests.conftest import Invoke


def test_a_second_writer_waits_says_for_whom_and_goes_on(
    workspace: Path, tmp_path: Path, run: Invoke, capsys: pytest.CaptureFixture[str]
) -> None:
    """Threads with their own AppContext and connection, as two terminals would be."""
    local_contacts(workspace, tmp_path, run, {"alpha": 4, "beta": 4})
    first = AppContext(workspace=Workspace(workspace), lock_mode="writer", command="outreach A")
    _ = first.store  # holds the lock from here
    finished: list[str] = []

    def second_command() -> None:
        app = AppContext(workspace=Workspace(workspace), lock_mode="writer", command="B")
        try:
            planned, _ = plan_messages(app, "outreach", app.store.contacts.all(tag="beta"))
            draft_messages(app, planned)
            finished.append("B")
        finally:
            app.close()

    other = threading.Thread(target=second_command)
    other.start()
    other.join(0.3)
    assert other.is_alive() and finished == []  # waiting for A
    planned, _ = plan_messages(first, "outreach", first.store.contacts.all(tag="alpha"))
    draft_messages(first, planned)
    first.close()
    other.join(30)
    assert finished == ["B"]
    err = capsys.readouterr().err
    assert "Waiting for the other outreach command to finish (pid" in err
    assert ": outreach A (since" in err and "going on" in err
    held = first_store_proposals(workspace)
    assert len(held) == len(set(held)) == 8 * 3  # B planned after A's slots were held


def first_store_proposals(home: Path) -> list[str]:
    app = AppContext(workspace=Workspace(home))
    try:
        rows = app.store.proposals.held("2000-01-01T00:00:00+00:00")
        return [row.start for row in rows]
    finally:
        app.close()


def test_readers_never_wait_for_a_writer(workspace: Path, run: Invoke) -> None:
    holder = WorkspaceLock(workspace)
    holder.acquire(command="outreach draft (elsewhere)")
    try:
        for args in (("status",), ("due",), ("contacts", "list"), ("templates", "list")):
            result = run(*args)
            assert result.exit_code == 0, result.output
            assert "Waiting" not in result.output
    finally:
        holder.release()


def test_a_killed_holder_leaves_no_lock_behind(
    workspace: Path, tmp_path: Path, run: Invoke
) -> None:
    local_contacts(workspace, tmp_path, run, {"batch": 40})
    process = start(workspace, "draft", "outreach", "--tag", "batch")
    wait_for_holder(workspace, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    result = run("contacts", "add", "ada@example.org", "--name", "Ada")
    assert result.exit_code == 0, result.output
    assert "Waiting" not in result.output


def test_every_command_writes_under_the_lock_unless_it_is_known_to_only_read() -> None:
    assert sharing_for(["draft"]) == "writer"
    assert sharing_for(["contacts", "import"]) == "writer"
    assert sharing_for(["contacts", "list"]) == "reader"
    assert sharing_for(["templates", "preview"]) == "reader"
    assert sharing_for(["watch"]) == "self"
    assert sharing_for(["a-command-added-later"]) == "writer"
    assert "sync" not in READ_ONLY_COMMANDS and "book" not in READ_ONLY_COMMANDS
