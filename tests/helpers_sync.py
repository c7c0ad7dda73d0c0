"""Shared set-up for the sync, due, followup and met tests: a Gmail workspace pointed at the
fake server, an AppContext whose Gmail backend talks to it through the real client, and the
messages people send back (replies, out-of-office notes, bounces, newsletters).

Import the fixtures you use into a test module:
``from tests.helpers_sync import fake_gmail, file_keyring  # noqa: F401``.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from collections.abc import Iterator
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

import keyring
import pytest
from google.oauth2.credentials import Credentials

from outreach.app import AppContext
from outreach.clock import iso
from outreach.config import Workspace
from outreach.contacts.model import ContactRecord
from outreach.google.services import build_service, token_uri
from outreach.mail.gmail import GmailBackend
from outreach.mail.pacing import QuotaPacer
from outreach.services.drafting.drafts import draft_messages, plan_messages
from outreach.store import MessageRow
from tests.fakegoogle import FakeGoogle
from tests.keyrings import FileKeyring

USER = "sam@example.edu"
NY = ZoneInfo("America/New_York")
MAIL = Path(__file__).parent / "data" / "mail"


def at(text: str) -> datetime:
    """A New York wall-clock time: at("2026-03-02 10:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=NY)


def set_now(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """What `outreach` takes as now (OUTREACH_NOW)."""
    monkeypatch.setenv("OUTREACH_NOW", iso(moment))


# --- workspaces and apps ------------------------------------------------------------------


def configure(home: Path, **sections: dict[str, object]) -> None:
    """Set keys of config.toml, e.g. configure(home, mail={"backend": "gmail"})."""
    path = home / "config.toml"
    text = path.read_text(encoding="utf-8")
    for section, values in sections.items():
        for key, value in values.items():
            line = f"{key} = {json.dumps(value)}"
            pattern = rf"(?ms)(^\[{section}\]\n.*?^){key} = [^\n]*$"

            def replace(match: re.Match[str], line: str = line) -> str:
                return match.group(1) + line

            text, count = re.subn(pattern, replace, text, count=1)
            assert count == 1, f"no [{section}] {key} in config.toml"
    path.write_text(text, encoding="utf-8")


def gmail_workspace(home: Path, fake: FakeGoogle) -> None:
    """Point an initialised workspace at the fake Gmail, with no calendar busy source."""
    configure(home, mail={"backend": "gmail"}, google={"api_root": fake.url},
              schedule={"busy": []})


def local_workspace(home: Path) -> None:
    configure(home, schedule={"busy": []})


def gmail_backend(fake: FakeGoogle, *, num_retries: int = 1, units_per_second: float = 250,
                  timeout: float = 10) -> GmailBackend:
    info = fake.authorized_user_info()  # a refresh token the user granted the tool's scopes
    creds = Credentials(
        token=info["token"],
        refresh_token=info["refresh_token"],
        client_id=info["client_id"],
        client_secret=info["client_secret"],
        token_uri=token_uri(fake.url),
    )
    service = build_service("gmail", creds, api_root=fake.url, timeout=timeout)
    return GmailBackend(service, QuotaPacer(units_per_second), num_retries=num_retries)


def gmail_app(home: Path, fake: FakeGoogle, *, num_retries: int = 1) -> AppContext:
    """An AppContext on the workspace whose Gmail backend talks to ``fake``."""
    backend = gmail_backend(fake, num_retries=num_retries)
    return AppContext(workspace=Workspace(home), _mail=backend)


def local_app(home: Path) -> AppContext:
    return AppContext(workspace=Workspace(home))


@pytest.fixture
def fake_gmail() -> Iterator[FakeGoogle]:
    """A running fake Google whose account is the workspace user's."""
    fake = FakeGoogle(email=USER).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A file-backed keyring for CLI runs that build the Gmail backend themselves."""
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.keyrings.FileKeyring")
    monkeypatch.setenv("OUTREACH_TEST_KEYRING", str(tmp_path / "keyring.json"))
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def save_token(fake: FakeGoogle, account: str = USER) -> None:
    from outreach.google import keychain

    keychain.save_token(account, json.dumps(fake.authorized_user_info()))


# --- contacts and drafts ------------------------------------------------------------------


def add_contacts(app: AppContext, *people: tuple[str, str]) -> None:
    records = [ContactRecord(name=name, email=address) for name, address in people]
    with app.store.transaction():
        app.store.contacts.upsert(records, iso(app.now()))


def draft(app: AppContext, template: str, *refs: str) -> list[MessageRow]:
    contacts = [app.store.contacts.get(ref) for ref in refs]
    planned, skipped = plan_messages(app, template, contacts)
    assert not skipped, skipped
    report = draft_messages(app, planned)
    assert not report.failed, report.failed
    return [app.store.messages.by_key(plan.idem_key) for plan in planned]  # type: ignore[misc]


def row_for(app: AppContext, ref: str, kind: str = "outreach") -> MessageRow:
    contact = app.store.contacts.get(ref)
    rows = [r for r in app.store.messages.for_contact(contact.id) if r.kind == kind]
    assert rows, f"no {kind} message for {ref}"
    return rows[-1]


# --- what comes back ----------------------------------------------------------------------


def load_eml(name: str) -> EmailMessage:
    msg = email.message_from_bytes((MAIL / name).read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _answer(row: MessageRow, message: EmailMessage, when: datetime) -> EmailMessage:
    """Make ``message`` answer our message ``row``: threading headers, a fresh id, a date."""
    for name in ("In-Reply-To", "References", "Message-ID", "Date"):
        del message[name]
    message["In-Reply-To"] = row.message_id
    message["References"] = row.message_id
    message["Message-ID"] = make_msgid(domain="mail.example.org")
    message["Date"] = format_datetime(when)
    return message


def reply(
    row: MessageRow, sender: str, when: datetime, body: str = "Happy to talk!"
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = USER
    message["Subject"] = f"Re: {row.subject}"
    message.set_content(body)
    return _answer(row, message, when)


def assistant_reply(row: MessageRow, when: datetime) -> EmailMessage:
    message = load_eml("assistant_reply.eml")
    message.replace_header("Subject", f"Re: {row.subject}")
    return _answer(row, message, when)


def out_of_office(row: MessageRow, sender: str, when: datetime, back: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = USER
    message["Subject"] = f"Automatic reply: {row.subject}"
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(f"Thank you for your message. I am out of the office until {back}.")
    return _answer(row, message, when)


def bounce(row: MessageRow, failed: str, when: datetime) -> EmailMessage:
    """A Gmail-style delivery status notification for our message ``row``."""
    message = load_eml("gmail_dsn_bounce.eml")
    message.replace_header("X-Failed-Recipients", failed)
    body = message.as_string().replace("ada@example.org", failed)
    parsed = email.message_from_string(body, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return _answer(row, parsed, when)


def newsletter(when: datetime) -> EmailMessage:
    message = load_eml("newsletter.eml")
    del message["Date"]
    message["Date"] = format_datetime(when)
    return message
