"""`outreach doctor` tells the truth, in setup order, with a fix for every failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from outreach.services.doctor.checks import CHECKS
from tests.conftest import Invoke
from tests.fakegoogle.server import FakeGoogle
from tests.gmail_env import gmail_workspace

NOW = {"OUTREACH_NOW": "2026-03-02T09:00:00-05:00"}
ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:class-1@example.edu
DTSTART:20260303T150000Z
DTEND:20260303T160000Z
SUMMARY:Class
END:VEVENT
END:VCALENDAR
"""


def statuses(result_output: str) -> dict[str, str]:
    report = json.loads(result_output)
    return {check["name"]: check["status"] for check in report["checks"]}


def set_busy(home: Path, value: str) -> None:
    config = home / "config.toml"
    config.write_text(config.read_text().replace('busy = ["google"]', f"busy = {value}"))


def test_no_workspace_is_a_failure_not_ok(run: Invoke, isolated_environment: Path) -> None:
    result = run("doctor")
    assert result.exit_code == 1
    assert f"FAIL workspace     no workspace at {isolated_environment}" in result.output
    assert "Run `outreach init`" in result.output
    assert "not checked" in result.output and "config" in result.output
    assert not isolated_environment.exists()  # doctor creates nothing


def test_a_healthy_local_workspace_passes_in_setup_order(workspace: Path, run: Invoke) -> None:
    set_busy(workspace, "[]")
    result = run("doctor", env=NOW)
    assert result.exit_code == 0, result.output
    names = [line[5:18].strip() for line in result.output.splitlines() if line[:2] == "ok"]
    assert names == ["workspace", "config", "database", "user", "templates", "mail", "integrity",
                     "summary", "watch"]
    assert "nothing is emailed" in result.output
    assert "Everything checks out." in result.output
    report = json.loads(run("doctor", "--json", env=NOW).stdout)
    assert report["ok"] is True
    assert set(report["checks"][0]) == {"name", "status", "detail", "fix"}


def test_a_summary_changed_outside_outreach_is_rebuilt_from_the_history(
    workspace: Path, run: Invoke
) -> None:
    """The per-contact summary `status`, `due` and `contacts list` read is kept by triggers;
    a hand edit with the sqlite3 shell can still put it out of step. doctor notices and
    rebuilds it (it is derived data), and the stage shown is right again."""
    import sqlite3

    set_busy(workspace, "[]")
    assert run("contacts", "add", "ada@example.org", "--name", "Ada", env=NOW).exit_code == 0
    assert run("draft", "outreach", "ada@example.org", env=NOW).exit_code == 0
    assert run("send", "--yes", env=NOW).exit_code == 0
    before = json.loads(run("contacts", "list", "--json", env=NOW).stdout)
    assert [c["stage"] for c in before] == ["sent"]
    with sqlite3.connect(workspace / "outreach.db") as conn:
        conn.execute("UPDATE contact_summary SET first_sent_at = NULL, last_sent_at = NULL")
    assert json.loads(run("contacts", "list", "--json", env=NOW).stdout) != before
    result = run("doctor", env=NOW)
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.output.splitlines() if line[5:18].strip() == "summary"]
    assert "1 contact differed from their history" in line and "rebuilt" in line
    assert json.loads(run("contacts", "list", "--json", env=NOW).stdout) == before
    again = run("doctor", env=NOW)
    assert "each contact's kept summary matches their history" in again.output


def test_placeholders_fail_the_user_check(run: Invoke, isolated_environment: Path) -> None:
    assert run("init", "--email", "sam@example.edu").exit_code == 0
    result = run("doctor", env=NOW)
    assert result.exit_code == 1
    assert "FAIL user          [user] name is still the example's placeholder" in result.output
    assert 'outreach init --name "First Last"' in result.output


def test_each_busy_file_must_exist_and_parse(workspace: Path, run: Invoke) -> None:
    (workspace / "classes.ics").write_text(ICS)
    (workspace / "broken.ics").write_text("BEGIN:VCALENDAR\nthis is not a calendar\n")
    set_busy(workspace, '["classes.ics", "missing.ics", "broken.ics"]')
    result = run("doctor", "--json", env=NOW)
    assert result.exit_code == 1
    checks = [c for c in json.loads(result.stdout)["checks"] if c["name"] == "busy file"]
    assert [c["status"] for c in checks] == ["ok", "fail", "fail"]
    assert "1 busy time in the next 14 days" in checks[0]["detail"]
    assert "missing.ics" in checks[1]["detail"] and checks[1]["fix"]
    assert "broken.ics" in checks[2]["detail"] and checks[2]["fix"]
    # The checks after the calendars still ran.
    assert statuses(result.stdout)["templates"] == "ok"


def test_a_template_with_a_lint_error_fails(workspace: Path, run: Invoke) -> None:
    set_busy(workspace, "[]")
    (workspace / "templates" / "outreach.txt").write_text(
        "Subject: Hello\n\nHi {{ contact.first_name }}, can you get me a job?\n"
    )
    result = run("doctor", env=NOW)
    assert result.exit_code == 1
    assert "FAIL templates" in result.output
    assert "outreach templates lint" in result.output


def test_gmail_without_a_client_file_or_keyring_names_both(
    workspace: Path, run: Invoke
) -> None:
    set_busy(workspace, "[]")
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace('backend = "local"', 'backend = "gmail"'))
    result = run("doctor", "--json", env=NOW)
    assert result.exit_code == 1
    found = statuses(result.stdout)
    assert found["oauth client"] == "fail" and found["keyring"] == "fail"
    assert found["token"] == "skip"
    text = run("doctor", env=NOW).output
    assert "client_secret.json" in text and "Desktop app" in text
    assert text.index("oauth client") < text.index("keyring")


def test_a_connected_gmail_checks_token_scopes_api_and_calendar(
    tmp_path: Path, fake_google: FakeGoogle, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = gmail_workspace(tmp_path, fake_google, run, monkeypatch)
    set_busy(ws.root, "[]")
    config = ws.root / "config.toml"
    config.write_text(config.read_text().replace("busy = []", 'busy = ["google"]'))
    result = run("doctor", "--json")
    assert result.exit_code == 0, result.output
    found = statuses(result.stdout)
    for name in ("oauth client", "keyring", "token", "gmail api", "calendar"):
        assert found[name] == "ok", (name, result.stdout)


def test_a_token_without_the_scopes_needed_fails(
    tmp_path: Path, fake_google: FakeGoogle, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    gmail_workspace(tmp_path, fake_google, run, monkeypatch)
    info = fake_google.authorized_user_info(
        refresh_token="r2", scopes=["https://www.googleapis.com/auth/gmail.compose"]
    )
    token = tmp_path / "narrow.json"
    token.write_text(json.dumps(info))
    assert run("auth", "import", str(token)).exit_code == 0
    result = run("doctor")
    assert result.exit_code == 1
    assert "FAIL token" in result.output and "gmail.metadata" in result.output
    assert "auth login" in result.output


def test_checks_are_small_functions_in_setup_order() -> None:
    names = [check.__name__ for check in CHECKS]
    assert names[:6] == [
        "check_workspace",
        "check_config",
        "check_database",
        "check_user",
        "check_busy_files",
        "check_templates",
    ]
    assert names.index("check_keyring") < names.index("check_token") < names.index(
        "check_gmail_api"
    )


def test_a_bad_config_fails_once_and_the_rest_waits_for_it(workspace: Path, run: Invoke) -> None:
    config = workspace / "config.toml"
    config.write_text(config.read_text().replace('timezone = "America/New_York"',
                                                 'timezone = "Mars/Base"'))
    result = run("doctor", env=NOW)
    assert result.exit_code == 1
    assert "FAIL config" in result.output and "[user] timezone = 'Mars/Base'" in result.output
    assert "not checked   database, user, busy files, templates, mail, integrity" in result.output


def test_a_local_outbox_that_is_not_a_folder_fails(workspace: Path, run: Invoke) -> None:
    set_busy(workspace, "[]")
    (workspace / "outbox").write_text("oops")
    result = run("doctor", "--json", env=NOW)
    assert result.exit_code == 1
    [mail] = [c for c in json.loads(result.stdout)["checks"] if c["name"] == "mail"]
    assert mail["status"] == "fail" and "not a Maildir folder" in mail["detail"]
