"""`outreach followup` end to end on the local backend: nudges in the thread after five silent
business days, a thank-you that quotes the notes and names the referral, the referral's own
outreach, and a keep-in-touch note 90 days on; each drafted once."""

from __future__ import annotations

import email
import email.policy
import json
from email.message import EmailMessage
from pathlib import Path

import pytest

from outreach.app import AppContext
from outreach.config import Workspace
from outreach.services.drafting.followups import draft_due
from outreach.store import Store
from tests.conftest import Invoke
from tests.helpers_sync import at, local_workspace, reply, set_now
from tests.test_sync_local import drop


def now(text: str) -> dict[str, str]:
    return {"OUTREACH_NOW": text}


def ok(result: object) -> str:
    from click.testing import Result

    assert isinstance(result, Result)
    assert result.exit_code == 0, result.output
    return result.output


def outbox(home: Path, to: str, containing: str) -> EmailMessage:
    """The one draft in the outbox Maildir to ``to`` whose text contains ``containing``."""
    found = []
    for path in sorted((home / "outbox" / "cur").iterdir()):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        if to in str(message["To"]) and containing in " ".join(body(message).split()):
            found.append(message)
    assert len(found) == 1, f"{len(found)} drafts to {to} containing {containing!r}"
    return found[0]


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def sent(workspace: Path, run: Invoke) -> Path:
    """Ada and Grace were written to on Monday 2 March at 10:00 (local backend)."""
    local_workspace(workspace)
    monday = now("2026-03-02T09:00:00-05:00")
    for address, name, org in [("ada@example.org", "Ada Lovelace", "Analytical Engines"),
                               ("grace@example.org", "Grace Hopper", "Navy")]:
        ok(run("contacts", "add", address, "--name", name, "--org", org, env=monday))
    ok(run("draft", "outreach", "ada@example.org", "grace@example.org", env=monday))
    ok(run("send", "--yes", env=now("2026-03-02T10:00:00-05:00")))
    return workspace


def test_the_whole_follow_up_cycle(sent: Path, run: Invoke) -> None:
    db = Store.open(Workspace(sent).db_file)
    friday = now("2026-03-06T12:00:00-05:00")
    assert "Nothing is due" in ok(run("followup", env=friday))

    monday = now("2026-03-09T08:00:00-04:00")
    messages_before = len(db.conn.execute("SELECT id FROM messages").fetchall())
    preview = ok(run("followup", "--dry-run", env=monday))
    assert "followup     Ada Lovelace <ada@example.org>" in preview
    assert "followup     Grace Hopper <grace@example.org>" in preview
    assert "Dry run: 2 drafts would be written" in preview
    assert len(db.conn.execute("SELECT id FROM messages").fetchall()) == messages_before

    ok(run("followup", env=monday))
    [ada_outreach] = [r for r in db.messages.for_contact(db.contacts.get("ada@example.org").id)
                      if r.kind == "outreach"]
    nudge = outbox(sent, "ada@example.org", "slipped past")
    assert nudge["Subject"] == f"Re: {ada_outreach.subject}"
    assert nudge["In-Reply-To"] == ada_outreach.message_id
    assert ada_outreach.message_id in str(nudge["References"])
    due = json.loads(ok(run("due", "--json", env=monday)))
    nudges = [d for d in due if d["action"] == "follow_up"]
    assert {(d["contact"], d["drafted"], d["command"]) for d in nudges} == {
        ("ada@example.org", True, "outreach send ada@example.org"),
        ("grace@example.org", True, "outreach send grace@example.org"),
    }  # drafted, so due says to send them until they are sent
    again = ok(run("followup", env=monday))  # drafted once, not twice
    assert "Nothing new to draft" in again and again.count("to send") == 2

    # Ada answers; the meeting happens; she suggests someone.
    ok(run("send", "ada@example.org", "--yes", env=now("2026-03-09T09:00:00-04:00")))
    app = AppContext(workspace=Workspace(sent))
    drop(app, reply(ada_outreach, "Ada <ada@example.org>", at("2026-03-09 12:00")))
    ok(run("sync", env=now("2026-03-09T13:00:00-04:00")))
    met = now("2026-03-12T15:30:00-04:00")
    ok(run("met", "ada@example.org", "--notes", "building a portfolio of small projects",
           "--takeaways", "ask teams how they review models",
           "--referral", "Katherine Johnson <kj@example.net>", env=met))
    preview = ok(run("followup", "--dry-run", env=met))
    # In her thread, so its subject is the thread's: what the preview shows is what is sent.
    assert f"thankyou     Ada Lovelace <ada@example.org>: Re: {ada_outreach.subject}" in preview
    assert "referral     Katherine Johnson <kj@example.net>: Ada suggested I get in touch" in (
        preview
    )
    ok(run("followup", env=met))
    thanks = outbox(sent, "ada@example.org", "Thank you for taking the time")
    text = " ".join(body(thanks).split())
    assert "what you said about building a portfolio of small projects" in text  # notes
    assert "I'm going to ask teams how they review models." in text  # takeaways
    assert "suggesting I speak with Katherine Johnson" in text
    assert thanks["Subject"] == f"Re: {ada_outreach.subject}"  # in her thread
    assert thanks["In-Reply-To"] is not None
    intro = outbox(sent, "kj@example.net", "Ada Lovelace at Analytical Engines suggested")
    assert intro["Subject"] == "Ada suggested I get in touch"
    assert intro["To"] == "Katherine Johnson <kj@example.net>"
    assert "Nothing new to draft" in ok(run("followup", env=met))

    # Ninety days after the thank-you went out, a keep-in-touch note.
    ok(run("send", "ada@example.org", "--yes", env=now("2026-03-12T17:00:00-04:00")))
    june = ok(run("followup", env=now("2026-06-09T08:00:00-04:00")))
    assert "Nothing new to draft" in june  # the referral note still waits to be sent
    assert "to send  Katherine Johnson <kj@example.net>" in june
    later = now("2026-06-10T08:00:00-04:00")
    due = json.loads(ok(run("due", "--json", env=later)))
    assert ("ada@example.org", "keep_in_touch") in {(d["contact"], d["action"]) for d in due}
    ok(run("followup", env=later))
    # The referral note to Katherine still waits to be sent: the news says just that.
    note = outbox(sent, "ada@example.org", "I'm about to write to Katherine Johnson, as you")
    assert "After our conversation I set out to ask teams how they review models," in " ".join(
        body(note).split()
    )
    due = json.loads(ok(run("due", "--json", env=later)))
    [keep] = [d for d in due if (d["contact"], d["action"]) == ("ada@example.org", "keep_in_touch")]
    assert keep["drafted"] and keep["command"] == "outreach send ada@example.org"
    ok(run("send", "ada@example.org", "--yes", env=later))
    due = json.loads(ok(run("due", "--json", env=later)))
    assert ("ada@example.org", "keep_in_touch") not in {(d["contact"], d["action"]) for d in due}
    # Grace never answered her nudge: months later, the suggestion is to close, not nudge.
    assert ("grace@example.org", "close") in {(d["contact"], d["action"]) for d in due}


def test_a_thank_you_waits_for_notes(
    workspace: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_workspace(workspace)
    ok(run("contacts", "add", "ada@example.org", "--name", "Ada Lovelace"))
    db = Store.open(Workspace(workspace).db_file)
    contact = db.contacts.get("ada@example.org")
    with db.transaction():
        db.meetings.create(contact_id=contact.id, start="2026-03-10T15:00:00-04:00",
                           end="2026-03-10T15:20:00-04:00", uid="u@example.edu",
                           now="2026-03-05T09:00:00-05:00")
    set_now(monkeypatch, at("2026-03-10 16:00"))
    app = AppContext(workspace=Workspace(workspace))
    outcome = draft_due(app)
    assert outcome.total == 0
    [(label, reason)] = outcome.skipped
    assert label == "Ada Lovelace <ada@example.org>"
    assert 'outreach met ada@example.org --notes "..."' in reason
    table = ok(run("due", env={**now("2026-03-10T16:00:00-04:00"), "COLUMNS": "200"}))
    assert "thank them" in table and "outreach met ada@example.org" in table
