"""Delivered in their morning: a batch sent on a Friday afternoon in New York reaches each
contact inside 08:00-10:00 of their own Monday, delivered by `watch` with the clock moved
through the weekend and a daylight-saving change; the queue survives kills, two watchers and
a daily cap smaller than the batch, and every message is sent once."""

from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from outreach.config import Workspace
from outreach.store import Store
from tests.conftest import Invoke
from tests.fakegoogle.server import FakeGoogle
from tests.gmail_env import gmail_workspace
from tests.helpers_sync import configure, local_workspace

FRIDAY_AFTERNOON = "2026-03-06T15:00:00-05:00"  # New York; the US changes clocks on Sunday 8th
PEOPLE = {  # address: (name, zone)
    "haruki@example.jp": ("Haruki Sato", "Asia/Tokyo"),
    "priya@example.in": ("Priya Raman", "Asia/Kolkata"),
    "lena@example.de": ("Lena Vogel", "Europe/Berlin"),
    "tom@example.co.uk": ("Tom Hardy", "Europe/London"),
    "maria@example.com": ("Maria Lopez", "America/Los_Angeles"),
    "chloe@example.com.au": ("Chloe Nguyen", "Australia/Sydney"),
}


def ok(result: object) -> str:
    from click.testing import Result

    assert isinstance(result, Result)
    assert result.exit_code == 0, result.output
    return result.output


def at(moment: str) -> dict[str, str]:
    return {"OUTREACH_NOW": moment}


def sent_to(home: Path) -> dict[str, list[EmailMessage]]:
    """Every message in sent/, by recipient address, parsed back."""
    found: dict[str, list[EmailMessage]] = {}
    for path in sorted((home / "sent" / "cur").iterdir()):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        found.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
    return found


def sent_at(home: Path) -> dict[str, datetime]:
    """When each first message really went, read back from the database."""
    store = Store.open(Workspace(home).db_file)
    rows = store.conn.execute(
        "SELECT c.email, m.sent_at FROM messages m JOIN contacts c ON c.id = m.contact_id "
        "WHERE m.state = 'sent' AND m.kind = 'outreach'"
    ).fetchall()
    store.conn.close()
    return {address: datetime.fromisoformat(when) for address, when in rows}


def held_starts(home: Path, address: str) -> list[datetime]:
    """The times the contact's message offers, read back from the database (none when no
    time fits both days: then it asks for theirs, e.g. Tokyo once New York is on summer time)."""
    store = Store.open(Workspace(home).db_file)
    rows = store.conn.execute(
        "SELECT p.start FROM proposals p JOIN contacts c ON c.id = p.contact_id "
        "WHERE c.email = ? AND p.state != 'released'", (address,)
    ).fetchall()
    store.conn.close()
    return [datetime.fromisoformat(start) for (start,) in rows]


@pytest.fixture
def batch(workspace: Path, run: Invoke) -> Path:
    """Six contacts in six zones, drafted and sent (queued) on Friday afternoon."""
    local_workspace(workspace)
    configure(workspace, mail={"deliver_window": "08:00-10:00"})
    for address, (name, zone) in PEOPLE.items():
        ok(run("contacts", "add", address, "--name", name, "--tz", zone, "--org", "Acme",
               env=at(FRIDAY_AFTERNOON)))
    ok(run("draft", "outreach", *PEOPLE, env=at(FRIDAY_AFTERNOON)))
    return workspace


def watch_once(run: Invoke, moment: str) -> str:
    return ok(run("watch", "--interval", "1", "--max-cycles", "1", env=at(moment)))


def test_a_friday_afternoon_batch_arrives_in_each_recipients_monday_morning(
    batch: Path, run: Invoke
) -> None:
    out = ok(run("send", "--yes", env=at(FRIDAY_AFTERNOON)))
    assert "Nothing goes now: every message waits for its recipient's morning." in out
    assert "queue    Haruki Sato <haruki@example.jp>: Mon 09 Mar 08:" in out
    assert "their time" in out and "yours)" in out
    assert "only while `outreach watch` runs" in out  # no watch runs yet: said honestly
    assert not (batch / "sent" / "cur").exists() or not list((batch / "sent" / "cur").iterdir())

    status = json.loads(ok(run("status", "--json", env=at(FRIDAY_AFTERNOON))))
    assert sorted(item["contact"] for item in status["queued"]) == sorted(PEOPLE)
    assert "6 messages wait for their recipients' morning" in ok(
        run("due", env=at(FRIDAY_AFTERNOON))
    )

    # The weekend passes: watch runs every few hours and sends nothing.
    for moment in ("2026-03-06T22:00:00-05:00", "2026-03-07T09:00:00-05:00",
                   "2026-03-08T12:00:00-04:00"):
        assert "delivered" not in watch_once(run, moment)
    # Sunday 20:59 in New York is Monday 09:59 in Tokyo and 11:59 in Sydney (window over).
    # (Each message goes at a spread time in the first hour of the window: :59 is past all.)
    out = watch_once(run, "2026-03-08T20:59:00-04:00")
    assert "delivered from the queue: Haruki Sato" in out
    assert "Chloe" not in out  # missed: moved to her next weekday, never sent late
    # Sunday 23:29: Kolkata is Monday 08:59.
    assert "Priya Raman" in watch_once(run, "2026-03-08T23:29:00-04:00")
    # Monday 04:59 New York: Berlin 09:59, London 08:59.
    out = watch_once(run, "2026-03-09T04:59:00-04:00")
    assert "Lena Vogel" in out and "Tom Hardy" in out
    # Monday 11:59 New York = 08:59 in Los Angeles (both now on summer time).
    assert "Maria Lopez" in watch_once(run, "2026-03-09T11:59:00-04:00")
    # Monday 17:59 New York = Tuesday 08:59 in Sydney.
    assert "Chloe Nguyen" in watch_once(run, "2026-03-09T17:59:00-04:00")

    received = sent_to(batch)
    assert {address: len(messages) for address, messages in received.items()} == dict.fromkeys(
        PEOPLE, 1
    )
    for address, when in sent_at(batch).items():
        local = when.astimezone(ZoneInfo(PEOPLE[address][1]))
        assert local.weekday() < 5, (address, local)
        assert 8 <= local.hour < 10, (address, local)
        # Its Date is the time it really went, and the times it offers are still ahead.
        message = received[address][0]
        assert message["Date"].datetime == when, (address, message["Date"])
        for start in held_starts(batch, address):
            assert start - when >= timedelta(hours=24), (address, start, when)
    assert "Nothing is queued." in ok(run("queue", env=at("2026-03-09T17:30:00-04:00")))


def test_send_now_and_dry_run_and_cancel(batch: Path, run: Invoke) -> None:
    preview = ok(run("send", "--dry-run", env=at(FRIDAY_AFTERNOON)))
    assert "Dry run: 0 would go now, 6 would wait; nothing sent." in preview
    assert "queued   Lena Vogel <lena@example.de>: Mon 09 Mar 08:" in preview
    ok(run("send", "--yes", env=at(FRIDAY_AFTERNOON)))
    out = ok(run("queue", "cancel", "lena@example.de", env=at(FRIDAY_AFTERNOON)))
    assert "off the queue: Lena Vogel <lena@example.de>" in out
    listed = json.loads(ok(run("queue", "--json", env=at(FRIDAY_AFTERNOON))))
    assert "lena@example.de" not in {item["contact"] for item in listed}
    assert len(listed) == 5
    # Lena's message is still a draft; --now sends it at once, whatever her clock says.
    out = ok(run("send", "lena@example.de", "--now", "--yes", env=at(FRIDAY_AFTERNOON)))
    assert "Moved 1 of 1 message" in out
    assert list(sent_to(batch)) == ["lena@example.de"]


def test_a_queue_longer_than_the_daily_cap_goes_over_two_mornings(
    batch: Path, run: Invoke
) -> None:
    configure(batch, mail={"daily_send_cap": 4})
    ok(run("send", "--yes", env=at(FRIDAY_AFTERNOON)))
    # Tokyo, Kolkata, then Berlin and London on Monday morning.
    for moment in ("2026-03-08T20:59:00-04:00", "2026-03-08T23:29:00-04:00",
                   "2026-03-09T04:59:00-04:00"):
        watch_once(run, moment)
    assert len(sent_to(batch)) == 4  # the cap: four in any 24 hours
    watch_once(run, "2026-03-09T11:59:00-04:00")  # Maria's window; no room yet
    assert "maria@example.com" not in sent_to(batch)
    listed = json.loads(ok(run("queue", "--json", env=at("2026-03-09T12:00:00-04:00"))))
    assert {item["contact"] for item in listed} == {"maria@example.com", "chloe@example.com.au"}
    # Tuesday: room again, inside each one's next morning.
    watch_once(run, "2026-03-10T11:59:00-04:00")
    watch_once(run, "2026-03-10T17:59:00-04:00")
    received = sent_to(batch)
    assert {address: len(messages) for address, messages in received.items()} == dict.fromkeys(
        PEOPLE, 1
    )
    for address, when in sent_at(batch).items():
        local = when.astimezone(ZoneInfo(PEOPLE[address][1]))
        assert 8 <= local.hour < 10 and local.weekday() < 5, (address, local)


def _watch_process(home: Path, moment: str, interval: str = "1") -> subprocess.Popen[str]:
    env = {**os.environ, "OUTREACH_HOME": str(home), "OUTREACH_NOW": moment,
           "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "outreach", "watch", "--interval", interval],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )


def _read_until(process: subprocess.Popen[str], text: str, seconds: float = 30) -> str:
    assert process.stdout is not None
    lines = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if text in line or not line:
            break
    return "".join(lines)


def test_two_watchers_and_a_kill_mid_queue_still_send_each_message_once(
    batch: Path, run: Invoke
) -> None:
    ok(run("send", "--yes", env=at(FRIDAY_AFTERNOON)))
    monday_morning_europe = "2026-03-09T04:59:00-04:00"  # Berlin 09:59, London 08:59
    first = _watch_process(batch, monday_morning_europe)
    second = _watch_process(batch, monday_morning_europe)
    try:
        _read_until(first, "Synced")
        _read_until(second, "Synced")
        first.send_signal(signal.SIGKILL)  # killed without a chance to clean up
        first.wait(timeout=20)
        second.send_signal(signal.SIGINT)
        second.communicate(timeout=20)
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.kill()
    restarted = watch_once(run, monday_morning_europe)
    assert "delivered" not in restarted  # nothing left for Europe, nothing sent twice
    received = sent_to(batch)
    assert sorted(received) == ["lena@example.de", "tom@example.co.uk"]
    assert all(len(messages) == 1 for messages in received.values())
    # Later cycles deliver the rest, each once.
    for moment in ("2026-03-09T11:59:00-04:00", "2026-03-09T17:59:00-04:00",
                   "2026-03-09T20:59:00-04:00", "2026-03-09T23:29:00-04:00"):
        watch_once(run, moment)
    received = sent_to(batch)
    assert all(len(messages) == 1 for messages in received.values())
    assert len(received) == len(PEOPLE)


def test_on_gmail_the_queue_is_delivered_once_each_dated_when_it_went(
    tmp_path: Path, fake_google: FakeGoogle, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same batch through the real Gmail client against the fake: nothing leaves on
    Friday; each message is in SENT once, inside its recipient's morning, its Date the moment
    it went and its times re-planned past the lead time."""
    gmail_workspace(tmp_path, fake_google, run, monkeypatch)
    home = Path(os.environ["OUTREACH_HOME"])
    configure(home, mail={"deliver_window": "08:00-10:00"})
    people = {a: PEOPLE[a] for a in ("lena@example.de", "maria@example.com", "priya@example.in")}
    for address, (name, zone) in people.items():
        ok(run("contacts", "add", address, "--name", name, "--tz", zone, "--org", "Acme",
               env=at(FRIDAY_AFTERNOON)))
    ok(run("draft", "outreach", *people, env=at(FRIDAY_AFTERNOON)))
    ok(run("send", "--yes", env=at(FRIDAY_AFTERNOON)))
    assert fake_google.messages("SENT") == []
    for moment in ("2026-03-08T23:29:00-04:00", "2026-03-09T04:59:00-04:00",
                   "2026-03-09T11:59:00-04:00"):
        watch_once(run, moment)
        watch_once(run, moment)  # a second cycle at the same moment sends nothing again
    sent = [m.email for m in fake_google.messages("SENT")]
    by_recipient: dict[str, list[EmailMessage]] = {}
    for message in sent:
        by_recipient.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
    assert {a: len(m) for a, m in by_recipient.items()} == dict.fromkeys(people, 1)
    for address, when in sent_at(home).items():
        local = when.astimezone(ZoneInfo(people[address][1]))
        assert 8 <= local.hour < 10 and local.weekday() < 5, (address, local)
        assert by_recipient[address][0]["Date"].datetime == when
        for start in held_starts(home, address):
            assert start - when >= timedelta(hours=24), (address, start, when)
