"""Meeting times from the user's real Google Calendar, and invites sent in the Gmail thread."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import icalendar
import pytest

from tests.conftest import Invoke
from tests.fakegoogle.server import FakeGoogle
from tests.gmail_env import GmailWorkspace, gmail_workspace


@pytest.fixture
def gmail(
    tmp_path: Path, fake_google: FakeGoogle, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> GmailWorkspace:
    ws = gmail_workspace(tmp_path, fake_google, run, monkeypatch, contacts=4)
    config = ws.root / "config.toml"
    config.write_text(config.read_text().replace("busy = []", 'busy = ["google"]'))
    return ws


def test_slots_avoid_busy_times_from_google_calendar(gmail: GmailWorkspace, run: Invoke) -> None:
    # Busy all of Tuesday and Wednesday morning (New York), 14:00-17:00 UTC.
    busy = [
        (datetime(2026, 3, 3, 13, 0, tzinfo=UTC), datetime(2026, 3, 3, 23, 0, tzinfo=UTC)),
        (datetime(2026, 3, 4, 14, 0, tzinfo=UTC), datetime(2026, 3, 4, 17, 0, tzinfo=UTC)),
    ]
    gmail.fake.set_busy("primary", busy)
    result = run("slots", "--json", "--count", "5")
    assert result.exit_code == 0, result.output
    proposed = [
        (datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"]))
        for s in json.loads(result.output)
    ]
    assert len(proposed) == 5
    for start, end in proposed:
        for busy_start, busy_end in busy:
            assert end <= busy_start or start >= busy_end, (start, busy_start)
    assert gmail.fake.count("freeBusy") == 1


def test_book_send_puts_the_invite_in_the_contacts_gmail_thread(
    gmail: GmailWorkspace, run: Invoke
) -> None:
    assert run("draft", "outreach", "person001@example.org").exit_code == 0
    assert run("send", "--yes").exit_code == 0
    [outreach_sent] = gmail.fake.messages(label="SENT")
    result = run("book", "person001@example.org", "--slot", "1", "--send")
    assert result.exit_code == 0, result.output
    assert "the invite (\"Re: " in result.output and "was sent." in result.output
    sent = gmail.fake.messages(label="SENT")
    assert len(sent) == 2
    invite = next(m for m in sent if m.message_id != outreach_sent.message_id)
    assert invite.thread_id == outreach_sent.thread_id
    assert str(invite.header("In-Reply-To")).strip("<>") == outreach_sent.message_id.strip("<>")
    part = next(p for p in invite.email.walk() if p.get_content_type() == "text/calendar")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar = icalendar.Calendar.from_ical(payload)
    assert str(calendar["METHOD"]) == "REQUEST"
