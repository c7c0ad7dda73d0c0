"""No dead ends: a draft can be discarded, a draft deleted by hand is noticed, a stale draft
gets one instruction, and offered times are listed once.

Hedy answers two weeks late, so she is due new times; the user drafts them, then changes
their mind. Played on both backends, with what she receives parsed back.
"""

from __future__ import annotations

import json

from tests.conversation_world import World, text_of
from tests.test_conversations import world as every_backend_world

world = every_backend_world  # local, gmail, imap, microsoft

HEDY = "hedy@example.net"


def late_reply(world: World) -> None:
    world.ok("contacts", "add", HEDY, "--name", "Hedy Lamarr", "--tz", "America/Los_Angeles")
    world.ok("draft", "outreach", HEDY)
    world.ok("send", HEDY, "--yes")
    world.at("2026-03-16 10:00")  # two weeks later
    world.reply(HEDY, "So sorry, I was travelling. Is it too late?")
    world.ok("sync")
    assert world.due_for(HEDY) == ["propose_times"]


def delete_by_hand(world: World) -> None:
    world.delete_draft(HEDY)


def held_offers(world: World) -> list[dict[str, object]]:
    shown = json.loads(world.ok("contacts", "show", HEDY, "--json"))
    return [p for p in shown["proposals"] if p["state"] == "held"]


def test_a_draft_deleted_by_hand_goes_back_to_draft_it(world: World) -> None:
    late_reply(world)
    world.ok("draft", "newtimes", HEDY)
    [item] = world.due()
    assert item["text"] == "send the drafted new times"
    delete_by_hand(world)

    if world.backend == "local":  # the local outbox is read by `due` itself
        assert (
            "Drafts: Hedy Lamarr <hedy@example.net>: the drafted new times (deleted from the "
            f"outbox by hand): `outreach draft newtimes {HEDY}` drafts it again"
        ) in world.ok("due")
    assert "a draft was deleted by hand" in world.ok("sync")  # the next sync notices
    [item] = world.due()
    assert item["text"] == "propose new times"
    assert item["command"] == f"outreach draft newtimes {HEDY}"
    sent = world.cli("send", "--yes")
    assert sent.exit_code == 0, sent.output
    assert "Nothing to send" in sent.output
    assert held_offers(world) == []  # the times it held are free again

    world.ok("draft", "newtimes", HEDY)
    world.ok("send", "--yes")
    assert "new times" in text_of(world.received(HEDY)[-1]) or "times" in text_of(
        world.received(HEDY)[-1]
    )


def test_discard_removes_a_draft_and_what_it_held(world: World) -> None:
    late_reply(world)
    world.ok("draft", "newtimes", HEDY)
    assert len(held_offers(world)) == 3
    out = world.ok("discard", HEDY)
    assert "Discarded the new times to Hedy Lamarr <hedy@example.net>" in out
    assert "3 offered times released" in out
    assert world.drafts() == []
    assert held_offers(world) == []
    [item] = world.due()
    assert (item["text"], item["command"]) == (
        "propose new times",
        f"outreach draft newtimes {HEDY}",
    )
    nothing = world.cli("discard", HEDY)
    assert nothing.exit_code == 1
    assert "Hedy Lamarr <hedy@example.net> has no unsent draft" in nothing.output
    assert world.received(HEDY)[-1]["Subject"] is not None
    assert len(world.received(HEDY)) == 1  # nothing was sent


def test_offered_times_are_listed_once_after_drafting_new_times_twice(world: World) -> None:
    late_reply(world)
    world.ok("draft", "newtimes", HEDY)
    world.ok("draft", "newtimes", HEDY)
    shown = world.ok("contacts", "show", HEDY)
    offered = [line for line in shown.splitlines() if line.strip().startswith(("1. ", "2. "))]
    assert len(offered) == 2, shown


def test_a_stale_draft_gets_one_instruction_from_every_command(world: World) -> None:
    late_reply(world)
    world.ok("draft", "newtimes", HEDY)
    # Before the new times go, she suggests a time herself and the user books it.
    world.at("2026-03-16 11:00")
    world.reply(HEDY, "Actually, could we simply talk on Friday at 10 your time? I'll call.")
    world.ok("sync")
    world.ok("book", HEDY, "--at", "2026-03-20T13:00-04:00", "--send")
    instruction = (
        "the drafted new times are stale (they are at stage scheduled now): "
        f"`outreach discard {HEDY}` removes it; `outreach due` then says what is next"
    )
    send = world.cli("send", "--yes")
    due = world.ok("due")
    follow = world.ok("followup")
    assert instruction in send.output, send.output
    assert instruction in due, due
    assert instruction in follow, follow
    world.ok("discard", HEDY)
    assert "stale" not in world.ok("due")
    assert [m["Subject"] for m in world.received(HEDY)][-1] is not None
    assert not any("new times" in text_of(m) for m in world.received(HEDY))
