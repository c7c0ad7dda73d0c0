"""`outreach met` and `outreach referrals`: conversations recorded with notes, takeaways and
referrals; the notes editor; clear errors for bad input."""

from __future__ import annotations

import json
import stat
from datetime import datetime
from pathlib import Path

import pytest

from outreach.config import Workspace
from outreach.store import Store
from tests.conftest import Invoke
from tests.helpers_sync import local_workspace

NOW = {"OUTREACH_NOW": "2026-03-10T15:30:00-04:00"}


@pytest.fixture
def people(workspace: Path, run: Invoke) -> Path:
    local_workspace(workspace)
    for email, name in [("ada@example.org", "Ada Lovelace"), ("grace@example.org", "Grace Hopper"),
                        ("alan@example.org", "Alan Turing")]:
        result = run("contacts", "add", email, "--name", name, env=NOW)
        assert result.exit_code == 0, result.output
    return workspace


def store(home: Path) -> Store:
    return Store.open(Workspace(home).db_file)


def test_met_without_a_booking_records_a_meeting_now(people: Path, run: Invoke) -> None:
    result = run("met", "ada@example.org", "--notes", "moving from research into analytics",
                 "--takeaways", "ship small finished projects", env=NOW)
    assert result.exit_code == 0, result.output
    assert "recorded now (nothing was booked)" in result.output
    db = store(people)
    contact = db.contacts.get("ada@example.org")
    [meeting] = db.meetings.for_contact(contact.id)
    assert meeting.state == "held"
    assert meeting.end == meeting.met_at  # a conversation of the configured 20 minutes
    assert datetime.fromisoformat(meeting.end) == datetime.fromisoformat(NOW["OUTREACH_NOW"])
    minutes = datetime.fromisoformat(meeting.end) - datetime.fromisoformat(meeting.start)
    assert minutes.total_seconds() == 20 * 60
    assert meeting.notes == "moving from research into analytics"
    assert meeting.takeaways == "ship small finished projects"
    show = json.loads(run("contacts", "show", "ada@example.org", "--json", env=NOW).output)
    assert show["stage"] == "met"
    [due] = json.loads(run("due", "--json", env=NOW).output)
    assert (due["contact"], due["action"], due["due"], due["overdue"]) == (
        "ada@example.org", "thank_you", "2026-03-10T15:30:00-04:00", False
    )
    assert due["command"] == "outreach draft thankyou ada@example.org"


def test_met_marks_a_booked_meeting_held(people: Path, run: Invoke) -> None:
    db = store(people)
    contact = db.contacts.get("ada@example.org")
    with db.transaction():
        booked = db.meetings.create(contact_id=contact.id, start="2026-03-10T15:00:00-04:00",
                                    end="2026-03-10T15:20:00-04:00", uid="u1@example.edu",
                                    now="2026-03-05T09:00:00-05:00")
    result = run("met", "ada@example.org", "--notes", "portfolios", env=NOW)
    assert result.exit_code == 0, result.output
    assert "marked as held" in result.output
    [meeting] = db.meetings.for_contact(contact.id)
    assert (meeting.id, meeting.state, meeting.start) == (booked.id, "held", booked.start)
    assert meeting.met_at is not None
    assert datetime.fromisoformat(meeting.met_at) == datetime.fromisoformat(NOW["OUTREACH_NOW"])


def test_referrals_become_contacts_referred_by_the_person_met(people: Path, run: Invoke) -> None:
    db = store(people)
    with db.transaction():  # Alan was already referred by Grace: that stays
        db.contacts.update(db.contacts.get("alan@example.org").id, "2026-03-01T00:00:00+00:00",
                           referred_by=db.contacts.get("grace@example.org").id)
    result = run("met", "ada@example.org", "--notes", "portfolios",
                 "--referral", "Katherine Johnson <kj@example.net>",
                 "--referral", "Grace Hopper <grace@example.org>",
                 "--referral", "alan@example.org", env=NOW)
    assert result.exit_code == 0, result.output
    assert "added referral Katherine Johnson <kj@example.net>" in result.output
    assert "Grace Hopper <grace@example.org> is now marked as referred by Ada Lovelace" in (
        result.output
    )
    assert "already referred by someone else" in result.output
    ada = db.contacts.get("ada@example.org")
    assert db.contacts.get("kj@example.net").referred_by == ada.id
    assert db.contacts.get("kj@example.net").source == "referral"
    assert db.contacts.get("grace@example.org").referred_by == ada.id
    assert db.contacts.get("grace@example.org").name == "Grace Hopper"
    assert db.contacts.get("alan@example.org").referred_by != ada.id

    due = json.loads(run("due", "--json", env=NOW).output)
    assert {(d["contact"], d["action"]) for d in due} == {
        ("ada@example.org", "thank_you"),
        ("kj@example.net", "reach_referral"),
        ("grace@example.org", "reach_referral"),
        ("alan@example.org", "reach_referral"),
    }

    tree = run("referrals", env={**NOW, "COLUMNS": "200"})
    assert tree.exit_code == 0, tree.output
    assert "Ada Lovelace <ada@example.org> (met)" in tree.output
    assert "Katherine Johnson <kj@example.net> (new)" in tree.output
    as_json = json.loads(run("referrals", "--json", env=NOW).output)
    assert as_json == [
        {"contact": "ada@example.org", "name": "Ada Lovelace", "stage": "met", "referrals": [
            {"contact": "grace@example.org", "name": "Grace Hopper", "stage": "new", "referrals": [
                {"contact": "alan@example.org", "name": "Alan Turing", "stage": "new",
                 "referrals": []},
            ]},
            {"contact": "kj@example.net", "name": "Katherine Johnson", "stage": "new",
             "referrals": []},
        ]},
    ]


@pytest.mark.parametrize("bad", ["Katherine <not an address>", "<@example.net>", ""])
def test_bad_referral_syntax_names_the_argument(people: Path, run: Invoke, bad: str) -> None:
    result = run("met", "ada@example.org", "--notes", "x", "--referral", bad, env=NOW)
    assert result.exit_code == 2
    assert "--referral" in result.output
    assert "Name <email>" in result.output
    db = store(people)
    assert db.meetings.for_contact(db.contacts.get("ada@example.org").id) == []


def test_referral_to_themself_or_to_you_is_refused(people: Path, run: Invoke) -> None:
    result = run("met", "ada@example.org", "--notes", "x", "--referral", "Ada <ada@example.org>",
                 env=NOW)
    assert result.exit_code == 1
    assert "themself" in result.output
    result = run("met", "ada@example.org", "--notes", "x", "--referral", "Me <sam@example.edu>",
                 env=NOW)
    assert result.exit_code == 1
    assert "your own address" in result.output


def _editor(tmp_path: Path, body: str) -> str:
    script = tmp_path / "editor.sh"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n# a comment\\n" "{body}" > "$1"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if `met` ran at a terminal, where an editor can open."""
    monkeypatch.setattr("outreach.cli.output.interactive", lambda: True)


def test_without_a_terminal_met_asks_for_notes_instead_of_opening_an_editor(
    people: Path, run: Invoke, tmp_path: Path
) -> None:
    editor = _editor(tmp_path, "never used")
    result = run("met", "ada@example.org", env={**NOW, "EDITOR": editor, "VISUAL": editor})
    assert result.exit_code == 1
    assert "no terminal to ask the questions on" in result.output
    assert 'outreach met ada@example.org --notes "' in result.output
    db = store(people)
    assert db.meetings.for_contact(db.contacts.get("ada@example.org").id) == []


def test_notes_come_from_the_editor(
    people: Path, run: Invoke, tmp_path: Path, terminal: None
) -> None:
    """On a terminal, other options but no --notes: the notes are written in the editor."""
    editor = _editor(tmp_path, "how teams review models")
    result = run("met", "ada@example.org", "--takeaways", "read up on model review",
                 env={**NOW, "EDITOR": editor, "VISUAL": editor})
    assert result.exit_code == 0, result.output
    db = store(people)
    [meeting] = db.meetings.for_contact(db.contacts.get("ada@example.org").id)
    assert meeting.notes == "how teams review models"


def test_empty_notes_or_no_editor_is_a_clear_error(
    people: Path, run: Invoke, tmp_path: Path, terminal: None
) -> None:
    empty = _editor(tmp_path, "")
    result = run("met", "ada@example.org", "--takeaways", "x",
                 env={**NOW, "EDITOR": empty, "VISUAL": empty})
    assert result.exit_code == 1
    assert "No notes were written" in result.output
    missing = str(tmp_path / "no-such-editor")
    result = run("met", "ada@example.org", "--takeaways", "x",
                 env={**NOW, "EDITOR": missing, "VISUAL": missing})
    assert result.exit_code == 1
    assert "Could not open an editor" in result.output
    assert "--notes" in result.output
    db = store(people)
    assert db.meetings.for_contact(db.contacts.get("ada@example.org").id) == []


def test_met_an_unknown_contact(people: Path, run: Invoke) -> None:
    result = run("met", "nobody@example.org", "--notes", "x", env=NOW)
    assert result.exit_code == 1
    assert "No contact nobody@example.org" in result.output


def test_no_referrals_yet(people: Path, run: Invoke) -> None:
    result = run("referrals", env=NOW)
    assert result.exit_code == 0
    assert "No referrals yet" in result.output


def test_without_a_terminal_no_editor_opens_for_missing_notes(
    people: Path, run: Invoke, tmp_path: Path
) -> None:
    marker = tmp_path / "opened"
    editor = tmp_path / "editor.sh"
    editor.write_text(f'#!/bin/sh\ntouch "{marker}"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IXUSR)
    result = run("met", "ada@example.org", "--takeaways", "x",
                 env={**NOW, "EDITOR": str(editor), "VISUAL": str(editor)})
    assert result.exit_code == 1
    assert "no terminal to open an editor in" in result.output
    assert 'outreach met ada@example.org --notes "' in result.output
    assert not marker.exists()


def test_met_again_adds_without_asking_for_notes_again(people: Path, run: Invoke) -> None:
    assert run("met", "ada@example.org", "--notes", "portfolios", env=NOW).exit_code == 0
    result = run("met", "ada@example.org", "--takeaways", "build one", env=NOW)
    assert result.exit_code == 0, result.output
    db = store(people)
    [meeting] = db.meetings.for_contact(db.contacts.get("ada@example.org").id)
    assert (meeting.notes, meeting.takeaways) == ("portfolios", "build one")
