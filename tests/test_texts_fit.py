"""Every text fits what happened: thanks only to people the user met, "as promised" only
after a promise, new times worded for a no-show, a cancellation, or a reply weeks old.

Rendered through the built-in templates (the same path as preview, draft and send), and one
conversation played through the CLI on both backends.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from outreach.compose.context import meeting_vars
from outreach.compose.render import RenderContext, render
from outreach.compose.templates import load_templates
from outreach.config import UserConfig
from outreach.contacts.model import Contact
from tests.conversation_world import World, text_of
from tests.test_conversations import world as every_backend_world

world = every_backend_world  # local, gmail, imap, microsoft

MAYA = Contact(id=1, name="Maya Chen", email="maya@example.org", org="Northwind Health")
SAM = UserConfig(name="Sam Rivera", email="sam@example.edu")
SLOT = "Tue 17 Mar, 12:00-12:20 EDT"


def text(template: str, meeting: dict[str, Any] | None, **conversation: Any) -> str:
    context = RenderContext.for_contact(
        MAYA, SAM, today=date(2026, 3, 16), slots=[SLOT], meeting=meeting,
        conversation=conversation or None,
    )
    return " ".join(render(load_templates(None)[template], context).text.split())


def a_meeting(state: str, **extra: Any) -> dict[str, Any]:
    values = meeting_vars(start="Thu 12 Mar, 15:00 EDT", end="15:20 EDT",
                          when="Thu 12 Mar, 15:00-15:20 EDT", notes="utilities move slowly")
    values.update(state=state, **extra)
    return values


THANKS = ("thank you again", "Our conversation has stayed with me", "since we spoke")


@pytest.mark.parametrize(
    "meeting",
    [None, a_meeting("scheduled", held=False), a_meeting("missed", held=False)],
    ids=["never booked", "booked, never held", "missed"],
)
def test_keep_in_touch_never_thanks_for_a_conversation_that_did_not_happen(
    meeting: dict[str, Any] | None,
) -> None:
    note = text("keepintouch", meeting)
    for phrase in THANKS:
        assert phrase not in note, note
    assert "It's been a few months since we were in touch, and I wanted to say hello and " \
        "thank you for your kind reply." in note
    assert "utilities" not in note  # their words, from a meeting that never was


def test_keep_in_touch_after_a_conversation_thanks_them_again() -> None:
    note = text("keepintouch", a_meeting("held", held=True))
    assert "It's been a few months since we spoke, and I wanted to thank you again" in note
    assert "Something you said has stayed with me: utilities move slowly." in note


NEW_TIMES = [
    (a_meeting("cancelled", invited=False), {"replied_days_ago": 1},
     "Thank you for getting back to me. I'm sorry, but Thu 12 Mar, 15:00-15:20 EDT no longer "
     "works for me after all. Would one of these suit you instead"),
    (a_meeting("cancelled", invited=True), {"replied_days_ago": 1},
     "As promised, here are some new times for our conversation."),
    (a_meeting("missed", held=False), {"replied_days_ago": 9},
     "Sorry we missed each other on Thu 12 Mar, 15:00-15:20 EDT. I'd still very much like to "
     "talk, if you're open to it. Would one of these suit you instead"),
    (None, {"replied_days_ago": 1, "offers_passed": True},
     "Thank you for getting back to me, and sorry that the times I suggested have passed."),
    (None, {"replied_days_ago": 2, "offers_passed": False},
     "Thank you for getting back to me. Would one of these suit you instead"),
    (None, {"replied_days_ago": 23, "offers_passed": True},
     "I hope you're well. I'd still very much value a short conversation about your work, "
     "whenever it suits you. Would one of these suit you for 20 minutes?"),
]


@pytest.mark.parametrize(("meeting", "conversation", "expected"), NEW_TIMES,
                         ids=["cancelled before the invite", "cancelled after the invite",
                              "no-show", "late reply", "times still ahead", "weeks later"])
def test_new_times_begin_with_what_happened(
    meeting: dict[str, Any] | None, conversation: dict[str, Any], expected: str
) -> None:
    note = text("newtimes", meeting, **conversation)
    assert expected in note, note
    if not (meeting and meeting.get("invited")):
        assert "As promised" not in note


def test_new_times_after_a_booking_cancelled_before_its_invite_went_out(world: World) -> None:
    ada = "ada@example.org"
    world.ok("contacts", "add", ada, "--name", "Ada Lovelace")
    world.ok("draft", "outreach", ada)
    world.ok("send", "--yes")
    world.at("2026-03-02 14:00")
    world.reply(ada, "Happy to! The second time works for me.")
    world.ok("sync")
    world.ok("book", ada, "--slot", "2")  # the invite is drafted, not sent
    world.ok("cancel", ada)  # ... and cancelled before it went: she never saw it
    world.ok("draft", "newtimes", ada)
    world.ok("send", "--yes")
    note = text_of(world.received(ada)[-1])
    assert "As promised" not in note, note
    assert note.startswith("Hi Ada, Thank you for getting back to me. I'm sorry, but "), note


def test_a_moved_meeting_never_claims_it_was_discussed() -> None:
    moved = text("confirm", a_meeting("scheduled", sequence=1, join=""))
    assert "As we discussed" not in moved
    assert "I've moved our conversation and attached an updated calendar invite." in moved
    after_a_no_show = text("confirm", a_meeting("missed", sequence=1, join="", missed=True))
    assert "Sorry we missed each other. I've moved our conversation" in after_a_no_show


def test_a_contact_who_replied_but_never_met_gets_a_note_that_fits(world: World) -> None:
    kj = "kj@example.net"
    world.ok("contacts", "add", kj, "--name", "Katherine Johnson")
    world.ok("draft", "outreach", kj)
    world.ok("send", "--yes")
    world.at("2026-03-03 10:00")
    world.reply(kj, "Thanks for writing! Things are hectic here; let me come back to you.")
    world.ok("sync")
    world.at("2026-06-15 10:00")  # months later, they never met
    world.ok("draft", "keepintouch", kj)
    world.ok("send", "--yes")
    note = text_of(world.received(kj)[-1])
    for phrase in THANKS:
        assert phrase not in note, note
    assert "I wanted to say hello and thank you for your kind reply." in note


def test_new_times_weeks_after_they_said_they_would_check(world: World) -> None:
    hedy = "hedy@example.net"
    world.ok("contacts", "add", hedy, "--name", "Hedy Lamarr")
    world.ok("draft", "outreach", hedy)
    world.ok("send", "--yes")
    world.at("2026-03-02 15:00")
    world.reply(hedy, "Let me check my calendar and get back to you next week.")
    world.ok("sync")
    world.at("2026-04-06 10:00")  # five weeks later, nothing more from her
    world.ok("draft", "newtimes", hedy)
    world.ok("send", "--yes")
    note = text_of(world.received(hedy)[-1])
    assert "Thank you for getting back to me" not in note, note
    assert "sorry that the times I suggested have passed" not in note
    assert "I hope you're well. I'd still very much value a short conversation" in note
