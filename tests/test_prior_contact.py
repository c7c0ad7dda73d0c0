"""Prior contact is known: the first sync reads, from headers only, whom the user already wrote
to and heard from; `draft` says so before a "cold" first message, and `contacts show` says when
they last exchanged mail."""

from __future__ import annotations

import json
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest

from outreach.mail.maildir import ensure_maildir, write_atomically
from tests.conftest import Invoke
from tests.fakegoogle import FakeGoogle
from tests.fakegoogle.fixtures import fake_google  # noqa: F401
from tests.gmail_env import gmail_workspace

NOW = {"OUTREACH_NOW": "2026-03-02T09:00:00-05:00"}


def mail(sender: str, to: str, when: str, subject: str = "Catching up") -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.fromisoformat(when))
    message["Message-ID"] = make_msgid(domain="example.net")
    message.set_content("A long body that prior contact never needs to read.\n" * 50)
    return message


def people(run: Invoke) -> None:
    for email, name in (("old@example.org", "Olga Old"), ("new@example.org", "Nina New")):
        assert run("contacts", "add", email, "--name", name, env=NOW).exit_code == 0


def check_what_the_user_sees(run: Invoke) -> None:
    drafted = run("draft", "outreach", "old@example.org", "new@example.org", env=NOW)
    assert drafted.exit_code == 0, drafted.output
    assert "remember Olga Old <old@example.org>: you already know them" in drafted.output
    assert "you last wrote to them on 2025-06-01" in drafted.output
    assert "they last wrote to you on 2025-06-03" in drafted.output
    assert "Nina New <new@example.org>: you already know" not in drafted.output
    shown = json.loads(run("contacts", "show", "old@example.org", "--json", env=NOW).output)
    prior = shown["prior_contact"]
    assert prior["last_sent"].startswith("2025-06-01")
    assert prior["last_received"].startswith("2025-06-03")
    fresh = json.loads(run("contacts", "show", "new@example.org", "--json", env=NOW).output)
    assert fresh["prior_contact"] == {"last_sent": None, "last_received": None}


def test_local_first_sync_learns_prior_contact_from_sent_and_inbox(
    workspace: Path, run: Invoke
) -> None:
    for folder in ("sent", "inbox"):
        ensure_maildir(workspace / folder)
    user = "Sam Rivera <sam@example.edu>"
    written = [
        ("sent", mail(user, "Olga <old@example.org>", "2025-05-01T10:00:00+00:00")),
        ("sent", mail(user, "Olga <old@example.org>", "2025-06-01T10:00:00+00:00")),
        ("inbox", mail("Olga <OLD@example.org>", user, "2025-06-03T10:00:00+00:00")),
        ("inbox", mail("Someone <else@example.com>", user, "2025-07-01T10:00:00+00:00")),
    ]
    for number, (folder, message) in enumerate(written):
        write_atomically(workspace / folder, f"prior-{number}:2,S", message.as_bytes())
    people(run)
    synced = run("sync", env=NOW)
    assert synced.exit_code == 0, synced.output
    check_what_the_user_sees(run)


def test_gmail_first_sync_learns_prior_contact_from_sent_and_inbox_headers(
    tmp_path: Path,
    fake_google: FakeGoogle,  # noqa: F811
    run: Invoke,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gmail_workspace(tmp_path, fake_google, run, monkeypatch)
    user = f"Sam Rivera <{fake_google.email}>"
    for message, labels, when in (
        (mail(user, "old@example.org", "2025-05-01T10:00:00+00:00"), ["SENT"], "2025-05-01"),
        (mail(user, "old@example.org", "2025-06-01T10:00:00+00:00"), ["SENT"], "2025-06-01"),
        (mail("old@example.org", user, "2025-06-03T10:00:00+00:00"), ["INBOX"], "2025-06-03"),
    ):
        fake_google.deliver(
            message, labels=labels, internal_date=datetime.fromisoformat(f"{when}T10:00:00+00:00")
        )
    people(run)
    fake_google.reset_log()
    synced = run("sync", env=NOW)
    assert synced.exit_code == 0, synced.output
    gets = [c for c in fake_google.calls if c.method_id == "gmail.users.messages.get"]
    assert gets and all(c.param("format") == "metadata" for c in gets)
    check_what_the_user_sees(run)
    fake_google.reset_log()
    assert run("sync", env=NOW).exit_code == 0  # read once per workspace
    assert not any(
        c.method_id == "gmail.users.messages.list" for c in fake_google.calls
    )
