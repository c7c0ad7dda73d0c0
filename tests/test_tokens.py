"""Tokens that die: Google expires a Testing-mode app's refresh tokens 7 days after login, and
any token can be revoked. Each command then says why and what to do, `watch` waits for a new
login without spinning, `doctor` and `auth status` say what the token holds and when it dies.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from outreach.app import AppContext
from outreach.config import Workspace
from outreach.google import keychain
from outreach.services.sync.run import SyncReport
from outreach.services.sync.watch import watch
from tests.conftest import Invoke
from tests.fakegoogle import FakeGoogle
from tests.helpers_sync import (
    USER,
    add_contacts,
    at,
    configure,
    draft,
    fake_gmail,  # noqa: F401
    file_keyring,  # noqa: F401
    gmail_workspace,
    reply,
    row_for,
    set_now,
)

REFRESH = "1//refresh-of-the-first-login"


def login_as_user(fake: FakeGoogle, refresh: str = REFRESH) -> None:
    """What `outreach auth login` leaves in the keyring: a refresh token granted now."""
    from outreach.clock import iso
    from outreach.google.auth import SCOPES

    info = fake.authorized_user_info(refresh_token=refresh, scopes=SCOPES)
    info["token"] = None  # the first call refreshes, as after a real login's hour is over
    info["login_at"] = iso(fake.clock.now())
    keychain.save_token(USER, json.dumps(info))


@pytest.fixture
def keyring_app(
    workspace: Path, fake_gmail: FakeGoogle, file_keyring: None,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> AppContext:
    """A Gmail workspace whose backend is built from the keyring, as every command builds it;
    one outreach draft for Ada, sent from Gmail. The user logged in on Monday 2 March 09:00."""
    gmail_workspace(workspace, fake_gmail)
    fake_gmail.set_now(at("2026-03-02 09:00"))
    fake_gmail.set_access_token(None)  # only tokens from refreshes are accepted
    login_as_user(fake_gmail)
    set_now(monkeypatch, at("2026-03-02 09:00"))
    app = AppContext(workspace=Workspace(workspace))
    add_contacts(app, ("Ada Lovelace", "ada@example.org"))
    [row] = draft(app, "outreach", "ada@example.org")
    assert row.draft_id
    fake_gmail.send_draft_as_user(row.draft_id)
    return app


def a_week_later(fake: FakeGoogle) -> None:
    """Eight days after the login: the access token and (Testing mode) the refresh token
    are dead."""
    fake.advance(timedelta(days=8))


def test_a_testing_apps_token_dies_after_7_days_and_the_error_says_why_and_what_to_do(
    keyring_app: AppContext, fake_gmail: FakeGoogle, run: Invoke  # noqa: F811
) -> None:
    assert run("sync").exit_code == 0
    a_week_later(fake_gmail)
    result = run("sync")
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "invalid_grant (Token has been expired or revoked.)" in text
    assert "Testing mode gets refresh tokens that expire 7 days after login" in text
    assert "Run `outreach auth login` to reconnect" in text
    assert 'press "Publish app"' in text and "Google hasn't verified this app" in text
    assert "Traceback" not in result.output


def test_a_revoked_token_gives_the_same_clear_error_for_a_draft(
    keyring_app: AppContext, fake_gmail: FakeGoogle, run: Invoke  # noqa: F811
) -> None:
    fake_gmail.expire_tokens()
    fake_gmail.revoke_refresh_token(REFRESH)  # the user removed access in their account
    result = run("draft", "followup", "ada@example.org")
    assert result.exit_code == 1
    assert "invalid_grant" in result.output and "outreach auth login" in result.output


def test_watch_says_so_once_waits_without_calling_google_and_resumes_after_a_new_login(
    keyring_app: AppContext, fake_gmail: FakeGoogle  # noqa: F811
) -> None:
    reports: list[SyncReport] = []
    dead: list[tuple[str, str | None]] = []
    reconnected: list[int] = []
    sleeps: list[float] = []
    requests_while_waiting: list[int] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 1:  # a week passes between two syncs
            a_week_later(fake_gmail)
        elif len(sleeps) in (3, 4):
            requests_while_waiting.append(len(fake_gmail.requests))
        if len(sleeps) == 4:  # the user logs in again in another terminal; Ada replies
            login_as_user(fake_gmail, "1//refresh-of-the-second-login")
            fake_gmail.deliver(reply(row_for(keyring_app, "ada@example.org"), "ada@example.org",
                                     at("2026-03-10 12:00")))

    cycles = watch(
        keyring_app, 60, on_report=reports.append,
        on_error=lambda message, wait: pytest.fail(f"not a transient error: {message}"),
        on_token_dead=lambda message, hint: dead.append((message, hint)),
        on_reconnected=lambda: reconnected.append(len(sleeps)),
        sleep=sleep, max_cycles=5,
    )
    assert cycles == 5
    assert len(dead) == 1 and "7 days after login" in dead[0][0]
    assert dead[0][1] is not None and "outreach auth login" in dead[0][1]
    assert sleeps == [60, 60, 60, 60]  # no busy loop, no growing back-off
    assert requests_while_waiting[0] == requests_while_waiting[1]  # Google left alone
    assert reconnected == [4]
    assert [r.counts() for r in reports] == [{"sent": 1}, {"reply": 1}]


def test_the_watch_command_prints_the_dead_token_once(
    keyring_app: AppContext, fake_gmail: FakeGoogle, run: Invoke  # noqa: F811
) -> None:
    assert run("sync").exit_code == 0
    a_week_later(fake_gmail)
    result = run("watch", "--interval", "1", "--max-cycles", "3")
    assert result.exit_code == 0, result.output
    assert result.output.count("invalid_grant") == 1
    assert result.output.count("Waiting for a new sign-in") == 1


def token_line(output: str) -> str:
    """doctor's "token" line."""
    return next(line for line in output.splitlines() if re.match(r"^\S+\s+token\s", line))


def test_doctor_reports_the_tokens_state(
    keyring_app: AppContext, fake_gmail: FakeGoogle, run: Invoke  # noqa: F811
) -> None:
    alive = run("doctor")
    assert alive.exit_code == 0, alive.output
    assert "token" in alive.output and "mail read access: gmail.metadata" in alive.output
    a_week_later(fake_gmail)
    dead = run("doctor")
    assert dead.exit_code == 1
    line = token_line(dead.output)
    assert line.startswith("FAIL")
    assert "invalid_grant" in line and "Testing mode" in line
    assert "Publish app" in dead.output


def test_doctor_and_status_say_which_read_scope_is_held(
    keyring_app: AppContext, fake_gmail: FakeGoogle, run: Invoke  # noqa: F811
) -> None:
    configure(keyring_app.workspace.root, google={"read_scope": "readonly"})
    result = run("doctor")  # the login granted gmail.metadata, config wants gmail.readonly
    assert result.exit_code == 1
    line = token_line(result.output)
    assert line.startswith("FAIL") and "invalid_scope" in line
    assert "config.toml needs gmail.readonly" in line and "gmail.metadata: headers" in line
    status = run("auth", "status")
    assert "mail read  gmail.metadata: headers and labels, no message text" in status.output
