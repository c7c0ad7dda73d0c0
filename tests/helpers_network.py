"""Set-up shared by the prepare / remember / keep-in-touch tests: a workspace whose user has a
pitch, a field and a video link, and the people of one small network, built through the CLI
the way a user would (local backend: replies are .eml files dropped into inbox/)."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

from click.testing import Result

from outreach.app import AppContext
from outreach.config import Workspace
from outreach.services.workspace.setup import set_user_key
from tests.conftest import Invoke
from tests.helpers_sync import at, configure, reply, row_for
from tests.test_sync_local import drop

PITCH = (
    "I'm Sam, finishing an MSc in statistics and moving from lab research into healthcare "
    "analytics."
)
JOIN = "https://meet.example.com/sam-rivera"


def now(text: str) -> dict[str, str]:
    return {"OUTREACH_NOW": text, "COLUMNS": "200"}


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def network_workspace(home: Path) -> None:
    configure(home, schedule={"busy": [], "how_to_join": JOIN})
    config = home / "config.toml"
    text = set_user_key(config.read_text(encoding="utf-8"), "field", "healthcare analytics")
    config.write_text(set_user_key(text, "pitch", PITCH), encoding="utf-8")


def app_for(home: Path) -> AppContext:
    return AppContext(workspace=Workspace(home))


def answer(home: Path, ref: str, when: str, body: str = "Happy to talk!", kind: str = "outreach"
           ) -> None:
    """``ref`` replies (in the thread) to our latest message of ``kind``; then sync."""
    app = app_for(home)
    contact = app.store.contacts.get(ref)
    drop(app, reply(row_for(app, ref, kind), f"{contact.name} <{ref}>", at(when), body=body))
    app.close()


def outbox_messages(home: Path, to: str) -> list[EmailMessage]:
    """Drafts (outbox/) and sent messages (sent/) to ``to``, oldest file first."""
    found = []
    for folder in ("outbox", "sent"):
        cur = home / folder / "cur"
        if not cur.is_dir():
            continue
        for path in sorted(cur.iterdir()):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            if to in str(message["To"]):
                found.append(message)
    return found


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def one_line(text: str) -> str:
    return " ".join(text.split())


def priya_met_and_referred_maya(home: Path, run: Invoke) -> None:
    """Priya (alumni, Chicago) answers on Monday 2 March, they talk on Wednesday, and she
    suggests Maya Chen; the thank-you and the note to Maya go out on Wednesday."""
    network_workspace(home)
    monday = now("2026-03-02T09:00:00-05:00")
    ok(run("contacts", "add", "priya@example.com", "--name", "Priya Raman", "--org",
           "Northwind Health", "--title", "Analytics Manager", "--tz", "America/Chicago",
           "--tag", "alumni", "--set", "connection=the State University alumni network",
           env=monday))
    ok(run("draft", "outreach", "priya@example.com", env=monday))
    ok(run("send", "--yes", env=now("2026-03-02T10:00:00-05:00")))
    answer(home, "priya@example.com", "2026-03-02 15:00")
    ok(run("sync", env=now("2026-03-02T16:00:00-05:00")))
    ok(run("met", "priya@example.com", "--notes", "start with the data, not the model",
           "--takeaways", "build a small forecasting project with public NHS data",
           "--referral", "Maya Chen <maya@example.org>", env=now("2026-03-04T11:00:00-05:00")))
    ok(run("followup", env=now("2026-03-04T11:05:00-05:00")))
    ok(run("send", "--yes", env=now("2026-03-04T12:00:00-05:00")))
