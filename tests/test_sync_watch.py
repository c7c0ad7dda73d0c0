"""`outreach watch`: repeated syncs that survive network errors with a capped exponential
back-off, print what changed, and stop cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from outreach.services.sync.run import SyncReport
from outreach.services.sync.watch import watch
from tests.conftest import Invoke
from tests.fakegoogle import FakeGoogle
from tests.helpers_sync import (
    add_contacts,
    at,
    draft,
    fake_gmail,  # noqa: F401
    gmail_app,
    gmail_workspace,
    local_workspace,
    reply,
    row_for,
    set_now,
)


def test_watch_backs_off_on_network_errors_and_carries_on(
    workspace: Path, fake_gmail: FakeGoogle, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    gmail_workspace(workspace, fake_gmail)
    set_now(monkeypatch, at("2026-03-02 09:00"))
    app = gmail_app(workspace, fake_gmail, num_retries=0)
    add_contacts(app, ("Ada Lovelace", "ada@example.org"))
    [row] = draft(app, "outreach", "ada@example.org")
    assert row.draft_id
    fake_gmail.send_draft_as_user(row.draft_id)

    reports: list[SyncReport] = []
    errors: list[tuple[str, float]] = []
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 1:  # after the first sync: a reply arrives, the network fails
            fake_gmail.deliver(reply(row_for(app, "ada@example.org"), "ada@example.org",
                                     at("2026-03-02 12:00")))
            fake_gmail.inject(503, path_pattern="/history", times=3)

    cycles = watch(app, 30, on_report=reports.append,
                   on_error=lambda message, wait: errors.append((message, wait)),
                   sleep=sleep, max_cycles=6, backoff_cap=100)
    assert cycles == 6
    assert [wait for _, wait in errors] == [60, 100, 100]  # doubled, then capped
    assert all("503" in message for message, _ in errors)
    assert sleeps == [30, 60, 100, 100, 30]  # back to the interval after a success
    assert [r.counts() for r in reports] == [{"sent": 1}, {"reply": 1}, {}]


def test_watch_command_runs_cycles_and_prints_changes(
    workspace: Path, run: Invoke
) -> None:
    local_workspace(workspace)
    result = run("watch", "--interval", "1", "--max-cycles", "1",
                 env={"OUTREACH_NOW": "2026-03-02T09:00:00-05:00"})
    assert result.exit_code == 0, result.output
    assert "Watching every 1s; press Ctrl-C to stop." in result.output
    assert "Synced the local inbox: nothing new." in result.output


def test_ctrl_c_stops_watch_cleanly(workspace: Path) -> None:
    local_workspace(workspace)
    env = {**os.environ, "OUTREACH_HOME": str(workspace), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "outreach", "watch", "--interval", "30"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "Synced the local inbox" in line:
                break
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Stopped watching" in "".join(lines) + out
