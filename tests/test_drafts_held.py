"""Held drafts: the daily cap is hit mid-batch, and what waits is re-planned before it goes.

Played through the CLI on both backends (the local Maildir and Gmail through the fake), with
every message the contacts receive parsed back:

- Three first messages are drafted with a cap of two: `send --yes` sends the two oldest, says
  one waits and when room frees up, and `due` lists the held draft.
- The next day the held message goes out re-planned: no time it offers is sooner than
  `lead_hours`, and its Date is the moment it was sent.
- A file in `sent/` is never overwritten.
"""

from __future__ import annotations

import errno
import json
import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from tests.conversation_world import NY, World, text_of
from tests.test_conversations import world as every_backend_world

world = every_backend_world  # local, gmail, imap, microsoft

PEOPLE = [
    ("ada@example.org", "Ada Lovelace"),
    ("grace@example.org", "Grace Hopper"),
    ("hedy@example.org", "Hedy Lamarr"),
]


def set_cap(world: World, cap: int) -> None:
    config = world.home / "config.toml"
    text = config.read_text()
    config.write_text(re.sub(r"daily_send_cap = \d+", f"daily_send_cap = {cap}", text))


def offered_starts(text: str, year: int = 2026) -> list[datetime]:
    """The New York start of each bulleted time, e.g. "- Tue 3 Mar, 10:00-10:20 EST"."""
    starts = []
    for day, month, hour, minute in re.findall(
        r"^- \w{3} (\d{1,2}) (\w{3}), (\d{2}):(\d{2})", text, flags=re.MULTILINE
    ):
        moment = datetime.strptime(f"{year} {day} {month} {hour}:{minute}", "%Y %d %b %H:%M")
        starts.append(moment.replace(tzinfo=NY))
    return starts


def plain_text(message: object) -> str:
    from email.message import EmailMessage

    assert isinstance(message, EmailMessage)
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_the_cap_sends_the_oldest_and_the_rest_go_re_planned_the_next_day(world: World) -> None:
    for address, name in PEOPLE:
        world.ok("contacts", "add", address, "--name", name)
    world.ok("draft", "outreach", *[address for address, _ in PEOPLE])
    set_cap(world, 2)

    sent = world.cli("send", "--yes")
    assert sent.exit_code == 0, sent.output
    assert [len(world.received(a)) for a, _ in PEOPLE] == [1, 1, 0]  # oldest first
    assert "1 message waits for the daily cap of 2; room frees up at Tue 03 Mar 09:00" in (
        sent.output
    )
    due = world.ok("due")
    assert "1 draft waits for the daily cap; room frees up at Tue 03 Mar 09:00" in due
    assert "outreach send --yes" in due

    # The next morning, an hour after room freed up: the held message goes, re-planned.
    world.at("2026-03-03 10:00")
    again = world.ok("send", "--yes")
    assert "re-planned Hedy Lamarr: 3 new times" in again or "re-planned Hedy Lamarr" in again
    [held] = world.received("hedy@example.org")
    date = parsedate_to_datetime(str(held["Date"]))
    assert date == world.now
    starts = offered_starts(plain_text(held))
    assert starts, text_of(held)
    assert min(starts) >= world.now + timedelta(hours=24), starts
    assert "waits" not in world.ok("due")


def test_a_file_in_sent_is_never_overwritten(world: World) -> None:
    if world.backend != "local":  # a mailbox keeps every sent message; sent/ is at stake
        pytest.skip("the local sent/ folder only")
    world.ok("contacts", "add", "ada@example.org", "--name", "Ada Lovelace")
    world.ok("draft", "outreach", "ada@example.org")
    outbox = world.home / "outbox" / "cur"
    [draft] = list(outbox.iterdir())
    sent = world.home / "sent" / "cur"
    # A file already sits where the send would put it (a database restored from an old
    # backup: the same draft name was sent before).
    (sent / draft.name.replace(":2,D", ":2,S")).write_bytes(b"Subject: the first one\n\nfirst\n")
    world.ok("send", "--yes")
    files = sorted(p.read_bytes() for p in sent.iterdir())
    assert len(files) == 2
    assert b"the first one" in files[0] or b"the first one" in files[1]


def test_a_send_cut_short_by_a_full_disk_says_so_and_leaves_nothing_half_sent(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    if world.backend != "local":  # a mail server's disk is not ours; the sent/ folder is
        pytest.skip("the local sent/ folder only")
    for address, name in PEOPLE:
        world.ok("contacts", "add", address, "--name", name)
    world.ok("draft", "outreach", *[address for address, _ in PEOPLE])
    world.at("2026-03-02 09:30")  # the sent copies are re-dated: a write each

    import outreach.mail.maildir as maildir

    real_fsync = maildir.os.fsync
    writes = {"count": 0}

    def fsync_until_full(fd: int) -> None:
        writes["count"] += 1
        if writes["count"] > 1:  # the disk fills up after the first message
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(maildir.os, "fsync", fsync_until_full)
    stopped = world.cli("send", "--yes")
    assert stopped.exit_code == 1
    assert "Stopped early, stopped at Grace Hopper <grace@example.org>: No space left on " \
        "device" in stopped.output
    assert "1 sent, the rest are still drafts (nothing half-sent)" in stopped.output
    assert len(list((world.home / "sent" / "cur").iterdir())) == 1
    assert not list((world.home / "sent" / "tmp").iterdir())  # no half-written file
    monkeypatch.setattr(maildir.os, "fsync", real_fsync)  # space freed

    status = json.loads(world.ok("status", "--json"))
    assert status["stages"]["drafted"] == 2, status
    again = world.ok("send", "--yes")
    assert "Moved 2 of 2 messages" in again
    assert [len(world.received(a)) for a, _ in PEOPLE] == [1, 1, 1]


def test_a_send_the_full_disk_cannot_record_is_said_at_once_and_never_repeated(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    if world.fake is not None:
        return  # the same path; the local sent/ folder shows it without Gmail
    import sqlite3

    from outreach.store.messages import MessageRepo

    world.ok("contacts", "add", "ada@example.org", "--name", "Ada Lovelace")
    world.ok("draft", "outreach", "ada@example.org")

    def disk_full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    real_mark_sent = MessageRepo.mark_sent
    monkeypatch.setattr(MessageRepo, "mark_sent", disk_full)
    stopped = world.cli("send", "--yes")
    assert stopped.exit_code == 1
    assert "Ada Lovelace <ada@example.org> was sent but could not be recorded (" in stopped.output
    assert "once there is space, `outreach sync` records it" in stopped.output
    monkeypatch.setattr(MessageRepo, "mark_sent", real_mark_sent)  # space freed
    assert "Nothing to send" in world.ok("send", "--yes")  # never a second time
    assert len(world.received("ada@example.org")) == 1
