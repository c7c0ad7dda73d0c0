"""`outreach due`: what to do now, overdue first, as stable JSON or a table naming the next
command for each contact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from outreach.app import AppContext
from outreach.config import Workspace
from outreach.contacts.model import ContactRecord
from tests.conftest import Invoke
from tests.helpers_sync import at, local_workspace, reply, row_for
from tests.test_sync_local import drop


@pytest.fixture
def pipeline(workspace: Path, run: Invoke) -> Path:
    """Ada silent since Monday 2 March; Grace replied on Tuesday; Alan (no email) referred."""
    local_workspace(workspace)
    monday = {"OUTREACH_NOW": "2026-03-02T09:00:00-05:00"}
    for address, name in [("ada@example.org", "Ada Lovelace"), ("grace@example.org", "Grace")]:
        assert run("contacts", "add", address, "--name", name, env=monday).exit_code == 0
    assert run("draft", "outreach", "ada@example.org", "grace@example.org",
               env=monday).exit_code == 0
    assert run("send", "--yes", env={"OUTREACH_NOW": "2026-03-02T10:00:00-05:00"}).exit_code == 0
    app = AppContext(workspace=Workspace(workspace))
    with app.store.transaction():
        app.store.contacts.upsert([ContactRecord(name="Alan Turing", source="linkedin")],
                                  "2026-03-02T09:00:00-05:00",
                                  referred_by=app.store.contacts.get("grace@example.org").id)
    drop(app, reply(row_for(app, "grace@example.org"), "grace@example.org",
                    at("2026-03-03 11:00")))
    assert run("sync", env={"OUTREACH_NOW": "2026-03-03T12:00:00-05:00"}).exit_code == 0
    return workspace


def test_due_json_is_overdue_first_with_stable_keys(pipeline: Path, run: Invoke) -> None:
    """Every item names the person, the action, when, whether overdue, why, and the exact
    command that does it; a script can act on it without reading the table."""
    result = run("due", "--json", env={"OUTREACH_NOW": "2026-03-12T09:00:00-04:00"})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {
            "contact": "grace@example.org",
            "name": "Grace",
            "action": "propose_times",
            "text": "propose new times",
            "due": "2026-03-03T11:00:00-05:00",
            "overdue": True,
            "drafted": False,
            "reason": "replied 2026-03-03, but every time offered has passed; propose new times",
            "command": "outreach draft newtimes grace@example.org",
        },
        {
            "contact": "ada@example.org",
            "name": "Ada Lovelace",
            "action": "follow_up",
            "text": "nudge (no reply)",
            "due": "2026-03-09T00:00:00-04:00",
            "overdue": True,
            "drafted": False,
            "reason": "no reply 5 business days after the first message (sent 2026-03-02)",
            "command": "outreach draft followup ada@example.org",
        },
    ]


def test_due_before_anything_is_due(pipeline: Path, run: Invoke) -> None:
    result = run("due", "--json", env={"OUTREACH_NOW": "2026-03-03T10:00:00-05:00"})
    assert json.loads(result.output) == []
    result = run("due", env={"OUTREACH_NOW": "2026-03-03T10:00:00-05:00"})
    assert "Nothing is due" in result.output


def test_due_table_says_what_to_run_next(pipeline: Path, run: Invoke) -> None:
    result = run("due", env={"OUTREACH_NOW": "2026-03-03T12:00:00-05:00", "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Due (1)" in out and "book a time" in out
    # Slot 1 (Tuesday morning) is over by noon: only the slots still ahead are offered.
    assert "outreach book grace@example.org --slot N (N = 2, 3)" in out
    assert "Alan" not in out  # no email address: nothing can be sent

    later = run("due", env={"OUTREACH_NOW": "2026-03-09T09:00:00-04:00", "COLUMNS": "200"})
    assert "Due (2)" in later.output
    assert "propose new times" in later.output and "nudge (no reply)" in later.output
    assert "outreach draft newtimes grace@example.org" in later.output
    assert "outreach draft followup ada@example.org" in later.output
