"""A reply `due` cannot read a time from, played on every backend: it never guesses the time.

Found by the follow-`due`-blindly simulator on Gmail's default metadata scope, where outreach
sees a reply's headers but not its words: Greta wrote "this week is hectic, let me get back to
you next week", one offered time was still ahead, and `due` said ``book ... --slot 3``, a time
she never picked; a user who ran it sent her an invite for it. The same held on every backend
for a reply that names no time ("Sounds good.").
"""

from __future__ import annotations

import re

from tests import test_conversations as conversations
from tests.conversation_world import World
from tests.test_conversations import meet

world = conversations.world  # the same fixture: each test runs on every backend


def test_sue_says_sounds_good_with_one_time_left_and_due_leaves_the_slot_to_the_user(
    world: World,
) -> None:
    world.at("2026-03-09 09:00")
    meet(world, "sue@example.org", "Sue Kim", org="Globex")
    world.at("2026-03-11 16:00")  # two of the three times offered have passed
    world.reply("sue@example.org", "Sounds good.\n\nSue", name="Sue")
    world.at("2026-03-12 09:00")
    world.ok("sync")
    [item] = [d for d in world.due() if d["contact"] == "sue@example.org"]
    assert item["action"] == "book"
    # The one time still ahead is named, and the user fills it in after reading her reply.
    assert re.fullmatch(r"outreach book sue@example\.org --slot N \(N = \d\)",
                        str(item["command"])), item["command"]
    assert world.invites("sue@example.org") == []


def test_greta_defers_in_words_and_nothing_is_booked_for_her(world: World) -> None:
    world.at("2026-03-09 09:00")
    meet(world, "greta@example.org", "Greta Lovelace", org="Globex")
    world.at("2026-03-11 16:00")
    world.reply("greta@example.org", "Happy to help, but this week is hectic. Let me get back "
                "to you next week.\n\nGreta", name="Greta")
    world.at("2026-03-12 09:00")
    world.ok("sync")
    items = [d for d in world.due() if d["contact"] == "greta@example.org"]
    if world.backend == "gmail":  # metadata scope: the words are not readable
        [item] = items
        assert "--slot N" in str(item["command"]), item["command"]
    else:  # her deferral is read: she is waited for
        assert items == []
