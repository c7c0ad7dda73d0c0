"""Delivered in their morning by Outlook itself: on the Microsoft backend, `send` hands each
message that waits for its recipient's window to the server (deferred send), so it goes at
its time with this machine off. A batch sent on a Friday afternoon in New York reaches each
contact inside 08:00-10:00 of their own Monday (Tuesday in Sydney), once, dated when it went;
one taken back before its time never goes; the daily cap counts each on the day it goes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import Invoke
from tests.fakemicrosoft.mailbox import parse_mime
from tests.fakemicrosoft.server import FakeMicrosoft
from tests.helpers_sync import configure
from tests.microsoft_env import MicrosoftWorkspace, microsoft_workspace
from tests.test_delivery_queue import (
    FRIDAY_AFTERNOON,
    PEOPLE,
    at,
    held_starts,
    ok,
    sent_at,
)

pytest_plugins = ["tests.fakemicrosoft.fixtures"]

MONDAY_NOON = "2026-03-09T12:00:00-04:00"
TUESDAY_EVENING = "2026-03-10T19:00:00-04:00"


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture
def outlook(
    tmp_path: Path, fake_microsoft: FakeMicrosoft, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> MicrosoftWorkspace:
    """Six contacts in six zones, drafted into Outlook on Friday afternoon."""
    ws = microsoft_workspace(tmp_path, fake_microsoft, run, monkeypatch)
    configure(ws.root, mail={"deliver_window": "08:00-10:00"})
    fake_microsoft.set_now(moment(FRIDAY_AFTERNOON))
    for address, (name, zone) in PEOPLE.items():
        ok(run("contacts", "add", address, "--name", name, "--tz", zone, "--org", "Acme",
               env=at(FRIDAY_AFTERNOON)))
    ok(run("draft", "outreach", *PEOPLE, env=at(FRIDAY_AFTERNOON)))
    assert len(fake_microsoft.drafts()) == 6
    return ws


def delivered(fake: FakeMicrosoft) -> dict[str, list[EmailMessage]]:
    """What left the mailbox, by recipient, parsed back."""
    found: dict[str, list[EmailMessage]] = {}
    for raw in fake.delivered():
        message = parse_mime(raw)
        found.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
    return found


def test_a_friday_batch_is_held_by_outlook_and_reaches_each_morning_once(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    out = ok(run("send", "--yes", env=at(FRIDAY_AFTERNOON)))
    assert "Outlook holds 6 messages until the recipients' morning" in out
    assert "even with this machine off" in out
    assert "only while `outreach watch` runs" not in out
    assert fake.delivered() == []  # nothing went on Friday
    assert len(fake.deferred.held) == 6  # each waits on the server, not on this machine

    listed = ok(run("queue", env=at(FRIDAY_AFTERNOON)))
    assert listed.count("held by Outlook") == 6
    status = json.loads(ok(run("status", "--json", env=at(FRIDAY_AFTERNOON))))
    assert sorted(item["contact"] for item in status["queued"]) == sorted(PEOPLE)
    assert all(item["held_by_server"] for item in status["queued"])
    assert "6 messages wait for their recipients' morning" in ok(
        run("due", env=at(FRIDAY_AFTERNOON))
    )
    # `watch` has nothing to deliver: the server does it.
    out = ok(run("watch", "--interval", "1", "--max-cycles", "1", env=at(FRIDAY_AFTERNOON)))
    assert "delivered from the queue" not in out

    # The machine is off all weekend; Outlook's clock moves on to Tuesday evening.
    fake.set_now(moment(TUESDAY_EVENING))
    received = delivered(fake)
    assert {address: len(messages) for address, messages in received.items()} == dict.fromkeys(
        PEOPLE, 1
    )
    sent_items = {
        item.message["To"].addresses[0].addr_spec: item
        for item in fake.mailbox.in_folder("sentitems")
    }
    for address, (_, zone) in PEOPLE.items():
        message = received[address][0]
        went = sent_items[address].sent
        assert went is not None
        local = went.astimezone(ZoneInfo(zone))
        assert local.weekday() < 5 and 8 <= local.hour < 10, (address, local)
        assert message["Date"].datetime == went, (address, message["Date"], went)
        # Re-planned as at the moment it went: every time it offers is a day after it.
        for start in held_starts(outlook.root, address):
            assert start - went >= timedelta(hours=24), (address, start, went)
    # Sync records each as sent when it went; nothing is queued any more, nothing re-sent.
    ok(run("sync", env=at(TUESDAY_EVENING)))
    assert sent_at(outlook.root) == {
        address: item.sent for address, item in sent_items.items()
    }
    assert "Nothing is queued." in ok(run("queue", env=at(TUESDAY_EVENING)))
    ok(run("send", "--yes", env=at(TUESDAY_EVENING)))
    assert len(fake.delivered()) == 6


def test_a_dry_run_says_outlook_would_hold_them_and_hands_nothing_over(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    preview = ok(run("send", "--dry-run", env=at(FRIDAY_AFTERNOON)))
    assert "Dry run: 0 would go now, 6 Outlook would hold until their morning; nothing sent." \
        in preview
    assert preview.count("  held     ") == 6
    assert "queued" not in preview
    assert outlook.fake.deferred.held == {} and outlook.fake.delivered() == []
    assert len(outlook.fake.drafts()) == 6


def test_taking_one_back_before_its_time_and_too_late(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    ok(run("send", "--yes", env=at(FRIDAY_AFTERNOON)))
    out = ok(run("queue", "cancel", "lena@example.de", env=at(FRIDAY_AFTERNOON)))
    assert "off the queue: Lena Vogel <lena@example.de>" in out
    assert len(fake.deferred.held) == 5
    # Her message is a draft in Outlook again (same Message-ID: the thread holds), not held.
    lena = [m for m in fake.drafts() if m["To"].addresses[0].addr_spec == "lena@example.de"]
    assert len(lena) == 1
    listed = json.loads(ok(run("queue", "--json", env=at(FRIDAY_AFTERNOON))))
    assert "lena@example.de" not in {item["contact"] for item in listed}
    assert len(listed) == 5

    fake.set_now(moment(MONDAY_NOON))  # Berlin's and London's mornings are over
    assert "lena@example.de" not in delivered(fake)
    assert "tom@example.co.uk" in delivered(fake)
    out = ok(run("queue", "cancel", "tom@example.co.uk", env=at(MONDAY_NOON)))
    assert "already sent: Tom Hardy <tom@example.co.uk> went at Mon 09 Mar 0" in out
    assert len(delivered(fake)["tom@example.co.uk"]) == 1
    # Lena's draft goes when asked, at once.
    ok(run("send", "lena@example.de", "--now", "--yes", env=at(MONDAY_NOON)))
    assert len(delivered(fake)["lena@example.de"]) == 1


def test_the_daily_cap_counts_each_on_the_day_it_goes(
    outlook: MicrosoftWorkspace, run: Invoke
) -> None:
    fake = outlook.fake
    configure(outlook.root, mail={"daily_send_cap": 4})
    out = ok(run("send", "--yes", env=at(FRIDAY_AFTERNOON)))
    assert "Outlook holds 6 messages" in out
    fake.set_now(moment("2026-03-12T12:00:00-04:00"))
    received = delivered(fake)
    assert {address: len(messages) for address, messages in received.items()} == dict.fromkeys(
        PEOPLE, 1
    )
    times = sorted(item.sent for item in fake.mailbox.in_folder("sentitems") if item.sent)
    for i, start in enumerate(times):  # never more than four in any 24 hours
        assert sum(1 for t in times[i:] if t - start < timedelta(days=1)) <= 4
    for item in fake.mailbox.in_folder("sentitems"):
        address = item.message["To"].addresses[0].addr_spec
        assert item.sent is not None
        local = item.sent.astimezone(ZoneInfo(PEOPLE[address][1]))
        assert local.weekday() < 5 and 8 <= local.hour < 10, (address, local)
