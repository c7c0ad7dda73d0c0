"""Sync on the local backend: .eml files dropped into the workspace's inbox/ Maildir are
threaded to our messages by In-Reply-To/References (a bounce by the original it returns) and
recorded by the same rules as Gmail's; a draft moved to sent/ by hand counts as sent."""

from __future__ import annotations

import itertools
import os
from email.message import EmailMessage
from pathlib import Path

import pytest

from outreach.app import AppContext
from outreach.services.sending.send import send_messages
from outreach.services.sync.run import sync
from outreach.track.pipeline import stage
from tests.conftest import Invoke
from tests.helpers_sync import (
    MAIL,
    add_contacts,
    assistant_reply,
    at,
    draft,
    local_app,
    local_workspace,
    newsletter,
    out_of_office,
    reply,
    row_for,
    set_now,
)

_counter = itertools.count()


def drop(app: AppContext, message: EmailMessage | bytes, folder: str = "new") -> Path:
    """Deliver a message into the workspace's inbox/ Maildir, as a mail client would."""
    data = message if isinstance(message, bytes) else message.as_bytes()
    root = app.workspace.inbox_dir
    for sub in ("tmp", "new", "cur"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    name = f"1772467200.M{next(_counter)}P{os.getpid()}.test"
    if folder == "cur":
        name += ":2,S"
    path = root / folder / name
    path.write_bytes(data)
    return path


def local_bounce(app: AppContext, address: str) -> bytes:
    """A DSN with no In-Reply-To/References: only the returned original names our message."""
    row = row_for(app, address)
    lines = (MAIL / "gmail_dsn_bounce.eml").read_bytes().splitlines(keepends=True)
    kept = [ln for ln in lines if not ln.startswith((b"In-Reply-To:", b"References:"))]
    text = b"".join(kept).replace(b"<outreach.1.abc@example.edu>", row.message_id.encode())
    return text.replace(b"ada@example.org", address.encode())


@pytest.fixture
def sent_local(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> AppContext:
    local_workspace(workspace)
    set_now(monkeypatch, at("2026-03-02 09:00"))
    app = local_app(workspace)
    add_contacts(
        app,
        ("Ada Lovelace", "ada@example.org"),
        ("Bob Bounce", "bob@nowhere.example.org"),
        ("Cat Away", "cat@example.org"),
        ("Dan Busy", "dan@example.org"),
        ("Grace Hopper", "grace@example.org"),
    )
    rows = draft(app, "outreach", "ada@example.org", "bob@nowhere.example.org",
                 "cat@example.org", "dan@example.org", "grace@example.org")
    set_now(monkeypatch, at("2026-03-02 10:00"))
    report = send_messages(app, rows)
    assert len(report.sent) == 5
    return app


def stages(app: AppContext) -> dict[str, str]:
    facts = app.store.facts()
    return {c.email or "": stage(facts[c.id]).value for c in app.store.contacts.all()}


def test_local_inbox_sync_records_each_kind_once(sent_local: AppContext) -> None:
    app = sent_local
    drop(app, reply(row_for(app, "ada@example.org"), "Ada <ada@example.org>",
                    at("2026-03-02 12:00")))
    drop(app, local_bounce(app, "bob@nowhere.example.org"), folder="cur")
    drop(app, out_of_office(row_for(app, "cat@example.org"), "cat@example.org",
                            at("2026-03-02 10:05"), "Friday 13 March"))
    drop(app, assistant_reply(row_for(app, "dan@example.org"), at("2026-03-03 09:00")))
    drop(app, newsletter(at("2026-03-03 08:00")))
    report = sync(app)
    assert report.backend == "local"
    assert report.counts() == {"reply": 2, "auto_reply": 1, "bounce": 1}
    assert stages(app) == {
        "ada@example.org": "replied",
        "bob@nowhere.example.org": "bounced",
        "cat@example.org": "sent",
        "dan@example.org": "replied",
        "grace@example.org": "sent",
    }
    kinds = sorted(e.kind for e in app.store.events.all())
    assert kinds == ["auto_reply", "bounce", "own_send", "own_send", "own_send", "own_send",
                     "own_send", "reply", "reply"]  # our five sends from sent/; no newsletter
    [auto] = [e for e in app.store.events.all() if e.kind == "auto_reply"]
    assert auto.return_date == "2026-03-13"
    [ada_reply] = [e for e in app.store.events.all() if e.sender == "ada@example.org"]
    assert ada_reply.occurred_at == "2026-03-02T17:00:00+00:00"
    assert ada_reply.gmail_id.startswith("local:<")

    again = sync(app)
    assert again.changes == [] and again.recorded == 0
    assert len(app.store.events.all()) == len(kinds)


def test_a_reply_to_a_reply_stays_in_the_thread(sent_local: AppContext) -> None:
    app = sent_local
    first = reply(row_for(app, "ada@example.org"), "ada@example.org", at("2026-03-02 12:00"))
    drop(app, first)
    sync(app)
    second = EmailMessage()
    second["From"] = "ada@example.org"
    second["To"] = "sam@example.edu"
    second["Subject"] = "Re: one more thing"
    second["Message-ID"] = "<second.reply@mail.example.org>"
    second["In-Reply-To"] = str(first["Message-ID"])  # only her own first reply
    second["Date"] = "Tue, 3 Mar 2026 09:00:00 -0500"
    second.set_content("Also: bring questions about forecasting.")
    drop(app, second)
    assert sync(app).counts() == {"reply": 1}
    facts = app.store.facts()[app.store.contacts.get("ada@example.org").id]
    assert facts.last_reply_at == at("2026-03-03 09:00")


def test_a_draft_moved_to_sent_by_hand_counts_as_sent(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_workspace(workspace)
    set_now(monkeypatch, at("2026-03-02 09:00"))
    app = local_app(workspace)
    add_contacts(app, ("Ada Lovelace", "ada@example.org"))
    [row] = draft(app, "outreach", "ada@example.org")
    assert row.draft_id
    [path] = list((workspace / "outbox" / "cur").iterdir())
    path.rename(workspace / "sent" / "cur" / path.name.replace(":2,D", ":2,S"))
    report = sync(app)
    assert report.counts() == {"sent": 1}
    sent = row_for(app, "ada@example.org")
    assert sent.state == "sent"
    assert sent.sent_at == "2026-03-02T14:00:00+00:00"  # the message's Date: drafted 09:00


def test_unrelated_mail_in_the_inbox_is_ignored(sent_local: AppContext) -> None:
    app = sent_local
    stranger = EmailMessage()
    stranger["From"] = "someone@example.net"
    stranger["To"] = "sam@example.edu"
    stranger["Subject"] = "Hello"
    stranger["Message-ID"] = "<unrelated@example.net>"
    stranger["Date"] = "Tue, 3 Mar 2026 09:00:00 -0500"
    stranger.set_content("Not about anything you sent.")
    drop(app, stranger)
    drop(app, b"this is not an email at all\n")
    report = sync(app)
    assert report.changes == []
    assert {e.kind for e in app.store.events.all()} == {"own_send"}


def test_dry_run_records_nothing(sent_local: AppContext) -> None:
    app = sent_local
    drop(app, reply(row_for(app, "ada@example.org"), "ada@example.org", at("2026-03-02 12:00")))
    report = sync(app, dry_run=True)
    assert report.counts() == {"reply": 1}
    assert app.store.events.count() == 0
    assert sync(app).counts() == {"reply": 1}


def test_sync_command_on_the_local_backend(sent_local: AppContext, run: Invoke) -> None:
    app = sent_local
    drop(app, reply(row_for(app, "ada@example.org"), "Ada <ada@example.org>",
                    at("2026-03-02 12:00")))
    result = run("sync", env={"OUTREACH_NOW": "2026-03-02T13:00:00-05:00"})
    assert result.exit_code == 0, result.output
    assert "Ada Lovelace <ada@example.org>: replied: Re: " in result.output
    assert "Synced the local inbox: 1 reply." in result.output
    show = run("contacts", "show", "ada@example.org", "--json")
    assert show.exit_code == 0, show.output
    assert '"kind": "reply"' in show.output
