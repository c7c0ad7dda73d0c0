"""Whole conversations, one person per test, each played through the CLI on every backend
(local, Gmail, Microsoft).

Every message a contact receives is parsed back, and their whole correspondence is grouped
into threads as the mailbox groups it (the fake Gmail applies Gmail's threading rule, the fake
Outlook its conversations; the local
Maildir is grouped by References with the same subject rule). The stories:

- Ada accepts after two reschedules;
- Grace answers in a thread of her own;
- Hedy answers after every time offered has passed;
- Alan declines the invite;
- Katherine never answers;
- Barbara's address bounces, and she is reached at a new one;
- Edsger says no to the conversation itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from outreach.google.auth import scopes_for
from tests.conftest import Invoke
from tests.conversation_world import USER, World, invite_of, text_of
from tests.fakegoogle.server import FakeGoogle
from tests.gmail_env import ACCESS_TOKEN, gmail_workspace
from tests.helpers_sync import configure
from tests.realmail.fixtures import MailServers

# The backends every conversation is played on; "microsoft" joins at merge.
BACKENDS = ["local", "gmail", "imap", "microsoft"]


@pytest.fixture(params=BACKENDS)
def world(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    run: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    isolated_environment: Path,
) -> Iterator[World]:
    if request.param == "microsoft":
        yield from outlook_world(tmp_path, run, monkeypatch)
        return
    if request.param == "gmail":
        yield from gmail_world(tmp_path, run, monkeypatch)
        return
    if request.param == "imap":
        yield imap_world(request, isolated_environment, run)
        return
    yield local_world(isolated_environment, run)


def local_world(home: Path, run: Invoke) -> World:
    """A workspace on the local backend (the Maildirs), with no calendar to ask."""
    result = run("init", "--name", "Sam Rivera", "--email", USER, "--timezone",
                 "America/New_York")
    assert result.exit_code == 0, result.output
    config = home / "config.toml"
    config.write_text(config.read_text().replace('busy = ["google"]', "busy = []"))
    return World("local", home, run, None)


def gmail_world(
    tmp_path: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch, *, readonly: bool = False
) -> Iterator[World]:
    """A workspace on Gmail (the fake Google), stopped after the test; ``readonly``: the
    user opted into gmail.readonly (``[google] read_scope``), so replies are read."""
    scopes = scopes_for("readonly") if readonly else None
    fake = FakeGoogle(email=USER, token_scopes=scopes).start()
    try:
        workspace = gmail_workspace(tmp_path, fake, run, monkeypatch)
        if scopes is not None:
            fake.set_access_token(ACCESS_TOKEN, scopes=scopes)
            configure(workspace.root, google={"read_scope": "readonly"})
        fake.set_now(World("gmail", workspace.root, run, fake).now)
        yield World("gmail", workspace.root, run, fake)
    finally:
        fake.stop()


def outlook_world(
    tmp_path: Path, run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    """A workspace on Microsoft 365 (the fake Graph), stopped after the test."""
    from tests.conversation_world_outlook import OutlookWorld
    from tests.fakemicrosoft.server import FakeMicrosoft
    from tests.microsoft_env import microsoft_workspace

    outlook = FakeMicrosoft(user=USER).start()
    try:
        found = microsoft_workspace(tmp_path, outlook, run, monkeypatch)
        yield OutlookWorld(found.root, run, outlook)
    finally:
        outlook.stop()


def imap_world(request: pytest.FixtureRequest, home: Path, run: Invoke) -> World:
    """A workspace on a real Dovecot and SMTP server (skipped locally without Dovecot)."""
    servers: MailServers = request.getfixturevalue("mail_servers")
    request.getfixturevalue("imap_keyring")
    result = run("init", "--name", "Sam Rivera", "--email", USER, "--timezone",
                 "America/New_York")
    assert result.exit_code == 0, result.output
    configure(home, schedule={"busy": []}, **servers.config())
    result = run("auth", "login", "--imap", "--password-stdin",
                 input=f"{servers.dovecot.password}\n")
    assert result.exit_code == 0, result.output
    return World("imap", home, run, None, servers)


def meet(world: World, address: str, name: str, *, org: str = "", tz: str = "") -> None:
    """Add the contact and send them the first message."""
    args = ["contacts", "add", address, "--name", name, "--set",
            "connection=the State University alumni directory"]
    if org:
        args += ["--org", org]
    if tz:
        args += ["--tz", tz]
    world.ok(*args)
    world.ok("draft", "outreach", address)
    world.ok("send", address, "--yes")


def one_conversation(world: World, address: str) -> list[str]:
    """The contact's correspondence is one thread with one subject and an unbroken chain;
    returns its subjects."""
    threads = world.threads(address)
    assert len(threads) == 1, [t.subjects for t in threads]
    threads[0].check_one_subject()
    threads[0].check_chain()
    return threads[0].subjects


# --- Ada: accepts after two reschedules ---------------------------------------------------


def test_ada_accepts_after_two_reschedules(world: World) -> None:
    meet(world, "ada@example.org", "Ada Lovelace", org="Analytical Engines", tz="Europe/London")
    world.at("2026-03-02 14:00")
    world.reply("ada@example.org", "Happy to! The second time works for me.", name="Ada")
    world.ok("sync")
    assert world.due_for("ada@example.org") == ["book"]

    # Booked, then moved twice before sending: she gets ONE invite, for the last time.
    world.ok("book", "ada@example.org", "--slot", "2")
    world.ok("reschedule", "ada@example.org", "--at", "2026-03-05T10:00-05:00")
    world.ok("reschedule", "ada@example.org", "--at", "2026-03-05T11:00-05:00")
    assert len([d for d in world.drafts() if invite_of(d) is not None]) == 1
    assert world.due_for("ada@example.org") == ["book"]  # the invite waits to be sent
    world.ok("send", "--yes")
    [invite] = world.invites("ada@example.org")
    assert (str(invite["X-TEST-METHOD"]), int(invite["SEQUENCE"])) == ("REQUEST", 0)
    assert invite.decoded("DTSTART").hour == 11
    assert text_of(world.received("ada@example.org")[-1]).startswith("Confirmed:")

    world.at("2026-03-02 15:00")
    world.rsvp("ada@example.org", "accepted")
    world.ok("sync")
    show = world.ok("contacts", "show", "ada@example.org", "--json")
    assert '"rsvp": "accepted"' in show

    # She asks to move it; the update she receives is SEQUENCE 1, same UID; she accepts.
    world.at("2026-03-03 09:00")
    world.reply("ada@example.org", "Could we do Friday at 10 instead?")
    world.ok("sync")
    moved = world.ok("reschedule", "ada@example.org", "--at", "2026-03-06T10:00-05:00", "--send")
    assert "Moved to Fri 6 Mar, 10:00-10:20 EST / 15:00-15:20 GMT" in moved
    first, second = world.invites("ada@example.org")
    assert str(second["UID"]) == str(first["UID"]) and int(second["SEQUENCE"]) == 1
    assert text_of(world.received("ada@example.org")[-1]).startswith("Moved:")
    world.rsvp("ada@example.org", "accepted")
    world.ok("sync")
    assert world.due_for("ada@example.org") == []

    # The conversation happens; the thank-you goes in the same thread within the day.
    world.at("2026-03-06 11:00")
    assert world.due_for("ada@example.org") == ["thank_you"]
    world.ok("met", "ada@example.org", "--notes", "start with the data, not the model",
             "--takeaways", "take the battery systems course next semester")
    world.ok("followup")
    world.ok("send", "--yes")
    thanks = text_of(world.received("ada@example.org")[-1])
    assert "I keep coming back to your advice to start with the data, not the model." in thanks
    assert "I'm going to take the battery systems course next semester." in thanks

    subjects = one_conversation(world, "ada@example.org")
    assert subjects[0] == "Could I ask you about your work at Analytical Engines?"
    assert all(s == f"Re: {subjects[0]}" for s in subjects[1:] if "Accepted:" not in s)
    assert world.due_for("ada@example.org") == []


# --- Grace: answers in a thread of her own ------------------------------------------------


def test_grace_answers_in_a_new_thread_and_is_answered_there(world: World) -> None:
    meet(world, "grace@example.com", "Grace Hopper", org="Navy", tz="America/New_York")
    world.at("2026-03-03 08:30")
    theirs = world.write_new(
        "grace@example.com", "Coffee chat?", "Saw your note. Wednesday at 11 suits me."
    )
    world.ok("sync")
    assert world.due_for("grace@example.com") == ["book"]  # a reply, so no nudge
    world.at("2026-03-09 09:00")
    assert "follow_up" not in world.due_for("grace@example.com")

    world.at("2026-03-03 09:00")
    world.ok("book", "grace@example.com", "--at", "2026-03-04T11:00-05:00", "--send")
    invite = world.received("grace@example.com")[-1]
    assert str(invite["Subject"]) == "Re: Coffee chat?"
    assert str(invite["In-Reply-To"]) == str(theirs["Message-ID"])

    threads = world.threads("grace@example.com")
    assert len(threads) == 2  # our first message, and her thread where we now answer
    ours, hers = sorted(threads, key=lambda t: len(t.messages))
    assert len(ours.messages) == 1
    hers.check_one_subject()
    hers.check_chain()


# --- Hedy: answers after every time offered has passed -----------------------------------


def test_hedy_answers_late_and_gets_fresh_times(world: World) -> None:
    meet(world, "hedy@example.net", "Hedy Lamarr", tz="America/Los_Angeles")
    world.at("2026-03-16 10:00")  # two weeks later
    world.reply("hedy@example.net", "So sorry, I was travelling. Is it too late?")
    world.ok("sync")
    [item] = [d for d in world.due() if d["contact"] == "hedy@example.net"]
    assert item["action"] == "propose_times"
    assert item["command"] == "outreach draft newtimes hedy@example.net"
    late = world.cli("book", "hedy@example.net", "--slot", "1")
    assert late.exit_code == 1 and "already over" in late.output

    world.ok("draft", "newtimes", "hedy@example.net")
    world.ok("send", "--yes")
    fresh = text_of(world.received("hedy@example.net")[-1])
    assert "the times I suggested have passed" in fresh and "PDT" in fresh
    shown = world.ok("contacts", "show", "hedy@example.net")
    assert "Offered times (book with --slot N)" in shown and "1. " in shown

    world.at("2026-03-16 15:00")
    world.reply("hedy@example.net", "The second one is perfect.")
    world.ok("sync")
    assert world.due_for("hedy@example.net") == ["book"]
    world.ok("book", "hedy@example.net", "--slot", "2", "--send")
    assert len(world.invites("hedy@example.net")) == 1
    one_conversation(world, "hedy@example.net")


# --- Alan: declines the invite ------------------------------------------------------------


def test_alan_declines_the_invite_and_is_offered_new_times(world: World) -> None:
    meet(world, "alan@example.org", "Alan Turing", org="NPL", tz="Europe/London")
    world.at("2026-03-02 13:00")
    world.reply("alan@example.org", "Yes, the first slot.")
    world.ok("sync")
    world.ok("book", "alan@example.org", "--slot", "1", "--send")
    world.at("2026-03-02 16:00")
    world.rsvp("alan@example.org", "declined")
    world.ok("sync")
    shown = world.ok("contacts", "show", "alan@example.org", "--json")
    assert '"rsvp": "declined"' in shown and '"state": "declined"' in shown

    world.at("2026-03-05 12:00")  # after the declined time: no thank-you, propose new times
    assert world.due_for("alan@example.org") == ["propose_times"]
    world.ok("followup")
    world.ok("send", "--yes")
    note = text_of(world.received("alan@example.org")[-1])
    assert "doesn't work for you" in note
    one_conversation(world, "alan@example.org")


# --- Katherine: never answers -------------------------------------------------------------


def test_katherine_never_answers_one_nudge_then_close(world: World) -> None:
    meet(world, "kj@example.net", "Katherine Johnson", org="NASA")
    world.at("2026-03-06 10:00")
    assert world.due_for("kj@example.net") == []
    world.at("2026-03-09 09:00")
    assert world.due_for("kj@example.net") == ["follow_up"]
    world.ok("followup")
    assert world.due_for("kj@example.net") == ["follow_up"]  # drafted, waits to be sent
    world.ok("send", "--yes")
    nudge = text_of(world.received("kj@example.net")[-1])
    assert "in case my earlier message slipped past" in nudge
    world.at("2026-03-13 09:00")
    assert world.due_for("kj@example.net") == []  # one nudge only

    world.at("2026-03-23 09:00")  # ten business days after the nudge
    [item] = [d for d in world.due() if d["contact"] == "kj@example.net"]
    assert item["action"] == "close"
    world.ok("contacts", "close", "kj@example.net", "--reason", "no reply")
    assert world.due_for("kj@example.net") == []
    world.at("2026-07-01 09:00")
    assert world.due_for("kj@example.net") == []  # months later: no nudge, nothing
    status = world.ok("status", "--json")
    assert '"no reply": 1' in status
    assert len(world.received("kj@example.net")) == 2
    one_conversation(world, "kj@example.net")


def test_a_nudge_left_too_long_is_offered_as_close_not_sent(world: World) -> None:
    meet(world, "kj@example.net", "Katherine Johnson")
    world.at("2026-03-09 09:00")
    world.ok("followup")
    world.at("2026-07-01 09:00")  # four months later the drafted nudge is stale
    assert world.due_for("kj@example.net") == ["close"]
    sent = world.cli("send", "--yes")
    assert "no longer timely" in sent.output
    assert len(world.received("kj@example.net")) == 1


# --- Barbara: bounces, reached at a new address -------------------------------------------


def test_barbara_bounces_and_is_reached_at_her_new_address(world: World) -> None:
    meet(world, "barbara@old.example.com", "Barbara Liskov", org="MIT")
    world.at("2026-03-02 09:05")
    world.bounce("barbara@old.example.com")
    world.ok("sync")
    listed = world.ok("contacts", "list", "--json")
    assert '"stage": "bounced"' in listed
    assert world.cli("draft", "outreach", "barbara@old.example.com").output.count("bounced")

    edited = world.ok("contacts", "edit", "barbara@old.example.com", "--email",
                      "barbara@new.example.com")
    assert "ready for a first message again" in edited
    world.ok("draft", "outreach", "barbara@new.example.com")
    world.ok("send", "--yes")
    [first] = world.received("barbara@new.example.com")
    assert str(first["Subject"]) == "Could I ask you about your work at MIT?"
    assert first["In-Reply-To"] is None  # a new conversation, not a reply to the bounce
    world.at("2026-03-03 10:00")
    world.reply("barbara@new.example.com", "Sure, Thursday works.")
    world.ok("sync")
    assert world.due_for("barbara@new.example.com") == ["book"]
    timeline = world.ok("contacts", "show", "barbara@new.example.com")
    assert "mail to barbara@old.example.com did not arrive" in timeline
    one_conversation(world, "barbara@new.example.com")


# --- Edsger: says no to the conversation --------------------------------------------------


def test_edsger_declines_the_conversation_itself(world: World) -> None:
    meet(world, "ewd@example.nl", "Edsger Dijkstra")
    world.at("2026-03-03 10:00")
    world.reply("ewd@example.nl", "Thank you, but I don't take these calls. Good luck!")
    world.ok("sync")
    assert world.due_for("ewd@example.nl") == ["book"]
    world.ok("contacts", "close", "ewd@example.nl", "--reason", "declined")
    assert world.due_for("ewd@example.nl") == []
    assert '"declined": 1' in world.ok("status", "--json")
    shown = world.ok("contacts", "show", "ewd@example.nl")
    assert "closed_reason" in shown and "declined" in shown
    one_conversation(world, "ewd@example.nl")


# --- the invite sent from the mail client, before any sync --------------------------------


@pytest.mark.parametrize("world", ["gmail"], indirect=True)
def test_an_invite_sent_from_gmail_itself_is_not_rewritten_but_followed_up(world: World) -> None:
    """The user presses Send on the invite draft in Gmail, then moves the meeting before any
    sync: the draft that was sent cannot be rewritten, so the move is a new invite with
    SEQUENCE 1, and the contact ends with both, in order, in one thread."""
    meet(world, "ada@example.org", "Ada Lovelace", tz="Europe/London")
    world.at("2026-03-02 12:00")
    world.reply("ada@example.org", "Slot 2 please.")
    world.ok("sync")
    world.ok("book", "ada@example.org", "--slot", "2")
    assert world.fake is not None
    [draft] = world.fake.drafts()
    world.fake.send_draft_as_user(draft.id)
    world.ok("reschedule", "ada@example.org", "--at", "2026-03-05T11:00-05:00", "--send")
    first, second = world.invites("ada@example.org")
    assert str(first["UID"]) == str(second["UID"])
    assert [int(first["SEQUENCE"]), int(second["SEQUENCE"])] == [0, 1]
    assert world.fake.drafts() == []
    one_conversation(world, "ada@example.org")
