"""Conversations the blind-`due` simulator (tests/test_follow_due_blindly_cli.py) found going
wrong, one person per test, each played through the CLI locally and on Gmail with
gmail.readonly (the reader reads their words in both):

- Tariq will "get back to you next week": no nudge before that week is over, and the
  one after it does not pretend he never answered;
- Yuki's colleague answers the forward with a time: nobody is booked before the user says who
  the colleague is, then the colleague is;
- Jo, Wes's colleague, takes over and asks for times: new times go to Jo (`due` said "book"
  with nothing picked, which a user cannot do);
- Greta misses the meeting and, that afternoon, asks for another time: `due` asks "did it
  happen?" alone, then books the time she asked for (no new times that ignore it);
- Rosa in Berlin asks to move the meeting to 17:00 her time: `due`'s command books it without
  asking whether 17:00 is too late for her (she chose it);
- Nora, marked missed and sent new times, has her calendar accept the missed meeting late:
  that answers nothing, and `due` does not say "book" (seen in the simulator, seed 7);
- The daily cap: room a send held frees exactly 24 hours later, as `send` says.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.conversation_world import World, text_of
from tests.helpers_sync import configure
from tests.test_conversations import meet
from tests.test_conversations_off_script import _colleague_answers, reading_world

__all__ = ["reading_world"]  # the fixture: local, and Gmail with gmail.readonly


def test_tariq_defers_to_next_week_and_is_not_nudged_before_it_ends(
    reading_world: World,
) -> None:
    world = reading_world
    meet(world, "tariq@example.org", "Tariq Haddad", org="Initech", tz="America/New_York")
    world.at("2026-03-05 13:00")  # a Thursday
    world.reply("tariq@example.org", "Hi Sam,\n\nThanks for your note. Let me check my "
                "calendar and get back to you next week.\n\nTariq")
    world.ok("sync")
    for day in ("2026-03-09", "2026-03-10", "2026-03-13"):  # next week: he may still write
        world.at(f"{day} 09:00")
        assert world.due_for("tariq@example.org") == [], day
    world.at("2026-03-16 09:00")  # the week he named is over: one gentle follow-up
    [item] = [d for d in world.due() if d["contact"] == "tariq@example.org"]
    assert (item["action"], item["waiting_until"]) == ("follow_up", "2026-03-13")
    world.ok(*str(item["command"]).split()[1:])
    world.ok("send", "--yes")
    nudge = text_of(world.received("tariq@example.org")[-1])
    assert "I'm following up on our earlier exchange" in nudge
    assert "slipped past" not in nudge  # he answered: nothing slipped past him


def test_yukis_colleague_proposes_a_time_and_is_the_one_booked(reading_world: World) -> None:
    world = reading_world
    meet(world, "yuki@example.org", "Yuki Kay", org="Acme", tz="America/New_York")
    world.at("2026-03-03 13:00")
    _colleague_answers(world, "yuki@example.org", "jo@example.org", "Jo Marsh",
                       "Yuki forwarded me your note; I'm happy to talk instead, as I lead "
                       "that work now. Would Thursday 12 March at 14:00 work for you?")
    world.ok("sync")
    world.at("2026-03-04 09:00")
    assert world.due_for("yuki@example.org") == ["add_their_side"]  # who is Jo? first
    world.ok("contacts", "add", "jo@example.org", "--name", "Jo Marsh",
             "--takes-over-from", "yuki@example.org")
    assert world.due_for("yuki@example.org") == []
    [item] = [d for d in world.due() if d["contact"] == "jo@example.org"]
    assert item["action"] == "book"
    assert str(item["command"]).startswith("outreach book jo@example.org --at 2026-03-12T14:00")
    world.ok(*str(item["command"]).split()[1:], "--send")
    assert len(world.received("yuki@example.org")) == 1  # Yuki hears nothing more
    assert len(world.invites("jo@example.org")) == 1


def test_jo_takes_over_and_asks_for_times_and_gets_new_ones(reading_world: World) -> None:
    world = reading_world
    meet(world, "wes@example.org", "Wes Ortega", org="Initech", tz="America/New_York")
    world.at("2026-03-09 16:00")  # a week later: the times offered have passed
    _colleague_answers(world, "wes@example.org", "jo@example.org", "Jo Marsh",
                       "Wes forwarded me your note; I'm happy to talk instead, as I lead "
                       "that work now. Could you send me a few times that suit you?")
    world.ok("sync")
    world.at("2026-03-10 09:00")
    world.ok("contacts", "add", "jo@example.org", "--name", "Jo Marsh",
             "--takes-over-from", "wes@example.org")
    [item] = [d for d in world.due() if d["contact"] == "jo@example.org"]
    assert (item["action"], item["command"]) == (
        "propose_times", "outreach draft newtimes jo@example.org")
    assert item["evidence"] == "Could you send me a few times that suit you?"
    world.ok(*str(item["command"]).split()[1:])
    world.ok("send", "--yes")
    assert "- " in text_of(world.received("jo@example.org")[-1])  # the times, listed
    assert world.due_for("jo@example.org") == []


def test_greta_misses_the_meeting_then_asks_for_another_time(reading_world: World) -> None:
    world = reading_world
    meet(world, "greta@example.org", "Greta Nair", org="Initech", tz="America/New_York")
    world.at("2026-03-02 14:00")
    world.reply("greta@example.org", "Happy to talk. Tuesday 17 March at 14:00 works.")
    world.ok("sync")
    world.ok("book", "greta@example.org", "--at", "2026-03-17T14:00", "--send")
    world.at("2026-03-17 16:00")  # the meeting has passed; she did not come
    world.reply("greta@example.org", "Something came up, I'm sorry. Could we do Tuesday "
                "24 March at 13:00 instead?")
    world.ok("sync")
    world.at("2026-03-18 09:00")  # two commands that contradicted each other; now one
    assert world.due_for("greta@example.org") == ["confirm_meeting"]


def test_greta_is_then_booked_at_the_time_she_asked(reading_world: World) -> None:
    world = reading_world
    meet(world, "greta@example.org", "Greta Nair", org="Initech", tz="America/New_York")
    world.at("2026-03-02 14:00")
    world.reply("greta@example.org", "Happy to talk. Tuesday 17 March at 14:00 works.")
    world.ok("sync")
    world.ok("book", "greta@example.org", "--at", "2026-03-17T14:00", "--send")
    world.at("2026-03-17 16:00")
    world.reply("greta@example.org", "Something came up, I'm sorry. Could we do Tuesday "
                "24 March at 13:00 instead?")
    world.ok("sync")
    world.at("2026-03-18 09:00")
    world.ok("met", "greta@example.org", "--missed")
    [item] = [d for d in world.due() if d["contact"] == "greta@example.org"]
    assert item["action"] == "book"
    assert item["command"] == "outreach book greta@example.org --at 2026-03-24T13:00-04:00"
    world.ok(*str(item["command"]).split()[1:], "--send")
    invite = world.invites("greta@example.org")[-1]
    assert invite.decoded("DTSTART") == datetime(2026, 3, 24, 17, 0, tzinfo=UTC)
    # The confirmation reads as what happened: they missed each other, she offered a time.
    confirmation = text_of(world.received("greta@example.org")[-1])
    assert "Sorry we missed each other on Tue 17 Mar" in confirmation
    assert "Thank you for finding a new time" in confirmation
    assert "I'm looking forward to it" in confirmation


def test_rosa_asks_for_a_late_hour_of_her_own_and_the_command_due_gives_books_it(
    reading_world: World,
) -> None:
    world = reading_world
    meet(world, "rosa@example.de", "Rosa Weber", org="Siemens", tz="Europe/Berlin")
    world.at("2026-03-02 14:00")
    world.reply("rosa@example.de", "Happy to talk. The second time works for me.")
    world.ok("sync")
    world.ok("book", "rosa@example.de", "--slot", "2", "--send")
    world.at("2026-03-03 15:00")
    world.reply("rosa@example.de", "Something came up, I'm sorry. Could we do Tuesday "
                "31 March at 17:00 my time instead?")
    world.ok("sync")
    [item] = [d for d in world.due() if d["contact"] == "rosa@example.de"
              and d["action"] == "reschedule"]
    assert item["command"] == "outreach reschedule rosa@example.de --at 2026-03-31T17:00+02:00"
    world.ok(*str(item["command"]).split()[1:], "--send")  # no "Book it anyway?"
    invite = world.invites("rosa@example.de")[-1]
    assert invite.decoded("DTSTART") == datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    assert int(invite["SEQUENCE"]) == 1
    other = world.cli("reschedule", "rosa@example.de", "--at", "2026-04-01T18:00+02:00")
    assert other.exit_code == 1 and "outside Rosa's working hours" in other.output  # not hers


def test_room_the_daily_cap_held_frees_exactly_a_day_later(reading_world: World) -> None:
    world = reading_world
    configure(world.home, mail={"daily_send_cap": 1})
    meet(world, "ada@example.org", "Ada Lovelace", org="Analytical Engines")
    world.ok("contacts", "add", "alan@example.org", "--name", "Alan Kay")
    world.ok("draft", "outreach", "alan@example.org")
    refused = world.cli("send", "--yes")  # the cap is used up: it says when room frees up
    assert refused.exit_code == 1 and "frees up at Tue 03 Mar 09:00" in refused.output
    world.at("2026-03-03 09:00")  # then, as it said, it goes
    sent = json.loads(world.ok("send", "--yes", "--json"))
    assert [m["contact"] for m in sent["sent"]] == ["alan@example.org"]


def test_noras_late_accept_of_the_missed_meeting_books_nothing(reading_world: World) -> None:
    world = reading_world
    meet(world, "nora@example.org", "Nora Ephron", org="Columbia", tz="America/New_York")
    world.at("2026-03-02 14:00")
    world.reply("nora@example.org", "Happy to talk. Wednesday at 11 works.")
    world.ok("sync")
    world.ok("book", "nora@example.org", "--at", "2026-03-04T11:00", "--send")
    world.at("2026-03-05 09:00")
    world.ok("met", "nora@example.org", "--missed")
    world.ok("draft", "newtimes", "nora@example.org")
    world.ok("send", "--yes")
    world.at("2026-03-05 15:00")  # her calendar, late, accepts the meeting that was missed
    world.rsvp("nora@example.org", "accepted")
    world.ok("sync")
    world.at("2026-03-06 09:00")  # no "book --slot N": she has not answered the new times
    assert world.due_for("nora@example.org") == []
