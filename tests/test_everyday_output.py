"""What a person reads every day: one line per kind of skip, right plurals, each summary once,
an empty selection said to be one, honest local sending, and progress only on a terminal."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from outreach.cli.output import plural, progress_bar
from tests.conftest import Invoke

NOW = {"OUTREACH_NOW": "2026-03-02T09:00:00-05:00"}


@pytest.fixture
def tagged(workspace: Path, run: Invoke, tmp_path: Path) -> Path:
    """24 alumni without an address (as in a LinkedIn export) and 2 with one."""
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace('busy = ["google"]', "busy = []"))
    rows = ["First Name,Last Name,URL,Email Address,Company,Position,Connected On"]
    rows += [f"P{i},Person,https://www.linkedin.com/in/p{i},,Org {i},Analyst,01 Jan 2025"
             for i in range(24)]
    rows += [
        "Ada,Lovelace,https://www.linkedin.com/in/ada,ada@example.org,Engines,Lead,01 Jan 2025",
        "Grace,Hopper,https://www.linkedin.com/in/gh,grace@example.org,Navy,Chief,01 Jan 2025",
    ]
    people = tmp_path / "Connections.csv"
    people.write_text("\n".join(rows) + "\n")
    result = run("contacts", "import", str(people), "--tag", "alumni")
    assert result.exit_code == 0, result.output
    return workspace


def test_contacts_without_an_address_are_one_summary_line(tagged: Path, run: Invoke) -> None:
    result = run("draft", "outreach", "--tag", "alumni", env=NOW)
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert skipped == [
        "skipped 24 contacts without an email address: `outreach contacts list --tag alumni "
        "--no-email` lists them; add one with `outreach contacts edit CONTACT --email ADDRESS`."
    ]
    assert "Drafts: 2 created, 0 updated, 0 failed, 24 skipped." in result.stdout
    listed = run("contacts", "list", "--tag", "alumni", "--no-email")
    assert "24 contacts" in listed.output
    verbose = run("--verbose", "draft", "outreach", "--tag", "alumni", "--dry-run", env=NOW)
    assert verbose.stderr.count("skipped P") == 24


def test_an_unknown_tag_is_an_error_that_says_so(tagged: Path, run: Invoke) -> None:
    result = run("draft", "outreach", "--tag", "nosuchtag", env=NOW)
    assert result.exit_code == 1
    assert "No contact has the tag 'nosuchtag'" in result.output
    assert "Tags in use: alumni." in result.output
    staged = run("draft", "outreach", "--tag", "alumni", "--stage", "replied", env=NOW)
    assert staged.exit_code == 1
    assert "None of the 26 contacts tagged 'alumni' is in stage 'replied'" in staged.output


def test_local_send_says_nothing_was_emailed_and_where_the_messages_are(
    tagged: Path, run: Invoke
) -> None:
    assert run("draft", "outreach", "--tag", "alumni", env=NOW).exit_code == 0
    asked = run("send", input="n\n", env=NOW)
    assert "Mark these 2 messages as sent? (local backend: nothing is emailed)" in asked.output
    result = run("send", "--yes", env=NOW)
    assert result.exit_code == 0, result.output
    assert "Sent 2" not in result.output
    assert f"Moved 2 of 2 messages to {tagged / 'sent'}: nothing was emailed" in result.output
    assert 'backend = "gmail"' in result.output and "outreach auth login" in result.output


def test_followup_prints_its_summary_once(workspace: Path, run: Invoke) -> None:
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace('busy = ["google"]', "busy = []"))
    for address, name in [("ada@example.org", "Ada"), ("grace@example.org", "Grace")]:
        assert run("contacts", "add", address, "--name", name, env=NOW).exit_code == 0
    assert run("draft", "outreach", "ada@example.org", "grace@example.org", env=NOW).exit_code == 0
    assert run("send", "--yes", env=NOW).exit_code == 0
    later = {"OUTREACH_NOW": "2026-03-10T09:00:00-04:00"}
    assert run("met", "grace@example.org", "--notes", "compilers", env=later).exit_code == 0
    result = run("followup", env=later)
    assert result.exit_code == 0, result.output
    assert result.output.count("Drafts:") == 1
    assert "Drafts: 2 created, 0 updated, 0 failed, 0 waiting." in result.output


def test_plurals() -> None:
    assert plural(1, "reply") == "1 reply"
    assert plural(2, "reply") == "2 replies"
    assert plural(3, "bounce") == "3 bounces"
    assert plural(2, "auto-reply") == "2 auto-replies"
    assert plural(0, "draft") == "0 drafts"
    assert plural(2, "day") == "2 days"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_on_stderr_at_a_terminal_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress_bar("Drafting", 40, delay=0) as bar:
        assert bar is not None
        bar(40)
    assert "Drafting" in terminal.getvalue()
    quick = _Terminal()
    monkeypatch.setattr(sys, "stderr", quick)
    with progress_bar("Drafting", 40) as bar:  # done before the bar's delay: nothing drawn
        assert bar is not None
        bar(40)
    assert quick.getvalue() == ""
    with progress_bar("Drafting", 40, enabled=False) as none:  # --json
        assert none is None
    with progress_bar("Drafting", 3) as short:  # too short to be worth a bar
        assert short is not None
        short(3)
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    with progress_bar("Drafting", 40) as bar:
        assert bar is None
    assert piped.getvalue() == ""
