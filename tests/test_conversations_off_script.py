"""Whole conversations where the other person steps off the script, one person per test, each
played through the CLI on both backends (see tests/test_conversations.py for the world):

- Nora does not show up; the meeting is marked missed and new times go out, no thank-you;
- Lin asks to move the meeting after the invite went out;
- Alan answers the thank-you with someone else to talk to;
- Wes defers; Kurt proposes his own time; Edith says no;
- Hal forwards the request to a colleague, who takes over; Mae's assistant answers for her;
- Rosa proposes a range; Vera goes quiet after new times.

Two more read what arrives in a thread of its own (locally, and on Gmail with the
gmail.readonly opt-in, where only those messages' bodies make the difference):

- Greta's German out-of-office note says when she is back;
- Ines's Apple Calendar declines, first the meeting that was cancelled, then the new one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import icalendar
import pytest

from outreach.compose.mime import base_subject
from tests import test_conversations as conversations
from tests.conftest import Invoke
from tests.conversation_world import USER, World, text_of
from tests.test_conversations import gmail_world, local_world, meet, one_conversation

world = conversations.world  # the same fixture: each test runs on both backends


def _item(world: World, address: str, skip: str = "prepare") -> dict[str, object]:
    """The one thing due for ``address`` (reading the brief the day before aside)."""
    [item] = [d for d in world.due() if d["contact"] == address and d["action"] != skip]
    return item


# --- Nora: does not show up -----------------------------------------------------------------


def test_nora_does_not_show_up_and_is_never_thanked(world: World) -> None:
    meet(world, "nora@example.org", "Nora Ephron", org="Columbia", tz="America/New_York")
    world.at("2026-03-02 14:00")
    world.reply("nora@example.org", "Happy to talk. Wednesday at 11 works.")
    world.ok("sync")
    world.ok("book", "nora@example.org", "--at", "2026-03-04T11:00", "--send")
    world.at("2026-03-04 12:00")  # the day of the meeting: thanking is what one does
    assert world.due_for("nora@example.org") == ["thank_you"]

    world.at("2026-03-05 09:00")  # the business day after, nothing recorded: ask
    item = _item(world, "nora@example.org")
    assert item["action"] == "confirm_meeting" and item["text"] == "did it happen?"
    assert item["commands"] == [
        'outreach met nora@example.org --notes "..."',
        "outreach met nora@example.org --missed",
    ]
    world.at("2026-05-05 09:00")  # months later: still the question, never an overdue thanks
    assert world.due_for("nora@example.org") == ["confirm_meeting"]

    world.at("2026-03-05 09:00")
    missed = world.ok("met", "nora@example.org", "--missed")
    assert "marked missed" in missed
    item = _item(world, "nora@example.org")
    assert item["action"] == "propose_times"
    assert "did not happen" in str(item["reason"])
    status = json.loads(world.ok("status", "--json"))
    assert (status["meetings_held"], status["meetings_missed"]) == (0, 1)
    shown = json.loads(world.ok("contacts", "show", "nora@example.org", "--json"))
    assert shown["meetings"][-1]["state"] == "missed"

    world.ok("draft", "newtimes", "nora@example.org")
    world.ok("send", "--yes")
    assert world.due_for("nora@example.org") == []
    world.at("2026-03-20 09:00")
    assert "thank_you" not in world.due_for("nora@example.org")
    texts = [text_of(m) for m in world.received("nora@example.org")]
    assert not any("thank you for taking the time" in t.lower() for t in texts)
    one_conversation(world, "nora@example.org")


# --- Lin: asks to move the meeting after the invite ---------------------------------------


def test_lin_asks_to_move_after_the_invite_and_it_reaches_due(world: World) -> None:
    meet(world, "lin@example.com", "Lin Wei", org="Acme", tz="America/New_York")
    world.at("2026-03-02 14:00")
    world.reply("lin@example.com", "Sure. Wednesday at 11 works.")
    world.ok("sync")
    world.ok("book", "lin@example.com", "--at", "2026-03-04T11:00", "--send")
    world.ok("prep", "lin@example.com")
    assert world.due_for("lin@example.com") == []

    world.at("2026-03-03 09:00")
    world.reply("lin@example.com", "Hi Sam,\n\nCould we do Friday at 11 instead?\n\nLin")
    world.ok("sync")
    if world.backend == "gmail":  # gmail.metadata: no body; read it in Gmail, say what it said
        item = _item(world, "lin@example.com")
        assert item["action"] == "read_reply" and item["text"] == "read their reply"
        assert item["subject"] == "Re: Could I ask you about your work at Acme?"
        assert "first_line" not in item
        assert str(item["link"]).startswith("https://mail.google.com/mail/#all/")
        assert "read their reply" in world.ok("due")
        world.ok("reply", "lin@example.com", "--proposes", "2026-03-06T11:00")
    item = _item(world, "lin@example.com")  # the local backend read it at sync
    assert item["action"] == "reschedule" and item["text"] == "move the meeting"
    assert item["proposed"] == "2026-03-06T11:00-05:00"
    assert item["command"] == "outreach reschedule lin@example.com --at 2026-03-06T11:00-05:00"
    world.ok(*str(item["command"]).split()[1:], "--send")
    assert world.due_for("lin@example.com") == []
    one_conversation(world, "lin@example.com")


def test_a_reply_read_can_be_dismissed(world: World) -> None:
    meet(world, "lin@example.com", "Lin Wei", org="Acme", tz="America/New_York")
    world.at("2026-03-02 14:00")
    world.reply("lin@example.com", "Sure. Wednesday at 11 works.")
    world.ok("sync")
    world.ok("book", "lin@example.com", "--at", "2026-03-04T11:00", "--send")
    world.ok("prep", "lin@example.com")
    world.at("2026-03-03 09:00")
    world.reply("lin@example.com", "Hi Sam,\n\nLooking forward to it!\n\nLin")
    world.ok("sync")
    item = _item(world, "lin@example.com")
    assert item["action"] == "read_reply"
    if world.backend != "gmail":  # the body is read at sync: its first line is shown
        assert item["first_line"] == "Looking forward to it!"
        assert "Looking forward to it!" in world.ok("due")
    world.ok("reply", "lin@example.com", "--seen")
    assert world.due_for("lin@example.com") == []


# --- Alan: answers the thank-you with a referral ------------------------------------------


def test_alan_answers_the_thank_you_and_it_reaches_due(world: World) -> None:
    meet(world, "alan@example.org", "Alan Kay", org="PARC", tz="America/New_York")
    world.at("2026-03-02 14:00")
    world.reply("alan@example.org", "Sure. Wednesday at 11 works.")
    world.ok("sync")
    world.ok("book", "alan@example.org", "--at", "2026-03-04T11:00", "--send")
    world.at("2026-03-04 12:00")
    world.ok("met", "alan@example.org", "--notes", "build the thing you want to use")
    world.ok("followup")
    world.ok("send", "--yes")
    assert world.due_for("alan@example.org") == []

    world.at("2026-03-04 16:00")
    world.reply("alan@example.org", "Glad to help; also talk to Grace <grace@x.com>.")
    world.ok("sync")
    # Read at sync where sync reads bodies (local, IMAP, Outlook); to be read by the user on
    # Gmail, read without bodies.
    wanted = "read_reply" if world.backend == "gmail" else "add_referral"
    assert world.due_for("alan@example.org") == [wanted]
    one_conversation(world, "alan@example.org")


# --- Wes: "let me check my calendar and get back to you next week" --------------------------


def test_wes_defers_and_the_conversation_waits_then_one_follow_up_then_close(
    world: World,
) -> None:
    meet(world, "wes@example.org", "Wes Clark", org="Initech", tz="America/New_York")
    world.at("2026-03-03 10:00")
    world.reply("wes@example.org", "Let me check my calendar and get back to you next week.")
    world.ok("sync")
    said = world.ok("reply", "wes@example.org", "--later", "2026-03-13")  # by Friday next week
    assert "Recorded" in said
    for day in ("2026-03-04", "2026-03-09", "2026-03-13"):
        world.at(f"{day} 09:00")
        assert world.due_for("wes@example.org") == [], day  # waiting: nothing to do
    world.at("2026-03-16 09:00")
    item = _item(world, "wes@example.org")
    assert item["action"] == "follow_up"
    assert item["waiting_until"] == "2026-03-13"
    world.ok("followup")
    world.ok("send", "--yes")
    assert world.due_for("wes@example.org") == []
    world.at("2026-03-30 09:00")  # ten business days of silence after the follow-up
    item = _item(world, "wes@example.org")
    assert item["action"] == "close"
    assert len(world.received("wes@example.org")) == 2  # the first message and one follow-up
    one_conversation(world, "wes@example.org")


# --- Kurt: none of those work, how about next Tuesday 16:00 Berlin time --------------------


def test_kurt_proposes_his_own_time_and_is_booked_at_it(world: World) -> None:
    meet(world, "kurt@example.de", "Kurt Gödel", org="IAS", tz="Europe/Berlin")
    world.at("2026-03-02 12:00")
    world.reply("kurt@example.de",
                "None of those work, how about next Tuesday 16:00 my time (Berlin)?")
    world.ok("sync")
    world.ok("reply", "kurt@example.de", "--proposes", "2026-03-10T16:00+01:00")
    item = _item(world, "kurt@example.de")
    assert item["action"] == "book"
    assert item["proposed"] == "2026-03-10T16:00+01:00"
    assert item["command"] == "outreach book kurt@example.de --at 2026-03-10T16:00+01:00"
    assert "--slot" not in str(item["command"])
    world.ok(*str(item["command"]).split()[1:], "--send")
    [invite] = world.invites("kurt@example.de")
    assert invite.decoded("DTSTART") == datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    one_conversation(world, "kurt@example.de")


# --- Edith: says no ---------------------------------------------------------------------------


def test_edith_says_no_and_close_is_suggested(world: World) -> None:
    meet(world, "edith@example.org", "Edith Clarke", org="GE")
    world.at("2026-03-03 10:00")
    world.reply("edith@example.org", "Thanks for thinking of me, but I'm not able to help.")
    world.ok("sync")
    world.ok("reply", "edith@example.org", "--no")
    item = _item(world, "edith@example.org")
    assert item["action"] == "close"
    assert item["command"] == 'outreach contacts close edith@example.org --reason "declined"'
    world.ok(*_words(str(item["command"])))
    assert world.due_for("edith@example.org") == []
    assert len(world.received("edith@example.org")) == 1


def _words(command: str) -> list[str]:
    import shlex

    return shlex.split(command)[1:]


# --- Alan, again: the referral after the thank-you, recorded and added -----------------------


def test_a_referral_after_the_thank_you_is_added_with_the_command_due_gives(
    world: World,
) -> None:
    meet(world, "alan@example.org", "Alan Kay", org="PARC", tz="America/New_York")
    world.at("2026-03-02 14:00")
    world.reply("alan@example.org", "Sure. Wednesday at 11 works.")
    world.ok("sync")
    world.ok("book", "alan@example.org", "--at", "2026-03-04T11:00", "--send")
    world.at("2026-03-04 12:00")
    world.ok("met", "alan@example.org", "--notes", "build the thing you want to use")
    world.ok("followup")
    world.ok("send", "--yes")
    world.at("2026-03-04 16:00")
    world.reply("alan@example.org", "Glad to help; also talk to Grace <grace@x.com>.")
    world.ok("sync")
    world.ok("reply", "alan@example.org", "--referral", "Grace Hopper <grace@x.com>")
    item = _item(world, "alan@example.org")
    assert item["action"] == "add_referral"
    assert (item["name"], item["email"]) == ("Grace Hopper", "grace@x.com")
    assert item["command"] == (
        'outreach contacts add grace@x.com --name "Grace Hopper" --referred-by alan@example.org'
    )
    world.ok(*_words(str(item["command"])))
    assert world.due_for("alan@example.org") == []
    assert world.due_for("grace@x.com") == ["reach_referral"]


# --- Hal forwards the request to a colleague, who answers ------------------------------------


def _colleague_answers(
    world: World, contact: str, colleague: str, name: str, body: str
) -> tuple[str, str]:
    """``colleague`` answers the forward ``contact`` sent them ("Re: Fwd: ..."), copying
    ``contact``; returns the forward's Message-ID (a message the user never saw) and the
    answer's."""
    last = world.received(contact)[-1]
    forward = make_msgid(domain=contact.rpartition("@")[2])
    message = EmailMessage()
    message["From"] = f"{name} <{colleague}>"
    message["To"] = f"Sam Rivera <{USER}>"
    message["Cc"] = contact
    message["Subject"] = f"Re: Fwd: {base_subject(str(last['Subject']))}"
    message["Date"] = format_datetime(world.now)
    message["Message-ID"] = make_msgid(domain=colleague.rpartition("@")[2])
    message["In-Reply-To"] = forward
    chain = str(last["References"] or "").split()
    message["References"] = " ".join([*chain, str(last["Message-ID"]), forward])
    message.set_content(body)
    world.deliver(message)
    return forward, str(message["Message-ID"])


def test_hals_colleague_takes_over_and_is_the_one_booked(world: World) -> None:
    meet(world, "hal@example.org", "Hal Abelson", org="MIT", tz="America/New_York")
    world.at("2026-03-03 10:00")
    forward, answer = _colleague_answers(
        world, "hal@example.org", "bob@example.org", "Bob Ray",
        "Hal forwarded me your note; I'm happy to talk instead of him.",
    )
    world.ok("sync")
    [item] = [d for d in world.due() if d["action"] == "add_their_side"]
    assert item["contact"] == "hal@example.org"
    assert (item["email"], item["name"]) == ("bob@example.org", "Bob Ray")
    assert item["commands"] == [
        'outreach contacts add bob@example.org --name "Bob Ray" --takes-over-from '
        "hal@example.org",
        'outreach contacts add bob@example.org --name "Bob Ray" --assistant-of hal@example.org',
    ]
    world.ok(*_words(str(item["command"])))
    assert world.due_for("hal@example.org") == []
    assert world.due_for("bob@example.org") == ["book"]
    shown = json.loads(world.ok("contacts", "show", "bob@example.org", "--json"))
    assert shown["referred_by"] is not None

    world.ok("book", "bob@example.org", "--at", "2026-03-05T14:00", "--send")
    invite = world.received("bob@example.org")[-1]
    assert str(invite["Subject"]) == "Re: Could I ask you about your work at MIT?"
    [first] = world.received("hal@example.org")
    assert str(invite["In-Reply-To"]) == answer  # in the thread, answering Bob
    assert str(invite["References"]).split() == [str(first["Message-ID"]), forward, answer]
    world.at("2026-03-10 09:00")  # when Hal would have been nudged
    assert "follow_up" not in world.due_for("hal@example.org")
    assert len(world.received("hal@example.org")) == 1  # Hal hears nothing more
    if world.fake is not None:  # Gmail keeps it all in Hal's thread (Fwd: is not a new subject)
        [thread] = {m.thread_id for m in world.fake.messages() if "DRAFT" not in m.label_ids}
        assert thread


# --- Mae's assistant answers for her, copying her ---------------------------------------------


def test_maes_assistant_answers_in_a_message_of_her_own_and_is_recorded(world: World) -> None:
    meet(world, "mae@example.org", "Mae Jemison", org="NASA", tz="America/New_York")
    world.at("2026-03-03 10:00")
    message = EmailMessage()
    message["From"] = "Pat Lee <pat@example.org>"
    message["To"] = f"Sam Rivera <{USER}>"
    message["Cc"] = "Mae Jemison <mae@example.org>"
    message["Subject"] = "Meeting with Dr. Jemison"
    message["Date"] = format_datetime(world.now)
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content("Dr. Jemison asked me to find a time with you. She has 20 minutes.")
    world.deliver(message)
    world.ok("sync")
    items = [d for d in world.due() if d["contact"] == "mae@example.org"]
    assert "add_their_side" in [d["action"] for d in items]
    world.ok("contacts", "add", "pat@example.org", "--name", "Pat Lee",
             "--assistant-of", "mae@example.org")
    assert "add_their_side" not in world.due_for("mae@example.org")
    world.at("2026-03-10 09:00")  # their side answered: Mae is not nudged
    assert "follow_up" not in world.due_for("mae@example.org")
    assert len(world.received("mae@example.org")) == 1


# --- Rosa: none of those, but any morning next week ------------------------------------------


def test_rosa_proposes_a_range_and_gets_fresh_times_inside_it(world: World) -> None:
    meet(world, "rosa@example.org", "Rosa Parks", org="NAACP", tz="America/New_York")
    world.at("2026-03-02 14:00")
    world.reply("rosa@example.org", "None of those suit me, but any morning next week works.")
    world.ok("sync")
    world.ok("reply", "rosa@example.org", "--proposes", "2026-03-09T09:00/2026-03-13T12:00")
    item = _item(world, "rosa@example.org")
    assert item["action"] == "propose_times"
    assert item["proposed_range"] == {
        "start": "2026-03-09T09:00-04:00", "end": "2026-03-13T12:00-04:00"
    }
    assert item["command"] == (
        "outreach draft newtimes rosa@example.org --between 2026-03-09T09:00-04:00 "
        "2026-03-13T12:00-04:00"
    )
    world.at("2026-03-02 15:00")
    followup = world.ok("followup")  # never times outside her range: it names the command
    assert "--between 2026-03-09T09:00-04:00 2026-03-13T12:00-04:00" in followup
    world.ok(*_words(str(item["command"])))
    world.ok("send", "--yes")
    shown = json.loads(world.ok("contacts", "show", "rosa@example.org", "--json"))
    latest = [p for p in shown["proposals"] if p["state"] == "held"]
    assert len(latest) == 3  # fresh times, never one picked for her
    for slot in latest:
        start = datetime.fromisoformat(slot["start"])
        assert datetime(2026, 3, 9, 13, tzinfo=UTC) <= start  # 09:00 New York (EDT)
        assert datetime.fromisoformat(slot["end"]) <= datetime(2026, 3, 13, 16, tzinfo=UTC)
    assert world.due_for("rosa@example.org") == []
    one_conversation(world, "rosa@example.org")


def test_the_words_of_due_fit_a_deferral_and_a_no(world: World) -> None:
    meet(world, "wes@example.org", "Wes Clark", org="Initech", tz="America/New_York")
    meet(world, "edith@example.org", "Edith Clarke", org="GE")
    world.at("2026-03-03 10:00")
    world.reply("wes@example.org", "Let me check my calendar and get back to you next week.")
    world.reply("edith@example.org", "Thanks for thinking of me, but I'm not able to help.")
    world.ok("sync")
    world.ok("reply", "wes@example.org", "--later")
    world.ok("reply", "edith@example.org", "--no")
    world.at("2026-03-10 09:00")  # five business days after Wes's reply
    texts = {d["contact"]: d["text"] for d in world.due()}
    assert texts == {
        "wes@example.org": "follow up gently",
        "edith@example.org": "close (they said no)",
    }


# --- Vera: answers late, gets new times, then goes quiet -------------------------------------


def test_vera_goes_quiet_after_new_times_one_nudge_then_close_never_thanks(
    world: World,
) -> None:
    meet(world, "vera@example.org", "Vera Rubin", org="Carnegie")
    world.at("2026-03-16 10:00")  # every time offered has passed
    world.reply("vera@example.org", "So sorry, I was travelling. Is it too late?")
    world.ok("sync")
    world.ok("draft", "newtimes", "vera@example.org")
    world.at("2026-03-16 11:00")
    world.ok("send", "--yes")
    world.at("2026-03-20 09:00")
    assert world.due_for("vera@example.org") == []
    world.at("2026-03-23 09:00")
    assert world.due_for("vera@example.org") == ["follow_up"]
    world.ok("followup")
    world.ok("send", "--yes")
    world.at("2026-04-06 09:00")
    assert world.due_for("vera@example.org") == ["close"]
    world.at("2026-06-20 09:00")  # months on: still close, never a keep-in-touch "thank you"
    assert world.due_for("vera@example.org") == ["close"]
    assert len(world.received("vera@example.org")) == 3
    one_conversation(world, "vera@example.org")


def test_reply_by_hand_names_what_is_wrong_with_it(world: World) -> None:
    meet(world, "ada@example.org", "Ada Lovelace", org="Analytical Engines")
    nothing = world.cli("reply", "ada@example.org", "--picked", "2")
    assert nothing.exit_code == 1 and "No reply from Ada Lovelace" in nothing.output
    world.at("2026-03-02 14:00")
    world.reply("ada@example.org", "Sounds good.")
    world.ok("sync")
    wrong = world.cli("reply", "ada@example.org", "--picked", "7")
    assert wrong.exit_code == 1 and "was offered times 1, 2, 3" in wrong.output
    bad = world.cli("reply", "ada@example.org", "--proposes", "next tuesday")
    assert bad.exit_code == 1 and "not a date and time" in bad.output
    empty = world.cli("reply", "ada@example.org")
    assert empty.exit_code == 1 and "Say what their reply said" in empty.output
    assert "Traceback" not in nothing.output + wrong.output + bad.output + empty.output
    world.ok("reply", "ada@example.org", "--picked", "2")
    assert _item(world, "ada@example.org")["command"] == "outreach book ada@example.org --slot 2"


# --- Mail in a thread of its own, read: locally, and on Gmail with gmail.readonly ----------


@pytest.fixture(params=["local", "gmail-readonly"])
def reading_world(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    run: Invoke,
    monkeypatch: pytest.MonkeyPatch,
    isolated_environment: Path,
) -> Iterator[World]:
    """A workspace that reads message text: the local Maildirs, or Gmail with
    ``[google] read_scope = "readonly"`` (the token holds gmail.readonly, not metadata)."""
    if request.param == "local":
        yield local_world(isolated_environment, run)
        return
    gmail = gmail_world(tmp_path, run, monkeypatch, readonly=True)
    found = next(gmail)
    try:
        yield found
        assert found.fake is not None
        refused = sorted({(c.method_id, c.path) for c in found.fake.calls if c.status == 403})
        assert not refused, refused  # never asked for more than the scope allows
    finally:
        gmail.close()  # stops the fake


def _auto_reply_of_its_own(world: World, address: str, subject: str, body: str) -> None:
    """An out-of-office note as some servers send it: a new thread, no In-Reply-To."""
    message = EmailMessage()
    message["From"] = address
    message["To"] = f"Sam Rivera <{USER}>"
    message["Subject"] = subject
    message["Auto-Submitted"] = "auto-replied"
    message["Date"] = format_datetime(world.now)
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2])
    message.set_content(body)
    world.deliver(message)


def test_greta_is_away_until_the_24th_is_neither_nudged_nor_closed_meanwhile(
    reading_world: World,
) -> None:
    world = reading_world
    greta = "greta@example.de"
    meet(world, greta, "Greta Weber", org="Siemens", tz="Europe/Berlin")
    world.at("2026-03-09 09:00")  # five business days of silence: the one nudge
    assert world.due_for(greta) == ["follow_up"]
    world.at("2026-03-10 09:00")
    world.ok("followup")
    world.ok("send", "--yes")
    world.at("2026-03-10 09:05")  # the nudge meets her note, in a thread of its own
    _auto_reply_of_its_own(
        world, greta, "Abwesenheitsnotiz: Ihre Nachricht",
        "Guten Tag,\n\nvielen Dank für Ihre Nachricht. Ich bin derzeit nicht im Büro und "
        "bin ab dem 24. wieder im Büro. In dringenden Fällen wenden Sie sich bitte an "
        "meine Kollegin.\n\nMit freundlichen Grüßen\nGreta Weber",
    )
    synced = world.ok("sync")
    assert "auto-reply, back 2026-03-24" in synced, synced
    for day in ("2026-03-23 09:00", "2026-03-24 09:00", "2026-03-24 17:00"):
        world.at(day)  # away, then the day she returns: nothing to do about her
        assert world.due_for(greta) == [], day
    world.at("2026-04-21 09:00")  # ten business days after her return, still silent
    item = _item(world, greta)
    assert item["action"] == "close"
    assert len(world.received(greta)) == 2  # the first message and one nudge, nothing more
    ours = [t for t in world.threads(greta) if t.messages[0]["From"] != greta]
    assert len(ours) == 1
    ours[0].check_one_subject()
    ours[0].check_chain()


def _apple_answer(world: World, address: str, invite: icalendar.Event, partstat: str) -> None:
    """Apple Calendar's answer: a line of text in a new thread, "Invitation Declined: ..."
    (tests/test_rsvp_clients.py), the iTIP REPLY attached as iCal-<date>-<time>.ics."""
    reply = icalendar.Calendar()
    reply.add("prodid", "-//Apple Inc.//macOS 15.1//EN")
    reply.add("version", "2.0")
    reply.add("method", "REPLY")
    event = icalendar.Event()
    event.add("uid", str(invite["UID"]))
    event.add("sequence", int(invite["SEQUENCE"]))
    event.add("dtstamp", world.now)
    event.add("dtstart", invite.decoded("DTSTART"))
    event.add("summary", str(invite["SUMMARY"]))
    event.add("organizer", f"mailto:{USER}")
    attendee = icalendar.vCalAddress(f"mailto:{address}")
    attendee.params["PARTSTAT"] = partstat
    event.add("attendee", attendee)
    reply.add_component(event)
    word = {"DECLINED": "Declined", "ACCEPTED": "Accepted"}[partstat]
    message = EmailMessage()
    message["From"] = address
    message["To"] = f"Sam Rivera <{USER}>"
    message["Subject"] = f"Invitation {word}: {invite['SUMMARY']}"
    message["Date"] = format_datetime(world.now)
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2])
    message.set_content(f"{address} has {word.lower()} your invitation.")
    message.add_attachment(reply.to_ical(), maintype="text", subtype="calendar",
                           filename=f"iCal-{world.now:%Y%m%d-%H%M%S}.ics",
                           params={"method": "REPLY"})
    world.deliver(message)


def _meetings(world: World, address: str) -> list[tuple[str, str]]:
    shown = json.loads(world.ok("contacts", "show", address, "--json"))
    return [(str(m["uid"]), str(m["state"])) for m in shown["meetings"]]


def test_ines_apple_calendar_declines_each_meeting_by_its_uid(reading_world: World) -> None:
    world = reading_world
    ines = "ines@example.es"
    meet(world, ines, "Ines Ortega", org="Telefónica", tz="Europe/Madrid")
    world.at("2026-03-02 13:00")
    world.reply(ines, "Yes, the first slot.")
    world.ok("sync")
    world.ok("book", ines, "--slot", "1", "--send")
    world.at("2026-03-02 15:00")  # the user cancels, and books another time
    world.ok("cancel", ines, "--send")
    world.ok("book", ines, "--at", "2026-03-06T10:00-05:00", "--send")
    requests = [e for e in world.invites(ines) if str(e["X-TEST-METHOD"]) == "REQUEST"]
    first, second = requests
    assert str(first["UID"]) != str(second["UID"])

    # Her Mac, offline since, sends the decline of the cancelled meeting: its subject names
    # no meeting, its UID does; the new meeting stays booked.
    world.at("2026-03-03 09:00")
    _apple_answer(world, ines, first, "DECLINED")
    world.ok("sync")
    assert dict(_meetings(world, ines))[str(second["UID"])] == "scheduled"

    world.at("2026-03-04 09:00")  # then she declines the new one: that one is declined
    _apple_answer(world, ines, second, "DECLINED")
    synced = world.ok("sync")
    assert "Ines Ortega <ines@example.es>: declined the invite" in synced, synced
    assert dict(_meetings(world, ines)) == {
        str(first["UID"]): "cancelled", str(second["UID"]): "declined"
    }
    world.at("2026-03-04 10:00")
    assert world.due_for(ines) == ["propose_times"]
    one_conversation(world, ines)  # calendars' answers aside, one thread
