"""Whole conversations around the meeting itself, one person per test, through the CLI on the
local backend and on Gmail (bodies readable with the gmail.readonly opt-in, so the calendar part
of an answer is read as it is locally):

- Radia's calendar answers an invite that is not ours, in our thread: the meeting stands;
- Barbara's old decline arrives after she accepted the moved meeting: the meeting stands;
- Frances's assistant Joan is copied on the invite, its update and the cancellation;
- Lise proposes a time on her own clock (Berlin), booked with --their-time;
- Mary is booked for the same afternoon, and preparing is not overdue at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from outreach.google.auth import scopes_for
from tests.conftest import Invoke
from tests.conversation_world import USER, World, invite_of, text_of
from tests.fakegoogle.server import FakeGoogle
from tests.gmail_env import ACCESS_TOKEN, gmail_workspace
from tests.helpers_sync import configure
from tests.test_conversations import imap_world, meet, one_conversation, outlook_world

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(params=["local", "gmail", "imap", "microsoft"])
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
    if request.param == "imap":
        yield imap_world(request, isolated_environment, run)
        return
    if request.param == "gmail":
        readonly = scopes_for("readonly")
        fake = FakeGoogle(email=USER, token_scopes=readonly).start()
        try:
            workspace = gmail_workspace(tmp_path, fake, run, monkeypatch)
            fake.set_access_token(ACCESS_TOKEN, scopes=readonly)
            configure(workspace.root, google={"read_scope": "readonly"})
            gmail = World("gmail", workspace.root, run, fake)
            fake.set_now(gmail.now)
            yield gmail
        finally:
            fake.stop()
        return
    result = run("init", "--name", "Sam Rivera", "--email", USER, "--timezone",
                 "America/New_York")
    assert result.exit_code == 0, result.output
    configure(isolated_environment, schedule={"busy": []})
    yield World("local", isolated_environment, run, None)


def contact_json(world: World, address: str) -> dict[str, object]:
    return dict(json.loads(world.ok("contacts", "show", address, "--json")))


# --- Radia: her calendar answers an invite that is not ours -------------------------------


def test_radia_answers_another_invite_in_our_thread_and_the_meeting_stands(
    world: World,
) -> None:
    """Reported: an in-thread iTIP REPLY whose UID differs from the meeting's (or is empty)
    was applied to the booked meeting, and a DECLINED one turned into "propose new times"."""
    address = "radia@example.net"
    meet(world, address, "Radia Perlman", org="Dell", tz="America/New_York")
    world.at("2026-03-02 14:00")
    world.reply(address, "Glad to. The first time works.")
    world.ok("sync")
    world.ok("book", address, "--slot", "1", "--send")

    world.at("2026-03-02 15:00")
    other = _in_thread_answer(world, address, "declined", uid="webinar-77@lists.example.net",
                              sequence=0)
    world.at("2026-03-02 15:30")
    empty = _in_thread_answer(world, address, "declined", uid="", sequence=0)
    assert other["Message-ID"] != empty["Message-ID"]
    world.ok("sync")

    shown = contact_json(world, address)
    [meeting] = shown["meetings"]  # type: ignore[misc]
    assert meeting["state"] == "scheduled" and meeting["rsvp"] is None
    kinds = [e["kind"] for e in shown["events"]]  # type: ignore[index, union-attr]
    assert kinds.count("rsvp") == 0 and kinds.count("reply") == 3  # kept as replies to read
    world.at("2026-03-02 16:00")
    assert "propose_times" not in world.due_for(address)

    # Her real answer, to our UID, is applied.
    [invite] = world.invites(address)
    world.at("2026-03-02 17:00")
    _in_thread_answer(world, address, "accepted", uid=str(invite["UID"]),
                      sequence=int(invite["SEQUENCE"]))
    world.ok("sync")
    [meeting] = contact_json(world, address)["meetings"]  # type: ignore[misc]
    assert meeting["rsvp"] == "accepted"
    one_conversation(world, address)


def _in_thread_answer(
    world: World, address: str, answer: str, *, uid: str | None, sequence: int | None,
) -> EmailMessage:
    """Build the contact's calendar answer, in our thread, and deliver it."""
    message = _answer_message(world, address, answer, uid=uid, sequence=sequence)
    world._deliver(message)
    return message


def _answer_message(
    world: World, address: str, answer: str, *, uid: str | None, sequence: int | None,
) -> EmailMessage:
    from email.utils import format_datetime, make_msgid

    from outreach.compose.mime import base_subject

    last = world.received(address)[-1]
    message = EmailMessage()
    message["From"] = address
    message["To"] = f"Sam Rivera <{USER}>"
    # In the thread: the thread's own subject (Gmail keeps a message in a thread only when its
    # subject matches), as a client that answers inside the conversation writes it.
    message["Subject"] = f"Re: {base_subject(str(last['Subject']))}"
    message["Date"] = format_datetime(world.now)
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2])
    message["In-Reply-To"] = str(last["Message-ID"])
    message["References"] = f"{last['References'] or ''} {last['Message-ID']}".strip()
    message.set_content(f"{address} has {answer} this invitation.")
    reply = icalendar.Calendar()
    reply.add("prodid", "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN")
    reply.add("version", "2.0")
    reply.add("method", "REPLY")
    event = icalendar.Event()
    if uid is not None:
        event.add("uid", uid)
    if sequence is not None:
        event.add("sequence", sequence)
    event.add("dtstamp", world.now)
    event.add("organizer", f"mailto:{USER}")
    attendee = icalendar.vCalAddress(f"mailto:{address}")
    attendee.params["PARTSTAT"] = answer.upper()
    event.add("attendee", attendee)
    reply.add_component(event)
    message.add_alternative(
        reply.to_ical(), maintype="text", subtype="calendar", params={"method": "REPLY"}
    )
    return message


# --- Barbara: an old decline arrives after she accepted the moved meeting -----------------


def test_barbara_old_decline_does_not_undo_her_answer_to_the_moved_meeting(
    world: World,
) -> None:
    address = "barbara@example.org"
    meet(world, address, "Barbara Liskov", org="MIT", tz="America/New_York")
    world.at("2026-03-02 14:00")
    world.reply(address, "Sure, the second time.")
    world.ok("sync")
    world.ok("book", address, "--slot", "2", "--send")
    world.at("2026-03-02 15:00")
    world.ok("reschedule", address, "--at", "2026-03-05T14:00", "--send", "--yes")
    first, moved = world.invites(address)
    assert int(moved["SEQUENCE"]) == 1 and moved["UID"] == first["UID"]
    world.at("2026-03-02 16:00")
    _in_thread_answer(world, address, "accepted", uid=str(moved["UID"]), sequence=1)
    world.ok("sync")
    world.at("2026-03-02 17:00")  # her client sends a decline of the first version, late
    _in_thread_answer(world, address, "declined", uid=str(first["UID"]), sequence=0)
    world.ok("sync")
    [meeting] = contact_json(world, address)["meetings"]  # type: ignore[misc]
    assert (meeting["state"], meeting["rsvp"]) == ("scheduled", "accepted")
    world.at("2026-03-03 09:00")
    assert "propose_times" not in world.due_for(address)


# --- Frances: her assistant Joan is copied -------------------------------------------------


def _copied(message: EmailMessage) -> list[str]:
    return [a.casefold() for _, a in getaddresses([str(message["Cc"] or "")])]


def test_frances_assistant_is_copied_on_the_invite_its_update_and_the_cancellation(
    world: World,
) -> None:
    address, joan = "frances@example.org", "joan@example.org"
    meet(world, address, "Frances Allen", org="IBM", tz="America/New_York")
    world.at("2026-03-02 14:00")
    world.reply(address, "Joan (cc'd) keeps my calendar; the first time works.")
    world.ok("sync")
    booked = world.ok("book", address, "--slot", "1", "--cc", joan, "--send")
    assert f"copied to {joan}" in booked
    shown = contact_json(world, address)
    assert shown["cc"] == [joan]
    assert f"cc           {joan} (copied on invites" in world.ok("contacts", "show", address)

    world.at("2026-03-02 15:00")
    world.ok("reschedule", address, "--at", "2026-03-05T14:00", "--send", "--yes")
    world.at("2026-03-02 16:00")
    world.ok("cancel", address, "--send")
    sent = [m for m in world.received(address) if invite_of(m) is not None]
    assert len(sent) == 3
    for message in sent:
        assert _copied(message) == [joan], message["Cc"]
        event = invite_of(message)
        assert event is not None
        attendees = event.get("ATTENDEE")
        listed = [str(a).removeprefix("mailto:").casefold()
                  for a in (attendees if isinstance(attendees, list) else [attendees])]
        assert listed == [address, joan]
    assert text_of(sent[-1]).startswith("Cancelled")
    one_conversation(world, address)

    # Changed by hand: --no-cc stops copying her.
    stopped = world.ok("contacts", "edit", address, "--no-cc")
    assert "Copied on their invites, updates and confirmations from now on: nobody." in stopped
    assert contact_json(world, address)["cc"] == []
    again = world.ok("contacts", "edit", address, "--cc", "Joan Clarke <JOAN@Example.org>")
    assert "from now on: JOAN@example.org." in again
    bad = world.cli("contacts", "edit", address, "--cc", address)
    assert bad.exit_code == 1 and "already on every invite" in bad.output


# --- Lise: "Thursday at 16:00 my time" ------------------------------------------------------


def test_lise_proposes_a_time_on_her_clock_and_is_booked_at_it(world: World) -> None:
    """Reported: "2026-...T10:00 Europe/Berlin" was refused as "not a date and time", and a
    bare time silently took the user's zone although hers is known and differs."""
    address = "lise@example.de"
    meet(world, address, "Lise Meitner", org="KWI", tz="Europe/Berlin")
    world.at("2026-03-02 14:00")
    world.reply(address, "None of those suit me; could we do Thursday at 16:00 my time?")
    world.ok("sync")
    bare = world.cli("book", address, "--at", "2026-03-05 16:00", "--yes")
    assert bare.exit_code == 1
    assert "16:00 your time (22:00 for Lise) or 16:00 Lise's time (10:00 yours)" in bare.output
    assert world.drafts() == [] or all(invite_of(d) is None for d in world.drafts())
    booked = world.ok("book", address, "--at", "2026-03-05 16:00", "--their-time", "--send")
    assert "Booked Thu 5 Mar, 10:00-10:20 EST / 16:00-16:20 CET" in booked
    [invite] = world.invites(address)
    assert invite.decoded("DTSTART").astimezone(BERLIN).hour == 16
    world.at("2026-03-03 09:00")
    moved = world.ok("reschedule", address, "--at", "2026-03-05T15:30 Europe/Berlin", "--send")
    assert "Moved to Thu 5 Mar, 09:30-09:50 EST / 15:30-15:50 CET" in moved
    first, second = world.invites(address)
    assert (str(second["UID"]), int(second["SEQUENCE"])) == (str(first["UID"]), 1)
    one_conversation(world, address)


# --- Mary: booked for the same afternoon -----------------------------------------------------


def test_mary_booked_for_this_afternoon_is_not_overdue_to_prepare(world: World) -> None:
    """Reported: a same-day booking showed "prepare for the call ... OVERDUE" at once."""
    address = "mary@example.org"
    meet(world, address, "Mary Jackson", org="NASA", tz="America/New_York")
    world.at("2026-03-03 09:00")
    world.reply(address, "I'm free this afternoon at 3 if that works.")
    world.ok("sync")
    world.ok("book", address, "--at", "2026-03-03T15:00", "--send")
    [prepare] = [d for d in world.due() if d["contact"] == address]
    assert (prepare["action"], prepare["overdue"]) == ("prepare", False)
    world.at("2026-03-03 14:30")
    [prepare] = [d for d in world.due() if d["contact"] == address]
    assert (prepare["action"], prepare["overdue"]) == ("prepare", False)
